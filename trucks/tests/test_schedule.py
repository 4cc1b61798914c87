"""trucks/schedule.py: weekly slots in the place's zone, overnight slots, dated exceptions, DST."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests import factories
from trucks.models import ExceptionKind, OpeningHours, ScheduleException
from trucks.schedule import current_slot, last_closing, next_opening, slots_between

CHICAGO = ZoneInfo("America/Chicago")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2026, 11, 23)


def _hours(weekday, opens, closes, **fields) -> OpeningHours:
    return OpeningHours(weekday=weekday, opens=opens, closes=closes, **fields)


def test_slots_between_weekly_slot_is_in_the_local_zone():
    # when
    slots = slots_between(zone=CHICAGO, hours=[_hours(0, time(11), time(15))], exceptions=[], first=MONDAY, last=MONDAY)
    # then: 11:00-15:00 CST is 17:00-21:00 UTC
    assert [(s.starts_at.astimezone(UTC), s.ends_at.astimezone(UTC)) for s in slots] == [
        (datetime(2026, 11, 23, 17, tzinfo=UTC), datetime(2026, 11, 23, 21, tzinfo=UTC))
    ]


def test_slots_between_overnight_slot_ends_the_next_day():
    # when: Friday 20:00 to 02:00
    slots = slots_between(
        zone=CHICAGO,
        hours=[_hours(4, time(20), time(2))],
        exceptions=[],
        first=date(2026, 11, 27),
        last=date(2026, 11, 27),
    )
    # then
    assert [(s.starts_at, s.ends_at) for s in slots] == [
        (datetime(2026, 11, 27, 20, tzinfo=CHICAGO), datetime(2026, 11, 28, 2, tzinfo=CHICAGO))
    ]


def test_slots_between_orders_several_slots_of_a_day():
    # when
    slots = slots_between(
        zone=CHICAGO,
        hours=[_hours(0, time(17), time(21)), _hours(0, time(7), time(10))],
        exceptions=[],
        first=MONDAY,
        last=MONDAY,
    )
    # then
    assert [s.starts_at.hour for s in slots] == [7, 17]


def test_slots_between_closed_exception_removes_the_day():
    # given
    closed = ScheduleException(date=MONDAY, kind=ExceptionKind.CLOSED)
    # when
    slots = slots_between(
        zone=CHICAGO, hours=[_hours(0, time(11), time(15))], exceptions=[closed], first=MONDAY, last=MONDAY
    )
    # then
    assert slots == []


def test_slots_between_special_hours_replace_the_week_and_moved_carries_the_location():
    # given
    special = ScheduleException(date=MONDAY, kind=ExceptionKind.SPECIAL_HOURS, opens=time(9), closes=time(12))
    moved = ScheduleException(
        date=MONDAY + timedelta(days=7),
        kind=ExceptionKind.MOVED,
        opens=time(11),
        closes=time(15),
        address="Zilker Park",
        lat=30.26,
        lng=-97.77,
    )
    # when
    slots = slots_between(
        zone=CHICAGO,
        hours=[_hours(0, time(11), time(15), address="Main St")],
        exceptions=[special, moved],
        first=MONDAY,
        last=MONDAY + timedelta(days=7),
    )
    # then
    assert [(s.starts_at.hour, s.ends_at.hour, s.address, s.lat) for s in slots] == [
        (9, 12, "", None),
        (11, 15, "Zilker Park", 30.26),
    ]


def test_slots_between_overnight_slot_across_spring_forward_is_one_hour_shorter():
    # when: Saturday 2026-03-07 22:00 to Sunday 04:00 in New York; clocks jump 02:00 -> 03:00
    slots = slots_between(
        zone=NEW_YORK,
        hours=[_hours(5, time(22), time(4))],
        exceptions=[],
        first=date(2026, 3, 7),
        last=date(2026, 3, 7),
    )
    # then
    (slot,) = slots
    assert slot.starts_at.astimezone(UTC) == datetime(2026, 3, 8, 3, tzinfo=UTC)
    assert slot.ends_at.astimezone(UTC) == datetime(2026, 3, 8, 8, tzinfo=UTC)
    # (aware datetimes of one zone subtract as wall-clock times; durations are measured in UTC)
    assert slot.ends_at.astimezone(UTC) - slot.starts_at.astimezone(UTC) == timedelta(hours=5)


def test_slots_between_overnight_slot_across_fall_back_is_one_hour_longer():
    # when: Saturday 2026-10-31 22:00 to Sunday 04:00 in New York; 01:00-02:00 happens twice
    slots = slots_between(
        zone=NEW_YORK,
        hours=[_hours(5, time(22), time(4))],
        exceptions=[],
        first=date(2026, 10, 31),
        last=date(2026, 10, 31),
    )
    # then
    (slot,) = slots
    assert slot.starts_at.astimezone(UTC) == datetime(2026, 11, 1, 2, tzinfo=UTC)
    assert slot.ends_at.astimezone(UTC) == datetime(2026, 11, 1, 9, tzinfo=UTC)
    assert slot.contains(datetime(2026, 11, 1, 6, 30, tzinfo=UTC))  # the second 01:30


@pytest.fixture
def night_truck(db):
    """Friday 20:00-02:00 and Monday 11:00-15:00 in Chicago."""
    place = factories.PlaceFactory(time_zone="America/Chicago")
    factories.OpeningHoursFactory(place=place, weekday=4, opens=time(20), closes=time(2))
    factories.OpeningHoursFactory(place=place, weekday=0, opens=time(11), closes=time(15))
    return place


def test_current_slot_after_midnight_is_the_previous_days_overnight_slot(night_truck):
    # when: Saturday 01:30 local
    slot = current_slot(night_truck, datetime(2026, 11, 28, 1, 30, tzinfo=CHICAGO))
    # then
    assert (slot.starts_at, slot.ends_at) == (
        datetime(2026, 11, 27, 20, tzinfo=CHICAGO),
        datetime(2026, 11, 28, 2, tzinfo=CHICAGO),
    )


def test_current_slot_at_the_closing_minute_is_none(night_truck):
    assert current_slot(night_truck, datetime(2026, 11, 28, 2, 0, tzinfo=CHICAGO)) is None


def test_last_closing_is_the_end_of_the_latest_ended_slot(night_truck):
    # when: Sunday noon
    closing = last_closing(night_truck, datetime(2026, 11, 29, 12, tzinfo=CHICAGO))
    # then
    assert closing == datetime(2026, 11, 28, 2, tzinfo=CHICAGO)


def test_last_closing_without_any_schedule_is_none(db):
    assert last_closing(factories.PlaceFactory(), datetime(2026, 11, 29, 12, tzinfo=UTC)) is None


def test_next_opening_skips_a_closed_exception(night_truck):
    # given: closed on Monday 2026-11-30
    ScheduleException.objects.create(place=night_truck, date=date(2026, 11, 30), kind=ExceptionKind.CLOSED)
    # when: Sunday noon
    slot = next_opening(night_truck, datetime(2026, 11, 29, 12, tzinfo=CHICAGO))
    # then: the next Friday night
    assert slot.starts_at == datetime(2026, 12, 4, 20, tzinfo=CHICAGO)


def test_next_opening_inside_a_slot_is_that_slot(night_truck):
    slot = next_opening(night_truck, datetime(2026, 11, 23, 12, tzinfo=CHICAGO))
    assert slot.starts_at == datetime(2026, 11, 23, 11, tzinfo=CHICAGO)
