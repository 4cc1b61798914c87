"""A place's schedule as concrete time slots: weekly hours, overridden by dated exceptions.

Pure functions over already-loaded rows (callers prefetch `opening_hours` and
`schedule_exceptions`), so a list of places costs no extra query per place. Local times are
read in the place's own IANA zone; every returned datetime is timezone-aware.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from trucks.models import ExceptionKind, OpeningHours, ScheduleException


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    address: str = ""
    lat: float | None = None
    lng: float | None = None

    def contains(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


class HoursRow(NamedTuple):
    """An OpeningHours row read without a model instance (the list pages read many)."""

    weekday: int
    opens: time
    closes: time
    address: str
    lat: float | None
    lng: float | None


class ExceptionRow(NamedTuple):
    """A ScheduleException row read without a model instance."""

    date: date
    kind: str
    opens: time | None
    closes: time | None
    address: str
    lat: float | None
    lng: float | None


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)


def _slot(day: date, opens: time, closes: time, zone: ZoneInfo, *, address="", lat=None, lng=None) -> Slot:
    end_day = day + timedelta(days=1) if closes <= opens else day
    return Slot(_local(day, opens, zone), _local(end_day, closes, zone), address, lat, lng)


def slots_for_day(
    day: date, *, zone: ZoneInfo, hours: Iterable[OpeningHours], exceptions: dict[date, ScheduleException]
) -> list[Slot]:
    """The slots that start on local `day` (an overnight slot ends the next day)."""
    exception = exceptions.get(day)
    if exception is not None:
        if exception.kind == ExceptionKind.CLOSED:
            return []
        return [
            _slot(
                day,
                exception.opens,
                exception.closes,
                zone,
                address=exception.address,
                lat=exception.lat,
                lng=exception.lng,
            )
        ]
    return sorted(
        (
            _slot(day, h.opens, h.closes, zone, address=h.address, lat=h.lat, lng=h.lng)
            for h in hours
            if h.weekday == day.weekday()
        ),
        key=lambda slot: slot.starts_at,
    )


def slots_between(
    *, zone: ZoneInfo, hours: Iterable[OpeningHours], exceptions: Iterable[ScheduleException], first: date, last: date
) -> list[Slot]:
    """Every slot starting on a local day from `first` to `last`, both included, in order."""
    hours = list(hours)
    by_date = {exception.date: exception for exception in exceptions}
    slots: list[Slot] = []
    day = first
    while day <= last:
        slots.extend(slots_for_day(day, zone=zone, hours=hours, exceptions=by_date))
        day += timedelta(days=1)
    return slots


def _place_slots(place, moment: datetime, *, days_before: int, days_after: int) -> list[Slot]:
    zone = ZoneInfo(place.time_zone)
    today = moment.astimezone(zone).date()
    return slots_between(
        zone=zone,
        hours=place.opening_hours.all(),
        exceptions=place.schedule_exceptions.all(),
        first=today - timedelta(days=days_before),
        last=today + timedelta(days=days_after),
    )


def current_slot(place, moment: datetime) -> Slot | None:
    """The scheduled slot the place is in at `moment`, if any."""
    for slot in _place_slots(place, moment, days_before=1, days_after=0):
        if slot.contains(moment):
            return slot
    return None


def next_opening(place, moment: datetime, *, horizon_days: int = 14) -> Slot | None:
    """The slot the place is in now, or else the next one to start within `horizon_days`."""
    return next_opening_of(
        time_zone=place.time_zone,
        hours=place.opening_hours.all(),
        exceptions=place.schedule_exceptions.all(),
        moment=moment,
        horizon_days=horizon_days,
    )


def next_opening_of(
    *, time_zone: str, hours: Iterable, exceptions: Iterable, moment: datetime, horizon_days: int = 14
) -> Slot | None:
    """next_opening() from rows (model instances or HoursRow / ExceptionRow): the slots from local
    yesterday on, day by day, stopping at the first that has not ended (a card asks 15 days, and
    most places answer on the first or second).

    The same slots as slots_for_day() gives, read on the hot path of every list of cards: each
    weekday's hours sorted once by their opening (in one zone that is their order by start), and a
    Slot built only for the one returned."""
    by_weekday: dict[int, list] = {}
    for row in hours:
        by_weekday.setdefault(row.weekday, []).append(row)
    by_date = {exception.date: exception for exception in exceptions}
    if not by_weekday and not by_date:
        return None
    for rows in by_weekday.values():
        rows.sort(key=_opens)
    zone = ZoneInfo(time_zone)
    today = moment.astimezone(zone).date()
    day, last = today - timedelta(days=1), today + timedelta(days=horizon_days)
    one_day = timedelta(days=1)
    while day <= last:
        exception = by_date.get(day)
        if exception is not None:
            rows = () if exception.kind == ExceptionKind.CLOSED else (exception,)
        else:
            rows = by_weekday.get(day.weekday(), ())
        for row in rows:
            end_day = day + one_day if row.closes <= row.opens else day
            if datetime.combine(end_day, row.closes, tzinfo=zone) > moment:
                return _slot(day, row.opens, row.closes, zone, address=row.address, lat=row.lat, lng=row.lng)
        day += one_day
    return None


def _opens(row) -> time:
    return row.opens


def last_closing(place, moment: datetime) -> datetime | None:
    """When the most recent slot that has already ended ended (looking back one week)."""
    ended = [
        slot.ends_at for slot in _place_slots(place, moment, days_before=8, days_after=0) if slot.ends_at <= moment
    ]
    return max(ended) if ended else None
