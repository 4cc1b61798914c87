"""A place card that a list can show alone: the address, the next opening and how fresh the location is."""

from datetime import UTC, datetime, time, timedelta

import pytest

from tests import factories
from trucks.models import ExceptionKind, LocationSource, ScheduleException

URL = "/api/v1/places/"
AUSTIN = (30.2672, -97.7431)
# Monday 2026-03-09, 09:00 in Chicago (CDT, UTC-5: daylight time began the day before)
NOW = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)


@pytest.fixture
def now(monkeypatch, settings):
    settings.LIVE_LOCATION_GRACE_MINUTES = 120
    monkeypatch.setattr("trucks.search.timezone.now", lambda: NOW)
    return NOW


def cards_by_name(client, params: dict) -> dict[str, dict]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.json()
    return {card["name"]: card for card in response.json()["results"]}


def test_card_location_status_is_live_within_the_grace_window_then_last_seen(db, api_client, now):
    # given trucks checked in just now, exactly at the grace window, past it, never; a stand; a truck at its address
    checked_in = {"kind": "truck", "location_source": LocationSource.API}
    factories.PlaceFactory(name="Fresh", location_updated_at=now - timedelta(minutes=10), **checked_in)
    factories.PlaceFactory(name="Edge", location_updated_at=now - timedelta(minutes=120), **checked_in)
    factories.PlaceFactory(name="Stale", location_updated_at=now - timedelta(minutes=121), **checked_in)
    factories.PlaceFactory(name="Device", location_updated_at=None, kind="truck", location_source="device")
    factories.PlaceFactory(
        name="Stand", kind="stand", location_source="portal", location_updated_at=now - timedelta(days=30)
    )
    factories.PlaceFactory(name="Parked", kind="truck", location_source="address", location_updated_at=None)

    # when
    cards = cards_by_name(api_client, {"lat": AUSTIN[0], "lng": AUSTIN[1]})

    # then
    assert {name: card["location_status"] for name, card in cards.items()} == {
        "Fresh": "live",
        "Edge": "live",
        "Stale": "last_seen",
        "Device": "last_seen",
        "Stand": "address",
        "Parked": "address",
    }
    assert cards["Stale"]["location_updated_at"] == "2026-03-09T11:59:00Z"
    assert cards["Stale"]["location_source"] == "api"


def test_card_carries_the_address_and_the_next_opening_in_local_time(db, api_client, now):
    # given a truck open Mondays 11:00-15:00 at a planned stop, and one closed this Monday by an exception
    today = factories.PlaceFactory(name="Today", address="500 Congress Ave", time_zone="America/Chicago")
    factories.OpeningHoursFactory(
        place=today, weekday=0, opens=time(11), closes=time(15), address="5th & Main", lat=30.27, lng=-97.74
    )
    next_week = factories.PlaceFactory(name="Next week", time_zone="America/Chicago")
    factories.OpeningHoursFactory(place=next_week, weekday=0, opens=time(11), closes=time(15))
    ScheduleException.objects.create(place=next_week, date=now.date(), kind=ExceptionKind.CLOSED)
    factories.PlaceFactory(name="No hours")

    # when
    cards = cards_by_name(api_client, {"lat": AUSTIN[0], "lng": AUSTIN[1]})

    # then
    assert cards["Today"]["address"] == "500 Congress Ave"
    assert cards["Today"]["next_opening"] == {
        "starts_at": "2026-03-09T11:00:00-05:00",
        "ends_at": "2026-03-09T15:00:00-05:00",
        "address": "5th & Main",
        "lat": 30.27,
        "lng": -97.74,
    }
    assert cards["Next week"]["next_opening"] == {
        "starts_at": "2026-03-16T11:00:00-05:00",
        "ends_at": "2026-03-16T15:00:00-05:00",
        "address": "",
        "lat": None,
        "lng": None,
    }
    assert cards["No hours"]["next_opening"] is None


def test_top_places_cards_carry_the_same_next_opening(db, api_client, now):
    # given a rated place of Austin with Monday hours
    place = factories.PlaceFactory(name="Rated", city="Austin", time_zone="America/Chicago", rating_count=5)
    factories.OpeningHoursFactory(place=place, weekday=0, opens=time(11), closes=time(15))

    # when
    top = api_client.get("/api/v1/places/top/", {"city": "Austin"}).json()["results"]
    search = cards_by_name(api_client, {"city": "Austin"})

    # then the two lists show the same card
    assert top == [search["Rated"]]
    assert top[0]["next_opening"]["starts_at"] == "2026-03-09T11:00:00-05:00"
    assert top[0]["location_status"] == "address"


