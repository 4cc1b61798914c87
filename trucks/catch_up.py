"""Catch-up for apps that were offline: the places changed since a cursor, and data versions for ETags.

The change log (PlaceChangeRecord) is written inside the transactions that change places. Its
records are read in (xid, id) order, `xid` being the writing transaction's id. Transaction ids are
handed out when a transaction first writes, not when it commits: A may take xid 100, B xid 101,
B commit first and A a second later. A cursor "after 101" would then skip A for ever. So the feed
hands out only records of transactions below the **horizon**: the oldest transaction still running
that could write a record, i.e. the oldest in-progress xid of the current snapshot that is neither
another database's (xids are server-wide, but a backend writes to one database only) nor marked by
`declare_no_place_changes` (the nightly roll-up), else the snapshot's xmax. Every transaction below
it has ended or can never write the log, so no record can still appear below it, and a cursor below
it is final. A transaction of this database that stays open holds the horizon (and the feed) back
until it ends: the price of never skipping.

A cursor is "<xid>.<id>": the position of the last record handed out, or (horizon, 0) when the
feed had nothing more. Pruning (`change_log_prune`, daily beat) remembers the newest position it
removed; a cursor below it may have missed records and is refused (CursorExpired → 410, resync).
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS as PRIMARY
from django.db import connection, connections, router, transaction

from trucks.change_horizon import HORIZON_EXPRESSION, NO_PLACE_CHANGES_APPLICATION_NAME
from trucks.models import PlaceChangeLogHorizon, PlaceChangeRecord
from trucks.search import place_cards_by_ids

_CURSOR = re.compile(r"^(\d{1,19})\.(\d{1,19})$")
_HORIZON_SQL = f"SELECT {HORIZON_EXPRESSION}"
# The page: each place once, at its newest record after the cursor and below the horizon, oldest first.
_PAGE_SQL = """
SELECT place_id, xid, id FROM (
    SELECT DISTINCT ON (place_id) place_id, xid, id FROM trucks_placechangerecord
    WHERE (xid, id) > (%(xid)s, %(id)s) AND xid < %(horizon)s
    ORDER BY place_id, xid DESC, id DESC
) AS newest
ORDER BY xid, id
LIMIT %(limit)s
"""


class CursorInvalid(ValueError):
    """The cursor is not one this feed hands out (400)."""


class CursorExpired(Exception):
    """The records after the cursor were pruned, or the cursor is ahead of this database (410)."""


@dataclass(frozen=True, order=True)
class Cursor:
    xid: int
    id: int

    @classmethod
    def parse(cls, text: str) -> "Cursor":
        match = _CURSOR.match(text)
        if match is None:
            raise CursorInvalid("Not a cursor of this feed: use the next_cursor of an earlier answer.")
        xid, id_ = int(match[1]), int(match[2])
        if xid >= 2**63 or id_ >= 2**63:
            raise CursorInvalid("Not a cursor of this feed: use the next_cursor of an earlier answer.")
        return cls(xid, id_)

    def __str__(self) -> str:
        return f"{self.xid}.{self.id}"


@dataclass(frozen=True)
class ChangesPage:
    places: list[dict]  # current cards of the places still shown, in the order of their last change
    removed: list[int]  # ids of the places that went inactive or were deleted
    next_cursor: Cursor
    has_more: bool


def declare_no_place_changes(cursor) -> None:
    """Promise, for the rest of the current transaction, to write no place (so no change-log record):
    the feed and the ETags then stop waiting for it. For long transactions of other kinds (the nightly
    roll-up); never for one that may touch a place, whose records the feed would skip."""
    cursor.execute("SELECT set_config('application_name', %s, true)", [NO_PLACE_CHANGES_APPLICATION_NAME])


def change_log_horizon() -> int:
    """Every transaction below this id has ended or writes no place: log records below it are final."""
    with connection.cursor() as cursor:
        cursor.execute(_HORIZON_SQL)
        return cursor.fetchone()[0]


def current_cursor() -> Cursor:
    """Where an app starts: ask it before loading the map, then read the changes from here."""
    return Cursor(change_log_horizon(), 0)


def places_changed_since(*, since: Cursor | None, limit: int) -> ChangesPage:
    """The places whose log records follow `since` (each once, by its newest record), `limit` at most.

    Without `since` nothing is listed: the answer is the current cursor. Raises CursorExpired when
    `since` is below the pruned horizon or ahead of the transactions this database has seen.
    """
    horizon = change_log_horizon()
    # on the primary, as every read here (`connection`): a replica lags behind the horizon just read
    pruned_at = PlaceChangeLogHorizon.objects.using(PRIMARY).filter(pk=1).values_list("pruned_xid", "pruned_id").first()
    pruned = Cursor(*pruned_at) if pruned_at is not None else Cursor(0, 0)
    if since is None:
        # A start is never below what was pruned (a long transaction may hold the horizon under it).
        return ChangesPage(places=[], removed=[], next_cursor=max(Cursor(horizon, 0), pruned), has_more=False)
    if since > max(Cursor(horizon, 0), pruned):
        raise CursorExpired("This cursor is ahead of the server's change log.")
    if since < pruned:
        raise CursorExpired("The changes after this cursor are no longer kept.")
    with connection.cursor() as cursor:
        cursor.execute(_PAGE_SQL, {"xid": since.xid, "id": since.id, "horizon": horizon, "limit": limit + 1})
        rows = cursor.fetchall()
    has_more = len(rows) > limit
    rows = rows[:limit]
    place_ids = [row[0] for row in rows]
    cards = place_cards_by_ids(place_ids)
    shown = {card["id"] for card in cards}
    # Not full: everything below the horizon was handed out (never step back behind `since`, which a
    # start at the pruned position may be ahead of the horizon).
    next_cursor = Cursor(rows[-1][1], rows[-1][2]) if has_more else max(Cursor(horizon, 0), since)
    return ChangesPage(
        places=cards,
        removed=[place_id for place_id in place_ids if place_id not in shown],
        next_cursor=next_cursor,
        has_more=has_more,
    )


# --- versions for ETags ---------------------------------------------------------------------------

_PLACE_VERSION_SQL = f"""
SELECT max(xid) FROM trucks_placechangerecord
WHERE place_id = %s AND xid < {HORIZON_EXPRESSION}
"""  # nosec B608 # noqa: S608 - constants only
_LOG_VERSION_SQL = f"""
SELECT max(xid) FROM trucks_placechangerecord
WHERE xid < {HORIZON_EXPRESSION}
"""  # nosec B608 # noqa: S608 - constants only


def _read_connection():
    """Where the reads of the answer go (the replica, when there is one and no transaction is open).

    A version read there is never newer than the data read after it (there or on the primary), so
    an ETag never stands for data the answer does not hold yet.
    """
    return connections[router.db_for_read(PlaceChangeRecord)]


def place_data_version(place_id: int) -> int:
    """The newest transaction below the horizon that changed the place (0: none kept).

    A change committed after this was read has an xid at or above the horizon of the read, so once
    it is below the horizon the version is bigger: the version never stays put over a change.
    (Comparing record ids instead would not do: ids are taken in insert order, not commit order.)
    """
    with _read_connection().cursor() as cursor:
        cursor.execute(_PLACE_VERSION_SQL, [place_id])
        return cursor.fetchone()[0] or 0


def change_log_version() -> int:
    """The newest transaction below the horizon that changed any place (the search pages' ETags)."""
    with _read_connection().cursor() as cursor:
        cursor.execute(_LOG_VERSION_SQL)
        return cursor.fetchone()[0] or 0


# --- pruning --------------------------------------------------------------------------------------

_PRUNE_SQL = """
WITH gone AS (
    DELETE FROM trucks_placechangerecord WHERE created_at < %s RETURNING xid, id
)
SELECT (SELECT count(*) FROM gone), newest.xid, newest.id
FROM (SELECT 1) AS one
LEFT JOIN (SELECT xid, id FROM gone ORDER BY xid DESC, id DESC LIMIT 1) AS newest ON true
"""


@transaction.atomic
def change_log_prune(*, now: datetime) -> int:
    """Delete the records older than CATCH_UP_RETENTION_DAYS; cursors below them then answer 410.

    Idempotent: a rerun deletes nothing more and leaves the pruned horizon where it is.
    """
    cutoff = now - timedelta(days=settings.CATCH_UP_RETENTION_DAYS)
    horizon, _ = PlaceChangeLogHorizon.objects.select_for_update().get_or_create(pk=1)
    with connection.cursor() as cursor:
        cursor.execute(_PRUNE_SQL, [cutoff])
        deleted, newest_xid, newest_id = cursor.fetchone()
    if deleted and Cursor(newest_xid, newest_id) > Cursor(horizon.pruned_xid, horizon.pruned_id):
        horizon.pruned_xid, horizon.pruned_id = newest_xid, newest_id
        horizon.save(update_fields=["pruned_xid", "pruned_id"])
    return deleted
