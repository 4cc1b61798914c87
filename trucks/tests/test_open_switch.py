"""Stale open switches are switched off; a check-in after the closing, or a running slot, keeps a place open."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests import factories
from trucks import open_switch
from trucks.models import Place
from trucks.open_switch import places_switch_off_stale
from trucks.services import place_check_in
from trucks.tasks import switch_off_stale_open_places

CHICAGO = ZoneInfo("America/Chicago")
CLOSING = datetime(2026, 11, 23, 15, 0, tzinfo=CHICAGO)  # Monday 11:00-15:00


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.OPEN_SWITCH_GRACE_MINUTES = 30
    settings.OPEN_SWITCH_UNSCHEDULED_HOURS = 12


def _open_truck(*, checked_in: datetime, hours: bool = True) -> Place:
    place = factories.PlaceFactory(
        time_zone="America/Chicago", is_open=True, open_changed_at=checked_in, location_updated_at=checked_in
    )
    if hours:
        factories.OpeningHoursFactory(place=place, weekday=0, opens=time(11), closes=time(15))
    return place


def _is_open(place: Place) -> bool:
    place.refresh_from_db()
    return place.is_open


def test_switch_off_after_closing_and_grace_without_check_in(db):
    # given: opened at 10:50, closed at 15:00
    place = _open_truck(checked_in=CLOSING - timedelta(hours=4, minutes=10))
    now = CLOSING + timedelta(minutes=31)
    # when
    switched = places_switch_off_stale(now=now)
    # then
    assert switched == 1
    place.refresh_from_db()
    assert (place.is_open, place.open_changed_at) == (False, now)


def test_switch_off_within_grace_keeps_the_place_open(db):
    # given
    place = _open_truck(checked_in=CLOSING - timedelta(hours=4))
    # when
    switched = places_switch_off_stale(now=CLOSING + timedelta(minutes=29))
    # then
    assert switched == 0
    assert _is_open(place)


def test_switch_off_keeps_a_place_that_checked_in_after_its_closing(db):
    # given: the truck stayed late and checked in again at 15:10
    place = _open_truck(checked_in=CLOSING + timedelta(minutes=10))
    # when
    switched = places_switch_off_stale(now=CLOSING + timedelta(hours=2))
    # then
    assert switched == 0
    assert _is_open(place)


def test_switch_off_keeps_a_location_update_after_closing_as_a_check_in(db):
    # given: the switch was set in the morning, the location confirmed after the closing
    place = _open_truck(checked_in=CLOSING - timedelta(hours=4))
    Place.objects.filter(pk=place.pk).update(location_updated_at=CLOSING + timedelta(minutes=5))
    # when
    switched = places_switch_off_stale(now=CLOSING + timedelta(hours=1))
    # then
    assert switched == 0
    assert _is_open(place)


def test_switch_off_keeps_a_place_inside_its_slot(db):
    # given: left open since last week, but it is Monday 14:00 now
    place = _open_truck(checked_in=CLOSING - timedelta(days=7, hours=4))
    # when
    switched = places_switch_off_stale(now=CLOSING - timedelta(hours=1))
    # then
    assert switched == 0
    assert _is_open(place)


def test_switch_off_late_check_in_is_trusted_for_the_unscheduled_period_only(db):
    # given: checked in after closing at 15:10
    place = _open_truck(checked_in=CLOSING + timedelta(minutes=10))
    # when: 12 hours later, with no slot in between
    switched = places_switch_off_stale(now=CLOSING + timedelta(hours=12, minutes=10))
    # then
    assert switched == 1
    assert not _is_open(place)


@pytest.mark.parametrize(("hours_ago", "still_open"), [(11, True), (12, False)])
def test_switch_off_place_without_schedule_after_twelve_hours(db, hours_ago, still_open):
    # given
    now = datetime(2026, 11, 25, 9, tzinfo=CHICAGO)
    place = _open_truck(checked_in=now - timedelta(hours=hours_ago), hours=False)
    # when
    places_switch_off_stale(now=now)
    # then
    assert _is_open(place) is still_open


def test_switch_off_place_open_without_any_check_in_stamp(db):
    # given: opened by hand (admin) with no stamps, outside any slot
    place = factories.PlaceFactory(is_open=True, open_changed_at=None, location_updated_at=None)
    # when
    switched = places_switch_off_stale(now=CLOSING + timedelta(hours=1))
    # then
    assert switched == 1
    assert not _is_open(place)


def test_switch_off_ignores_closed_places(db):
    # given
    place = _open_truck(checked_in=CLOSING - timedelta(hours=4))
    Place.objects.filter(pk=place.pk).update(is_open=False)
    # when / then
    assert places_switch_off_stale(now=CLOSING + timedelta(hours=3)) == 0


def test_switch_off_a_concurrent_check_in_wins(db, monkeypatch):
    # given: the job read the place before the vendor checked in again
    place = _open_truck(checked_in=CLOSING - timedelta(hours=4))
    stale_read = Place.objects.prefetch_related("opening_hours", "schedule_exceptions").get(pk=place.pk)
    place_check_in(place=Place.objects.get(pk=place.pk), lat=30.3, lng=-97.7, is_open=True)
    monkeypatch.setattr(
        open_switch, "open_places_to_check", lambda *, after_id, **kwargs: [stale_read] if after_id == 0 else []
    )
    # when
    switched = places_switch_off_stale(now=CLOSING + timedelta(hours=1))
    # then
    assert switched == 0
    assert _is_open(place)


def test_switch_off_works_through_bounded_batches(db, django_assert_num_queries):
    # given: five stale trucks, batches of two
    places = [_open_truck(checked_in=CLOSING - timedelta(hours=4)) for _ in range(5)]
    # when: per batch the places, their hours, their exceptions, one update and one change-log insert
    with django_assert_num_queries(3 * 5):
        switched = places_switch_off_stale(now=CLOSING + timedelta(hours=1), batch_size=2)
    # then
    assert switched == 5
    assert not any(_is_open(place) for place in places)


def test_switch_off_task_uses_the_current_time(db, monkeypatch):
    # given
    place = _open_truck(checked_in=CLOSING - timedelta(hours=4))
    monkeypatch.setattr("trucks.tasks.timezone.now", lambda: CLOSING + timedelta(hours=1))
    # when
    result = switch_off_stale_open_places.delay().get()
    # then
    assert result == 1
    assert not _is_open(place)
