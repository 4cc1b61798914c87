"""The app's event batches: validation rules and the idempotent bulk insert.

A client's VIEW event is the dwell report of a view the server already counted (the detail
read records a VIEW itself), so a client VIEW must carry dwell_ms and is counted in the average
dwell only; CLICK and NEARBY_DETECTION are counted as they come and carry no dwell.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import connection
from django.utils import timezone

from analytics.models import InteractionType, UserInteraction
from trucks.models import Place

MAX_BATCH = 100
MAX_DWELL_MS = 86_400_000
CLIENT_TYPES = (InteractionType.CLICK, InteractionType.NEARBY_DETECTION, InteractionType.VIEW)


@dataclass(frozen=True)
class IngestResult:
    accepted: int
    duplicates: int


@dataclass(frozen=True)
class ClientEvent:
    client_id: UUID
    place_id: int
    type: str
    occurred_at: datetime
    lat: float | None = None
    lng: float | None = None
    dwell_ms: int | None = None


def occurred_at_bounds(*, now: datetime) -> tuple[datetime, datetime]:
    """The oldest and newest event time accepted at `now`."""
    return (
        now - timedelta(days=settings.ANALYTICS_EVENT_MAX_AGE_DAYS),
        now + timedelta(minutes=settings.ANALYTICS_EVENT_MAX_FUTURE_MINUTES),
    )


def _as_id(value) -> int | None:
    """An id as the API's integer field reads it (12 or "12"); anything else is left to validation."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def active_place_ids(place_ids: Iterable) -> set[int]:
    """Which of these places exist and are shown to consumers (one query)."""
    ids = {place_id for place_id in map(_as_id, place_ids) if place_id is not None}
    if not ids:
        return set()
    return set(Place.objects.order_by().filter(pk__in=ids, is_active=True).values_list("pk", flat=True))


def events_ingest(*, user_id: int, events: list[ClientEvent]) -> IngestResult:
    """Store a validated batch once: events whose client_id is already stored (a retry) or repeated
    within the batch are duplicates; the answer counts what this call inserted.

    The batch is one INSERT statement (atomic by itself). The events table is partitioned by day, so
    its unique key is (client_id, occurred_at): a retry repeats both and conflicts in its own day's
    partition, even against a concurrent upload. A client id stored with another time is refused
    too, as long as that time is inside the acceptance window (ANALYTICS_EVENT_MAX_AGE_DAYS): the
    statement probes only that window's partitions. Older events are refused by validation, so a
    client id can repeat only across events more than the window apart."""
    received_at = timezone.now()
    unique: dict[UUID, ClientEvent] = {}
    for event in events:
        unique.setdefault(event.client_id, event)
    rows = list(unique.values())
    accepted = _insert_postgresql(
        user_id=user_id, rows=rows, received_at=received_at, window=occurred_at_bounds(now=received_at)
    )
    return IngestResult(accepted=accepted, duplicates=len(events) - accepted)


def _insert_postgresql(
    *, user_id: int, rows: list[ClientEvent], received_at: datetime, window: tuple[datetime, datetime]
) -> int:
    """One INSERT ... ON CONFLICT DO NOTHING RETURNING: exact count even against a concurrent retry."""
    if not rows:
        return 0
    table = UserInteraction._meta.db_table
    sql = f"""
        INSERT INTO {table} (client_id, user_id, place_id, type, occurred_at, received_at, lat, lng, dwell_ms)
        SELECT e.client_id, %s, e.place_id, e.type, e.occurred_at, %s, e.lat, e.lng, e.dwell_ms
        FROM unnest(%s::uuid[], %s::bigint[], %s::varchar[], %s::timestamptz[],
                    %s::float8[], %s::float8[], %s::int[])
             AS e(client_id, place_id, type, occurred_at, lat, lng, dwell_ms)
        WHERE NOT EXISTS (
            SELECT 1 FROM {table} stored
            WHERE stored.client_id = e.client_id AND stored.occurred_at >= %s AND stored.occurred_at <= %s
        )
        ON CONFLICT (client_id, occurred_at) DO NOTHING
        RETURNING 1
    """  # nosec B608 # noqa: S608 - the table name comes from the model, values are parameters
    params = [
        user_id,
        received_at,
        [row.client_id for row in rows],
        [row.place_id for row in rows],
        [str(row.type) for row in rows],
        [row.occurred_at for row in rows],
        [row.lat for row in rows],
        [row.lng for row in rows],
        [row.dwell_ms for row in rows],
        *window,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())
