"""The change bus: what happened to a place's live state, told to whoever listens, after commit.

The services that change a place's state (check-in and move, the open switch and its stale-open
job, going inactive, an item sold out or back, today's schedule) call `publish(...)` inside their
transaction; the change is handed to the subscribers only when that transaction commits (never
through model signals), and a subscriber that fails (Redis down, a bug) is logged and skipped: the
write that caused the change has committed and its request still succeeds.

Subscribers register in code, from their app's `AppConfig.ready()` (`changes.subscribe(fn)`), so
the live streams (live/) and later the followers' alerts hook in without trucks importing upward.
`publish` also writes the change to the change log (trucks.models.PlaceChangeRecord) inside the
transaction, before commit: the catch-up feed (trucks.catch_up) then never misses a committed change.
A subscriber runs in the committing process, right after commit: it must be quick (a Redis publish
with short timeouts) or hand its work to a Celery task (`delay_on_commit` is not needed there: the
change is already committed).
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from trucks.models import PlaceChangeRecord

logger = logging.getLogger(__name__)


class ChangeKind(StrEnum):
    CHECKED_IN = "checked_in"  # a check-in that neither moved the place nor flipped its switch
    MOVED = "moved"
    OPENED = "opened"
    CLOSED = "closed"  # by the vendor, or by the stale-open switch (`by_stale_switch`)
    WENT_INACTIVE = "went_inactive"
    ITEM_SOLD_OUT = "item_sold_out"
    ITEM_BACK = "item_back"
    SCHEDULE_CHANGED = "schedule_changed"  # today's hours or exceptions changed


@dataclass(frozen=True)
class PlaceChange:
    """One change of one place, with its live state after the change (lat/lng None: no location).

    `previous_lat`/`previous_lng` are where it was before a move, so a map holding the old spot
    learns that the truck left it. `change_id` names this one change (a new UUID each): a subscriber
    that may run twice (a retried alerts task) keys its work on it.
    """

    kind: ChangeKind
    place_id: int
    is_open: bool
    lat: float | None
    lng: float | None
    at: datetime
    previous_lat: float | None = None
    previous_lng: float | None = None
    item_id: int | None = None
    by_stale_switch: bool = False
    change_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def as_json(self) -> dict:
        """The change as the streams send it: plain JSON types, None fields left out (and the change's
        id, which is for the subscribers in the process: a stream event has its own id)."""
        data = asdict(self)
        del data["change_id"]
        data["kind"] = str(self.kind)
        data["at"] = self.at.isoformat()
        return {key: value for key, value in data.items() if value is not None and value is not False} | {
            "is_open": self.is_open
        }

    def positions(self) -> list[tuple[float, float]]:
        """Where the change is seen: the place's position and, after a move, its previous one."""
        spots = []
        if self.lat is not None and self.lng is not None:
            spots.append((self.lat, self.lng))
        if self.previous_lat is not None and self.previous_lng is not None:
            spots.append((self.previous_lat, self.previous_lng))
        return spots


Subscriber = Callable[[PlaceChange], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Register `subscriber` (once; usable as a decorator). Call it from an AppConfig.ready()."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def subscribers() -> tuple[Subscriber, ...]:
    return tuple(_subscribers)


def publish(change: PlaceChange) -> None:
    """Log `change` in the current transaction (the catch-up feed reads the log), and tell the
    subscribers once it commits (now, outside one)."""
    PlaceChangeRecord.objects.create(place_id=change.place_id, kind=str(change.kind))
    transaction.on_commit(lambda: deliver(change))


def publish_all(batch: list[PlaceChange]) -> None:
    """`publish` for a batch of changes: one INSERT logs them all (the stale-open switch's batches)."""
    PlaceChangeRecord.objects.bulk_create(
        [PlaceChangeRecord(place_id=change.place_id, kind=str(change.kind)) for change in batch]
    )
    for change in batch:
        transaction.on_commit(lambda change=change: deliver(change))


def deliver(change: PlaceChange) -> None:
    """Hand `change` to every subscriber; one that raises is logged and the others still run."""
    for subscriber in tuple(_subscribers):
        try:
            subscriber(change)
        except Exception:
            name = getattr(subscriber, "__qualname__", repr(subscriber))
            logger.exception("change subscriber failed", extra={"subscriber": name, "place_id": change.place_id})


def place_change(place, kind: ChangeKind, *, at: datetime | None = None, **extra) -> PlaceChange:
    """A PlaceChange of `kind` carrying `place`'s current live state."""
    return PlaceChange(
        kind=kind,
        place_id=place.pk,
        is_open=bool(place.is_open),
        lat=place.lat,
        lng=place.lng,
        at=at or timezone.now(),
        **extra,
    )
