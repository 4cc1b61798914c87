"""GET places/?open_at= / ?open_within=: search ahead through the API, its cards' stops and its 400s."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests import factories
from trucks import services
from trucks.models import ExceptionKind, PlaceKind
from trucks.nearby import haversine_km

URL = "/api/v1/places/"
CHICAGO = ZoneInfo("America/Chicago")
HERE = (30.2672, -97.7431)  # downtown Austin
PARK = (30.2669, -97.7729)  # Zilker Park, 2.9 km west
NEXT_DOOR = (30.2700, -97.7431)  # 0.3 km north


def next_saturday_at_six() -> datetime:
    """18:00 in Chicago on the next Saturday at least a day away (inside the 14-day horizon)."""
    day = timezone.now().astimezone(CHICAGO).date() + timedelta(days=2)
    while day.weekday() != 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(18, 0), tzinfo=CHICAGO)


@pytest.fixture
def saturday_trucks(db):
    """Three Austin trucks with Saturday evening hours: one at the park, one next door, one closed that day."""
    park = factories.PlaceFactory(name="At the park", time_zone="America/Chicago", lat=HERE[0], lng=HERE[1])
    services.opening_hours_replace(
        place=park,
        slots=[
            {
                "weekday": 5,
                "opens": time(17, 0),
                "closes": time(1, 0),
                "address": "Zilker Park",
                "lat": PARK[0],
                "lng": PARK[1],
            }
        ],
    )
    near = factories.PlaceFactory(
        name="Next door", kind=PlaceKind.STAND, time_zone="America/Chicago", lat=NEXT_DOOR[0], lng=NEXT_DOOR[1]
    )
    services.opening_hours_replace(place=near, slots=[{"weekday": 5, "opens": time(16, 0), "closes": time(20, 0)}])
    closed = factories.PlaceFactory(name="Day off", time_zone="America/Chicago", lat=HERE[0], lng=HERE[1])
    services.opening_hours_replace(place=closed, slots=[{"weekday": 5, "opens": time(16, 0), "closes": time(20, 0)}])
    services.schedule_exception_create(place=closed, date=next_saturday_at_six().date(), kind=ExceptionKind.CLOSED)
    return park, near, closed


def test_open_at_within_2_km_at_six_on_saturday_finds_who_will_be_there_with_the_stop(api_client, saturday_trucks):
    park, _, _ = saturday_trucks
    six = next_saturday_at_six()

    # when the app asks who will be within 2 km of the park at 18:00 on Saturday
    response = api_client.get(URL, {"lat": PARK[0], "lng": PARK[1], "radius_km": 2, "open_at": six.isoformat()})

    # then only the truck whose Saturday stop is at the park, with that stop in the place's zone
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == 1
    card = body["results"][0]
    assert (card["id"], card["distance_km"]) == (park.pk, 0.0)
    assert card["stop"] == {
        "starts_at": datetime.combine(six.date(), time(17, 0), tzinfo=CHICAGO).isoformat(),
        "ends_at": datetime.combine(six.date() + timedelta(days=1), time(1, 0), tzinfo=CHICAGO).isoformat(),
        "address": "Zilker Park",
        "lat": PARK[0],
        "lng": PARK[1],
        "source": "hours",
    }


def test_open_at_downtown_measures_the_distance_to_the_stop_not_to_the_place(api_client, saturday_trucks):
    park, near, _ = saturday_trucks

    response = api_client.get(URL, {"lat": HERE[0], "lng": HERE[1], "open_at": next_saturday_at_six().isoformat()})

    # then the park truck, registered downtown, is 2.9 km away at its stop; the closed one is left out
    results = response.json()["results"]
    assert [(card["id"], card["distance_km"]) for card in results] == [(near.pk, 0.311), (park.pk, 2.862)]
    assert round(haversine_km(*HERE, *PARK), 3) == 2.862


def test_open_at_with_a_filter_and_without_a_point_keeps_the_filter_and_orders_by_name(api_client, saturday_trucks):
    park, near, _ = saturday_trucks
    six = next_saturday_at_six().isoformat()

    everyone = api_client.get(URL, {"open_at": six}).json()
    stands = api_client.get(URL, {"open_at": six, "kind": "stand"}).json()

    assert [card["id"] for card in everyone["results"]] == [park.pk, near.pk]  # "At the park", "Next door"
    assert [card["id"] for card in stands["results"]] == [near.pk]
    assert "distance_km" not in everyone["results"][0]


def test_open_within_finds_a_place_open_now(api_client, db):
    # given a stand open all day, every day
    stand = factories.PlaceFactory(time_zone="Pacific/Honolulu")
    services.opening_hours_replace(
        place=stand, slots=[{"weekday": d, "opens": time(0, 0), "closes": time(23, 59)} for d in range(7)]
    )
    factories.PlaceFactory(time_zone="Pacific/Honolulu")  # no schedule

    response = api_client.get(URL, {"open_within": 60})

    assert response.status_code == 200
    assert [card["id"] for card in response.json()["results"]] == [stand.pk]
    assert response.json()["results"][0]["stop"]["source"] == "hours"


def test_search_without_open_at_has_no_stop_on_its_cards(api_client, saturday_trucks):
    results = api_client.get(URL, {"lat": HERE[0], "lng": HERE[1]}).json()["results"]

    assert len(results) == 3
    assert all("stop" not in card for card in results)


def test_open_at_past_the_horizon_answers_400_naming_the_horizon(api_client, db):
    moment = timezone.now() + timedelta(days=15)

    response = api_client.get(URL, {"open_at": moment.isoformat()})

    assert response.status_code == 400
    [message] = response.json()["errors"]["open_at"]
    assert message.startswith("Search ahead reaches 14 days: give a moment before ")


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"open_at": "2026-06-06T18:00:00"},
            "open_at",
            "Give the moment with its UTC offset, e.g. 2026-06-06T18:00:00-05:00.",
        ),
        ({"open_at": "saturday"}, "open_at", None),
        ({"open_within": "-1"}, "open_within", "Ensure this value is greater than or equal to 0."),
        ({"open_within": "1441"}, "open_within", "Ensure this value is less than or equal to 1440."),
        (
            {"open_within": "30", "open_at": "2099-01-01T00:00:00Z"},
            "open_within",
            "Give open_at or open_within, not both.",
        ),
        (
            {"open_at": "2000-01-01T00:00:00Z"},
            "open_at",
            "Give a moment from now on: search ahead does not look back.",
        ),
    ],
)
def test_search_ahead_when_a_parameter_is_invalid_answers_400_with_its_message(db, api_client, params, field, message):
    response = api_client.get(URL, params)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field]
    if message is not None:
        assert errors[field] == [message]
