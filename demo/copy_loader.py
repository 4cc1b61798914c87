"""Bulk loading for the demo: rows as tab-separated text into PostgreSQL's `COPY ... FROM STDIN`
(psycopg 3 `cursor.copy()`), in chunks, so a million places and ten million events never sit in memory."""

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import islice

from django.db import connection, transaction
from django.db.models import Max
from psycopg.copy import QueuedLibpqWriter

NULL = "\\N"  # COPY's text-format NULL
CHUNK_ROWS = 100_000


def copy_ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S+00")


def copy_bool(value: bool) -> str:
    return "t" if value else "f"


class CopyLoader:
    """COPY FROM STDIN; rows are tuples of COPY-text strings.

    A large load (`bulk=True`) drops the table's secondary indexes, unique and
    foreign-key constraints first and puts them back afterwards, as pg_restore does: one sort per
    index and one join per foreign key instead of a lookup per row. Putting them back checks every
    row, so a bad row still fails the seed. Check constraints stay on (cheap, per row). The whole
    table load is one transaction (no foreign-key trigger queue builds up: those constraints are off).
    """

    def __init__(self, progress: Callable[[int], None]):
        self.progress = progress
        with connection.cursor() as cursor:
            # Demo data can be regenerated: do not wait for the WAL flush of every chunk.
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET maintenance_work_mem = '256MB'")

    def load(self, model, columns: list[str], rows: Iterable[tuple[str, ...]], *, bulk: bool = False) -> int:
        if bulk:
            # One transaction: if the process dies mid-load, the dropped indexes come back with the rollback.
            with transaction.atomic(), without_secondary_indexes(model):
                return self._load(model, columns, rows)
        return self._load(model, columns, rows)

    def _load(self, model, columns: list[str], rows: Iterable[tuple[str, ...]]) -> int:
        total = 0
        iterator = iter(rows)
        table = connection.ops.quote_name(model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in columns)
        statement = f"COPY {table} ({cols}) FROM STDIN"
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor
            while True:
                loaded = 0
                # One transaction per chunk; a writer thread sends while the next rows are made.
                with transaction.atomic(), raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
                    for batch in iter(lambda: list(islice(iterator, 10_000)), []):
                        copy.write("".join(["\t".join(row) + "\n" for row in batch]))
                        loaded += len(batch)
                        self.progress(len(batch))
                        if loaded >= CHUNK_ROWS:
                            break
                total += loaded
                if loaded < CHUNK_ROWS:
                    break
        return total

    def reset_sequence(self, model) -> None:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1)) FROM {table}",  # nosec B608 # noqa: S608
                [table],
            )


@contextmanager
def without_secondary_indexes(model):
    """Drop a table's unique/foreign-key constraints and non-primary indexes; recreate them after."""
    table = model._meta.db_table
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        # Inside one transaction (a small seed), deferred foreign-key checks of rows written so far
        # are still pending, and PostgreSQL refuses to ALTER a table with pending trigger events:
        # run those checks now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC, conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype = 'u') "
            "ORDER BY i.relname",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                # A partitioned table's index reads "ON ONLY table": made again, it must cover the partitions.
                cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
            for name, definition in reversed(constraints):
                cursor.execute(f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
            cursor.execute(f"ANALYZE {quoted}")


def next_id(model) -> int:
    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1
