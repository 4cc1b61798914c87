"""A place's upcoming stops as iCal: the events, in the place's zone, cacheable, 404 when inactive."""

from datetime import UTC, date, datetime, time

import pytest
from icalendar import Calendar

from tests import factories
from trucks.models import ExceptionKind, ScheduleException
from trucks.upcoming import upcoming_stops_rebuild

# Monday 2026-03-09 14:00 UTC (09:00 in Chicago, daylight time since the day before)
NOW = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)


def url(place_id: int) -> str:
    return f"/api/v1/places/{place_id}/calendar.ics"


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setattr("api.places.views.timezone.now", lambda: NOW)
    return NOW


@pytest.fixture
def place(db):
    # Mondays and Fridays 11:00–15:00 at its address; this Friday moved to the park for the evening
    place = factories.PlaceFactory(
        name="Taco Loco", time_zone="America/Chicago", address="500 Congress Ave", lat=30.27, lng=-97.74
    )
    for weekday in (0, 4):
        factories.OpeningHoursFactory(place=place, weekday=weekday, opens=time(11), closes=time(15))
    ScheduleException.objects.create(
        place=place,
        date=date(2026, 3, 13),
        kind=ExceptionKind.MOVED,
        opens=time(17),
        closes=time(22),
        address="Zilker Park",
        lat=30.26,
        lng=-97.77,
    )
    upcoming_stops_rebuild(place_ids=[place.pk], now=NOW)
    return place


def test_calendar_lists_the_upcoming_stops_in_the_places_zone_with_their_locations(api_client, now, place):
    # when
    response = api_client.get(url(place.pk))

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    starts = [event.decoded("dtstart") for event in events]
    spans = [(event.decoded("dtstart").isoformat(), event.decoded("dtend").isoformat()) for event in events]
    assert spans[:3] == [
        ("2026-03-09T11:00:00-05:00", "2026-03-09T15:00:00-05:00"),
        ("2026-03-13T17:00:00-05:00", "2026-03-13T22:00:00-05:00"),
        ("2026-03-16T11:00:00-05:00", "2026-03-16T15:00:00-05:00"),
    ]
    assert {str(start.tzinfo) for start in starts} == {"America/Chicago"}
    assert str(events[0]["location"]) == "500 Congress Ave" and str(events[1]["location"]) == "Zilker Park"
    assert (events[1]["geo"].latitude, events[1]["geo"].longitude) == (30.26, -97.77)
    assert str(events[0]["summary"]) == "Taco Loco"
    # two weeks ahead at least: Mondays and Fridays up to Monday 2026-03-23
    assert starts[-1].date() >= date(2026, 3, 23)
    assert len({str(event["uid"]) for event in events}) == len(events)
    assert [component.name for component in calendar.walk("VTIMEZONE")] == ["VTIMEZONE"]


def test_calendar_answers_304_to_its_etag_and_changes_it_with_the_schedule(api_client, now, place):
    first = api_client.get(url(place.pk))
    again = api_client.get(url(place.pk), HTTP_IF_NONE_MATCH=first["ETag"])
    ScheduleException.objects.create(place=place, date=date(2026, 3, 16), kind=ExceptionKind.CLOSED)
    upcoming_stops_rebuild(place_ids=[place.pk], now=NOW)
    changed = api_client.get(url(place.pk), HTTP_IF_NONE_MATCH=first["ETag"])

    assert (first.status_code, again.status_code, changed.status_code) == (200, 304, 200)
    assert first["Cache-Control"] == "public, max-age=900" and first["Last-Modified"]
    assert again.content == b"" and changed["ETag"] != first["ETag"]
    assert (
        len(Calendar.from_ical(changed.content).walk("VEVENT"))
        == len(Calendar.from_ical(first.content).walk("VEVENT")) - 1
    )


def test_calendar_of_an_inactive_or_unknown_place_is_404(api_client, now, place):
    place.is_active = False
    place.save(update_fields=["is_active"])

    assert api_client.get(url(place.pk)).status_code == 404
    assert api_client.get(url(place.pk + 1000)).status_code == 404
