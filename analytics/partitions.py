"""The raw events table is partitioned by range on `occurred_at`: one partition per UTC day, and a
default partition that catches an event of a day that has none (a back-filled or test event).

The hourly beat job creates the partitions ahead (`event_partitions_ahead`); retention detaches and
drops whole days (`event_partitions_drop_before`): a catalog change, whatever the day's size. Each
DDL statement waits at most LOCK_TIMEOUT for its lock (it needs the parent table's lock for a moment,
and a long read holds it): on a timeout the statement gives up and the next run tries again.

Partitions are named `<table>_pYYYYMMDD` and hold [day 00:00 UTC, next day 00:00 UTC).
"""

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction

from analytics.models import UserInteraction

logger = logging.getLogger(__name__)

LOCK_TIMEOUT = "5s"


def table() -> str:
    return UserInteraction._meta.db_table


def default_partition() -> str:
    return f"{table()}_default"


def partition_name(day: date) -> str:
    return f"{table()}_p{day:%Y%m%d}"


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class DayPartition:
    name: str
    day: date

    @property
    def upper_bound(self) -> datetime:
        """The partition holds events before this instant (next UTC midnight)."""
        return day_start(self.day + timedelta(days=1))


def event_partitions() -> list[DayPartition]:
    """The day partitions of the events table, oldest first (the default partition not included)."""
    pattern = re.compile(rf"^{re.escape(table())}_p(\d{{8}})$")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [table()],
        )
        names = [name for (name,) in cursor.fetchall()]
    found = []
    for name in names:
        match = pattern.match(name)
        if match:
            found.append(DayPartition(name, datetime.strptime(match.group(1), "%Y%m%d").date()))  # noqa: DTZ007
    return sorted(found, key=lambda partition: partition.day)


def _lock_timeout(cursor) -> None:
    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])


def event_partition_create(day: date) -> bool:
    """Create the partition of one UTC day unless it exists; answer whether it was created.

    Events of that day already in the default partition move into the new one in the same
    transaction (PostgreSQL refuses a partition whose rows sit in the default partition).
    """
    name = partition_name(day)
    quote = connection.ops.quote_name
    lo, hi = day_start(day), day_start(day + timedelta(days=1))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            return False
        _lock_timeout(cursor)
        # The moved rows wait in a temporary table; the new partition is then created without
        # conflict and they are inserted back through the parent (ids and client ids kept).
        cursor.execute(
            f"CREATE TEMPORARY TABLE partition_moved ON COMMIT DROP AS "  # nosec B608 # noqa: S608
            f"WITH moved AS (DELETE FROM {quote(default_partition())} "
            f"WHERE occurred_at >= %s AND occurred_at < %s RETURNING *) SELECT * FROM moved",
            [lo, hi],
        )
        cursor.execute(
            f"CREATE TABLE {quote(name)} PARTITION OF {quote(table())} FOR VALUES FROM (%s) TO (%s)", [lo, hi]
        )
        cursor.execute(f"INSERT INTO {quote(table())} SELECT * FROM partition_moved")  # nosec B608 # noqa: S608
        moved = cursor.rowcount
        # Dropped now: the caller's transaction may create more partitions before it commits.
        cursor.execute("DROP TABLE partition_moved")
    if moved:
        logger.info("events partition %s created, %s events moved from the default partition", name, moved)
    return True


def event_partitions_ensure(*, first: date, last: date) -> list[str]:
    """Make sure every UTC day of [first, last] has its partition; answer the ones created."""
    created = []
    day = first
    while day <= last:
        if event_partition_create(day):
            created.append(partition_name(day))
        day += timedelta(days=1)
    return created


def event_partitions_ahead(*, now: datetime) -> list[str]:
    """The beat job's work: partitions from the oldest day the events API accepts to
    ANALYTICS_EVENT_PARTITIONS_AHEAD_DAYS ahead. Idempotent: existing days are left alone."""
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=settings.ANALYTICS_EVENT_MAX_AGE_DAYS + 1)
    return event_partitions_ensure(
        first=first, last=today + timedelta(days=settings.ANALYTICS_EVENT_PARTITIONS_AHEAD_DAYS)
    )


def event_partitions_drop_before(*, bound: datetime) -> list[DayPartition]:
    """Detach and drop every day partition whose events are all older than `bound`; answer them.

    Each day is its own transaction: DETACH takes the parent's lock for a moment, DROP removes
    the files (no row is read, whatever the day's size).
    """
    quote = connection.ops.quote_name
    dropped = []
    for partition in event_partitions():
        if partition.upper_bound > bound:
            break
        with transaction.atomic(), connection.cursor() as cursor:
            _lock_timeout(cursor)
            # Deferred foreign-key checks of rows written earlier in an enclosing transaction (a
            # test, a command) must run first: PostgreSQL refuses to drop a table they wait on.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {quote(table())} DETACH PARTITION {quote(partition.name)}")
            cursor.execute(f"DROP TABLE {quote(partition.name)}")
        dropped.append(partition)
        logger.info("events partition %s dropped (retention)", partition.name)
    return dropped


def default_partition_delete_before(*, bound: datetime, batch_size: int) -> int:
    """Delete the default partition's events older than `bound`, in batches (each a transaction).

    The default partition holds only events of days without a partition (few): a DELETE is fine.
    """
    quote = connection.ops.quote_name
    deleted = 0
    sql = (
        f"DELETE FROM {quote(default_partition())} WHERE id IN ("  # nosec B608 # noqa: S608
        f"SELECT id FROM {quote(default_partition())} WHERE occurred_at < %s ORDER BY occurred_at LIMIT %s)"
    )
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [bound, batch_size])
            count = cursor.rowcount
        deleted += count
        if count < batch_size:
            return deleted
