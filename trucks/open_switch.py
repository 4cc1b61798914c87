"""Switching off stale "open" switches: no truck stays open by mistake after its closing time.

A place is stale when its open switch is on and, outside any scheduled slot,
- its last scheduled slot ended more than OPEN_SWITCH_GRACE_MINUTES ago and it has not checked in
  since that closing (a check-in stamps open_changed_at / location_updated_at), or
- it has not checked in for OPEN_SWITCH_UNSCHEDULED_HOURS (a place with no schedule, or one
  opened outside its schedule, is not trusted to be open forever).
A place inside a scheduled slot is never switched off.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from trucks import changes
from trucks.changes import ChangeKind, PlaceChange
from trucks.models import Place
from trucks.schedule import current_slot, last_closing


@dataclass(frozen=True)
class OpenSwitchRules:
    grace: timedelta
    unscheduled: timedelta

    @classmethod
    def from_settings(cls) -> "OpenSwitchRules":
        return cls(
            grace=timedelta(minutes=settings.OPEN_SWITCH_GRACE_MINUTES),
            unscheduled=timedelta(hours=settings.OPEN_SWITCH_UNSCHEDULED_HOURS),
        )


def _last_check_in(place: Place) -> datetime | None:
    stamps = [stamp for stamp in (place.open_changed_at, place.location_updated_at) if stamp is not None]
    return max(stamps) if stamps else None


def place_is_stale_open(place: Place, *, now: datetime, rules: OpenSwitchRules) -> bool:
    """Whether an open place should be switched off at `now` (its schedule rows prefetched)."""
    if current_slot(place, now) is not None:
        return False
    checked_in = _last_check_in(place)
    if checked_in is None:
        return True
    closing = last_closing(place, now)
    if closing is not None and checked_in < closing and now >= closing + rules.grace:
        return True
    return now - checked_in >= rules.unscheduled


def open_places_to_check(*, now: datetime, rules: OpenSwitchRules, after_id: int, limit: int) -> list[Place]:
    """The next batch of open places that could be stale, with their schedules prefetched.

    Served by the partial index place_open_idx (is_open): a place whose switch changed within
    the grace period cannot be stale yet.
    """
    return list(
        Place.objects.filter(is_open=True, pk__gt=after_id)
        .filter(Q(open_changed_at__lt=now - rules.grace) | Q(open_changed_at__isnull=True))
        .only("id", "time_zone", "is_open", "open_changed_at", "location_updated_at")
        .prefetch_related("opening_hours", "schedule_exceptions")
        .order_by("pk")[:limit]
    )


def places_switch_off_stale(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Switch off every stale open place, a bounded batch at a time; returns how many were switched off.

    Each batch ends with one conditional UPDATE that matches a place only while its switch is on
    and open_changed_at is still the value read, so a check-in made meanwhile wins.
    """
    now = now or timezone.now()
    rules = OpenSwitchRules.from_settings()
    switched = 0
    after_id = 0
    while True:
        batch = open_places_to_check(now=now, rules=rules, after_id=after_id, limit=batch_size)
        if not batch:
            return switched
        after_id = batch[-1].pk
        stale = [place for place in batch if place_is_stale_open(place, now=now, rules=rules)]
        if stale:
            switched += _switch_off(stale, now=now)
        if len(batch) < batch_size:
            return switched


# One statement switches off the places whose switch is still as read and answers which it switched:
# a check-in that committed meanwhile changed open_changed_at, so its row no longer matches (PostgreSQL
# re-checks the WHERE on the newest row version after waiting for the check-in's lock).
_SWITCH_OFF_SQL = """
UPDATE trucks_place AS place SET is_open = false, open_changed_at = %s, updated_at = %s
FROM unnest(%s::bigint[], %s::timestamptz[]) AS seen(id, open_changed_at)
WHERE place.id = seen.id AND place.is_open AND place.open_changed_at IS NOT DISTINCT FROM seen.open_changed_at
RETURNING place.id, place.lat, place.lng
"""


def _switch_off(stale: list[Place], *, now: datetime) -> int:
    """Switch off the `stale` places whose switch nobody touched since they were read, and tell the
    change bus each one closed (after commit)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _SWITCH_OFF_SQL, [now, now, [place.pk for place in stale], [place.open_changed_at for place in stale]]
        )
        rows = cursor.fetchall()
    changes.publish_all(
        [
            PlaceChange(
                kind=ChangeKind.CLOSED, place_id=pk, is_open=False, lat=lat, lng=lng, at=now, by_stale_switch=True
            )
            for pk, lat, lng in sorted(rows)
        ]
    )
    return len(rows)