@pytest.mark.parametrize("size", [3, 12])
def test_card_next_opening_costs_no_query_of_its_own(db, api_client, now, django_assert_num_queries, size):
    # given places each with a week of hours and an exception
    for place in factories.PlaceFactory.create_batch(size, time_zone="America/Chicago"):
        for weekday in range(7):
            factories.OpeningHoursFactory(place=place, weekday=weekday, opens=time(11), closes=time(15))
        ScheduleException.objects.create(place=place, date=now.date(), kind=ExceptionKind.CLOSED)

    # when: one statement answers the change log's version (the ETag), the capped count and the page's
    # cards, each with its hours and exceptions
    with django_assert_num_queries(1):
        response = api_client.get(URL, {"lat": AUSTIN[0], "lng": AUSTIN[1], "page_size": 100})

    # then every card's next opening is Tuesday's (Monday is closed)
    openings = {card["next_opening"]["starts_at"] for card in response.json()["results"]}
    assert response.json()["count"] == size
    assert openings == {"2026-03-10T11:00:00-05:00"}


def _photo(place, *, position: int, size: tuple[int, int] | None = None):
    """A stored photo row; `size` given: its thumbnails are recorded as made."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.images import png_bytes
    from trucks.models import Photo

    image = SimpleUploadedFile("p.png", png_bytes((8, 6)), content_type="image/png")
    width, height = size or (None, None)
    return Photo.objects.create(place=place, image=image, position=position, width=width, height=height)


def _key_stem(photo) -> str:
    return photo.image.name.rsplit(".", 1)[0]


@pytest.mark.parametrize("size", [3, 12])
def test_card_cover_photo_is_the_first_photo_with_its_thumbnails_in_the_same_queries(
    db, api_client, now, django_assert_num_queries, size
):
    # given places with two photos each (the second one first by position), and one place without photos
    covers = {}
    for index, place in enumerate(factories.PlaceFactory.create_batch(size, city="Austin")):
        _photo(place, position=5, size=(1200, 800))
        covers[place.name] = _photo(place, position=1, size=(640, 480) if index else None)
    bare = factories.PlaceFactory(name="Bare", city="Austin")

    # when: the same one statement as cards without photos (the ETag's version, the capped count, the cards)
    with django_assert_num_queries(1):
        cards = cards_by_name(api_client, {"lat": AUSTIN[0], "lng": AUSTIN[1], "page_size": 100})

    # then each card names its first photo: thumbnails once made, the photo itself always
    assert cards[bare.name]["cover_photo"] is None
    for index, (name, photo) in enumerate(covers.items()):
        stem = _key_stem(photo)
        made = index > 0
        assert cards[name]["cover_photo"] == {
            "thumb_url": f"/media/thumbs/{stem}-160.webp" if made else None,
            "large_thumb_url": f"/media/thumbs/{stem}-480.webp" if made else None,
            "url": f"/media/{photo.image.name}",
            "width": 640 if made else None,
            "height": 480 if made else None,
        }


def test_every_card_list_carries_the_cover_photo(db, api_client, consumer, consumer_client, now):
    # given a rated place with a photo, a favorite and recently viewed of the consumer
    place = factories.PlaceFactory(city="Austin", rating_count=9, rating_avg="4.50")
    photo = _photo(place, position=0, size=(100, 50))
    factories.FavoritePlaceFactory(user=consumer, place=place)
    expected = {
        "thumb_url": f"/media/thumbs/{_key_stem(photo)}-160.webp",
        "large_thumb_url": f"/media/thumbs/{_key_stem(photo)}-480.webp",
        "url": f"/media/{photo.image.name}",
        "width": 100,
        "height": 50,
    }
    consumer_client.get(f"{URL}{place.pk}/")

    # when every list of cards is read
    lists = {
        "search": api_client.get(URL, {"city": "Austin"}).json()["results"],
        "nearby": api_client.get(URL, {"lat": place.lat, "lng": place.lng}).json()["results"],
        "map": api_client.get(f"{URL}map/", {"bbox": "-89,-179,89,179"}).json()["places"],
        "vendor": api_client.get(f"/api/v1/vendors/{place.vendor_id}/").json()["places"],
        "favorites": [row["place"] for row in consumer_client.get("/api/v1/me/favorites/").json()["results"]],
        "recent": [row["place"] for row in consumer_client.get("/api/v1/me/recently-viewed/").json()["results"]],
    }

    # then each shows the same cover photo and address
    assert {name: [card["cover_photo"] for card in cards] for name, cards in lists.items()} == {
        name: [expected] for name in lists
    }
    assert {name: cards[0]["address"] for name, cards in lists.items()} == dict.fromkeys(lists, place.address)
