"""The daily roll-up: the raw events of one LOCAL day -> DailyPlaceStats (with the heat-map cells).

A place's day runs from its own local midnight to the next (the place's IANA zone), so one
calendar `day` covers a different UTC window in each zone. Every query first narrows the raw
events to the UTC window that covers the day in all zones in use (an index range on
`occurred_at`), then keeps the events inside their own zone's local day.

The roll-up recomputes a whole day and overwrites it, so running it twice, or again after late
events arrived, gives the same rows as running it once. It is one set-based statement (stats and
heat-map cells, one row per place and day) under a transaction-scoped advisory lock keyed on the
day: a second run of the same day (a redelivered task racing the beat's requeue) waits for the
first, then recomputes. The first run of a day writes with a plain INSERT (nothing to compare with
or to delete).

A run whose worker died stays "running" until the beat (or the next run of its day) finds it past
the roll-up's hard time limit and marks it abandoned; the day is then due again (docs/analytics.md).
"""

import logging
import time as monotonic_time
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from analytics import partitions
from analytics.models import (
    DailyPlaceStats,
    LateEventScan,
    RollupRun,
    RollupStatus,
    UserInteraction,
)
from trucks.catch_up import declare_no_place_changes
from trucks.models import Place

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock(namespace, day ordinal): two workers never roll up the same day at once.
ROLLUP_LOCK_NAMESPACE = 0x524F4C4C  # "ROLL"
# Widen the index range by this much: each zone's exact local-day bounds filter inside it.
WINDOW_MARGIN = timedelta(hours=1)
# A late event committed this long after its received_at stamp is still noticed (see days_due).
LATE_EVENT_MARGIN = timedelta(minutes=10)
# How often the roll-up's database backend checks that its worker is still connected, even while it
# waits for a lock: a killed worker's backend then rolls back and gives the day's lock back within
# seconds, instead of holding it until its statement ends (or forever, if it waits for a lock).
CLIENT_CONNECTION_CHECK_INTERVAL = "2s"

HOURS = range(24)
# The roll-up's work_mem (its transaction only): a day of 5 M events over a million places materializes
# ~300 MB of events and its per-place hash aggregate needs ~700 MB (twice work_mem is its limit);
# with less they spill to disk and the first run took 2.5x the hand-written statement instead of
# about 1.3x (docs/scaling.md). A national day of 50 M events spills anyway: give the roll-up's
# database the memory, or split the day by place range (docs/scaling.md).
ROLLUP_WORK_MEM = "512MB"

# A "view" (`is_view` in the roll-up's statement) is one a server counted (an authenticated detail
# read). The app's VIEW-with-dwell reports the dwell time of a view the server already counted, so
# it adds to the average dwell only, never to the view counts (nothing is counted twice).


@dataclass(frozen=True)
class RollupResult:
    stats_rows: int
    stats_removed: int
    cell_rows: int


# --- local days and their UTC windows -------------------------------------------------------------


def zones_in_use() -> list[str]:
    """Every time zone a place is in (a handful: the US zones)."""
    return sorted(Place.objects.order_by().values_list("time_zone", flat=True).distinct())


def local_midnight(day: date, zone: str) -> datetime:
    """The UTC instant the local `day` starts in `zone`."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def zone_window(day: date, zone: str) -> tuple[datetime, datetime]:
    """A UTC window covering the local `day` in `zone` (with a margin; filter the local date too)."""
    return local_midnight(day, zone) - WINDOW_MARGIN, local_midnight(day + timedelta(days=1), zone) + WINDOW_MARGIN


def day_window(day: date, zones: list[str]) -> tuple[datetime, datetime]:
    """A UTC window covering the local `day` in every one of `zones`."""
    windows = [zone_window(day, zone) for zone in zones or ["UTC"]]
    return min(lo for lo, _ in windows), max(hi for _, hi in windows)


def newest_complete_day(*, now: datetime, zones: list[str]) -> date:
    """The newest local day that has ended in every zone in use."""
    return min(now.astimezone(ZoneInfo(zone)).date() for zone in zones or ["UTC"]) - timedelta(days=1)


@dataclass(frozen=True)
class OffsetSegment:
    """A stretch of a zone's local day with one UTC offset (a DST day has two)."""

    zone: str
    starts_at: datetime
    ends_at: datetime
    utc_offset_seconds: int


def _utc_offset(epoch: int, zone: ZoneInfo) -> int:
    return int(datetime.fromtimestamp(epoch, tz=zone).utcoffset().total_seconds())


def day_segments(day: date, zone: str) -> list[OffsetSegment]:
    """The local `day` in `zone` as UTC stretches of constant offset, split at DST changes."""
    tz = ZoneInfo(zone)
    lo = int(local_midnight(day, zone).timestamp())
    hi = int(local_midnight(day + timedelta(days=1), zone).timestamp())
    segments = []
    start, offset = lo, _utc_offset(lo, tz)
    for probe in range(lo + 900, hi, 900):  # offsets change on quarter hours at most this often
        if _utc_offset(probe, tz) != offset:
            before, after = probe - 900, probe  # bisect to the exact second of the change
            while after - before > 1:
                middle = (before + after) // 2
                before, after = (middle, after) if _utc_offset(middle, tz) == offset else (before, middle)
            segments.append((start, after, offset))
            start, offset = after, _utc_offset(after, tz)
    segments.append((start, hi, offset))
    return [
        OffsetSegment(zone, datetime.fromtimestamp(a, tz=UTC), datetime.fromtimestamp(b, tz=UTC), seconds)
        for a, b, seconds in segments
    ]


# --- the roll-up of one day ------------------------------------------------------------------------


def rollup_day(*, day: date) -> RollupRun:
    """Recompute one local day's statistics and heat-map cells; record the run."""
    started = timezone.now()
    clock = monotonic_time.monotonic()
    # A redelivered task finds its dead predecessor here: record it as abandoned now, not next night.
    rollup_runs_abandon_stale(now=started, day=day)
    run = RollupRun.objects.create(day=day, status=RollupStatus.RUNNING, started_at=started)
    try:
        result = _rollup_day_atomic(day=day, computed_at=started)
    except Exception as exc:
        run.status = RollupStatus.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.finished_at = timezone.now()
        run.duration_ms = int((monotonic_time.monotonic() - clock) * 1000)
        run.save(update_fields=["status", "error", "finished_at", "duration_ms"])
        raise
    run.status = RollupStatus.SUCCEEDED
    run.stats_rows = result.stats_rows
    run.cell_rows = result.cell_rows
    run.finished_at = timezone.now()
    run.duration_ms = int((monotonic_time.monotonic() - clock) * 1000)
    run.save(update_fields=["status", "stats_rows", "cell_rows", "finished_at", "duration_ms"])
    logger.info(
        "roll-up %s: %s stats rows (%s removed), %s cells in %s ms",
        day,
        result.stats_rows,
        result.stats_removed,
        result.cell_rows,
        run.duration_ms,
    )
    return run


@transaction.atomic
def _rollup_day_atomic(*, day: date, computed_at: datetime) -> RollupResult:
    zones = zones_in_use()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('client_connection_check_interval', %s, true)", [CLIENT_CONNECTION_CHECK_INTERVAL]
        )
        # The loser of a race on one day waits here (it never skips: the winner may be a dead
        # worker's backend about to roll back), then recomputes from a snapshot taken after it.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ROLLUP_LOCK_NAMESPACE, day.toordinal()])
        # Minutes long at national scale, and it writes no place: the catch-up feed need not wait for it.
        declare_no_place_changes(cursor)
    return rollup_day_postgresql(day=day, zones=zones, computed_at=computed_at)


def _hour_columns() -> str:
    return ", ".join(f"coalesce(max(h.n) FILTER (WHERE h.view_hour = {hour}), 0)" for hour in HOURS)


ZERO_HOURS = "[" + ", ".join("0" for _ in HOURS) + "]"


def rollup_day_postgresql(*, day: date, zones: list[str], computed_at: datetime) -> RollupResult:
    """Run the roll-up's statement (`rollup_statement`) for one day.

    A day without rows yet (its first run) gets the plain INSERT form of the statement: no lookup of
    old rows, no conflict check, no delete. The caller holds the day's advisory lock, so no other
    run writes the day meanwhile (were a row there after all, the unique constraint fails the run,
    and the retry takes the upsert form).
    """
    stats = DailyPlaceStats._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {stats} WHERE date = %s)", [day])  # nosec B608 # noqa: S608
        (has_rows,) = cursor.fetchone()
        sql, params = rollup_statement(day=day, zones=zones, computed_at=computed_at, first_run=not has_rows)
        # The day's events and the aggregates' hash tables stay in memory (hash tables get twice this).
        cursor.execute("SELECT set_config('work_mem', %s, true)", [ROLLUP_WORK_MEM])
        cursor.execute(sql, params)
        stats_rows, _, stats_removed, cell_rows = cursor.fetchone()
    return RollupResult(stats_rows, stats_removed, cell_rows)


def rollup_statement(
    *, day: date, zones: list[str], computed_at: datetime, first_run: bool = False
) -> tuple[str, dict]:
    """The roll-up as one set-based statement (raw SQL: the ORM cannot say upsert-from-select).

    The events table is partitioned by UTC day: the window's bounds are constants of the statement
    (bound client-side), so the planner reads only the partitions the window touches (two for a
    US day) and skips the default partition when those days have theirs.

    The day's events are read once through the index range on occurred_at. A place's local day
    is matched by UTC bounds per zone (`day_segments`, split at a DST change) instead of a time
    zone conversion of every event, and the local hour is UTC epoch + the segment's offset. The
    events are materialized once (inlined, the 24 hourly FILTERs would recompute each row 24
    times), then aggregated into the stats and the cells (a JSON array in the place's row), and
    written: with `first_run` (the day has no rows) by a plain INSERT; otherwise upserted, only the
    new or changed rows, and the day's rows of places without events any more deleted.
    """
    events = UserInteraction._meta.db_table
    places = Place._meta.db_table
    stats = DailyPlaceStats._meta.db_table
    lo, hi = day_window(day, zones)
    params = {"day": day, "lo": lo, "hi": hi, "computed_at": computed_at}
    segments = [segment for zone in zones for segment in day_segments(day, zone)]
    params["segment_zones"] = [segment.zone for segment in segments]
    params["segment_starts"] = [segment.starts_at for segment in segments]
    params["segment_ends"] = [segment.ends_at for segment in segments]
    params["segment_offsets"] = [segment.utc_offset_seconds for segment in segments]
    view = "ev.is_view"
    aggregates = f"""
        WITH segment AS (
            SELECT * FROM unnest(%(segment_zones)s::text[], %(segment_starts)s::timestamptz[],
                                 %(segment_ends)s::timestamptz[], %(segment_offsets)s::int[])
                AS segment(zone, starts_at, ends_at, utc_offset)
        ),
        ev AS MATERIALIZED (
            SELECT e.place_id, e.user_id, e.type, e.dwell_ms, e.lat, e.lng,
                   e.type = 'VIEW' AND e.dwell_ms IS NULL AS is_view,
                   CASE WHEN e.type = 'VIEW' AND e.dwell_ms IS NULL
                        THEN (floor((date_part('epoch', e.occurred_at) + s.utc_offset) / 3600))::bigint %% 24
                   END AS view_hour
            FROM {events} e
            JOIN {places} p ON p.id = e.place_id
            JOIN segment s ON s.zone = p.time_zone AND e.occurred_at >= s.starts_at AND e.occurred_at < s.ends_at
            WHERE e.occurred_at >= %(lo)s AND e.occurred_at < %(hi)s
        ),
        -- distinct users by de-duplicating first: hash aggregates, no sort per place
        viewers AS (
            SELECT place_id, count(*) AS n
            FROM (SELECT DISTINCT place_id, user_id FROM ev WHERE {view} AND user_id IS NOT NULL) d
            GROUP BY place_id
        ),
        nearby AS (
            SELECT place_id, count(*) AS n
            FROM (SELECT DISTINCT place_id, user_id FROM ev
                  WHERE ev.type = 'NEARBY_DETECTION' AND user_id IS NOT NULL) d
            GROUP BY place_id
        ),
        counts AS (
            SELECT ev.place_id,
                   count(*) FILTER (WHERE ev.type = 'CLICK') AS clicks,
                   count(*) FILTER (WHERE ev.type = 'RATING') AS ratings,
                   avg(ev.dwell_ms)::float8 AS avg_dwell_ms
            FROM ev
            GROUP BY ev.place_id
        ),
        -- views per place and local hour, then 24 columns per place: the 24 FILTERs run over the
        -- (place, hour) pairs instead of over every event
        hours AS (
            SELECT h.place_id, sum(h.n)::bigint AS views, jsonb_build_array({_hour_columns()}) AS views_by_hour
            FROM (SELECT place_id, view_hour, count(*) AS n FROM ev WHERE {view} GROUP BY 1, 2) h
            GROUP BY h.place_id
        ),
        cell_agg AS (
            -- per place, cell and user first, then per cell: distinct users without a sort per cell
            SELECT place_id, cell_lat, cell_lng, sum(n)::int AS events, count(user_id)::int AS users
            FROM (
                SELECT ev.place_id, floor(ev.lat * 100)::int AS cell_lat, floor(ev.lng * 100)::int AS cell_lng,
                       ev.user_id, count(*) AS n
                FROM ev
                WHERE ev.lat IS NOT NULL AND ev.lng IS NOT NULL
                GROUP BY 1, 2, 3, 4
            ) per_user
            GROUP BY 1, 2, 3
        ),
        -- each place's cells as one JSON array, ordered (a re-run compares it as a whole)
        place_cells AS (
            SELECT place_id, count(*) AS n,
                   jsonb_agg(jsonb_build_array(cell_lat, cell_lng, events, users) ORDER BY cell_lat, cell_lng)
                       AS cells
            FROM cell_agg
            GROUP BY place_id
        ),
        agg AS (
            SELECT c.place_id, coalesce(h.views, 0) AS views, coalesce(v.n, 0) AS unique_viewers, c.clicks,
                   c.ratings, coalesce(n.n, 0) AS nearby_users, c.avg_dwell_ms,
                   coalesce(h.views_by_hour, '{ZERO_HOURS}'::jsonb) AS views_by_hour,
                   coalesce(pc.cells, '[]'::jsonb) AS cells, coalesce(pc.n, 0) AS n_cells
            FROM counts c
            LEFT JOIN hours h ON h.place_id = c.place_id
            LEFT JOIN viewers v ON v.place_id = c.place_id
            LEFT JOIN nearby n ON n.place_id = c.place_id
            LEFT JOIN place_cells pc ON pc.place_id = c.place_id
        ),
"""  # nosec B608 # noqa: S608 - table names come from the models, values are parameters
    if first_run:
        writes = f"""
        stats_inserted AS (
            INSERT INTO {stats} (place_id, date, views, unique_viewers, clicks, ratings, nearby_users,
                                 avg_dwell_ms, views_by_hour, cells, computed_at)
            SELECT a.place_id, %(day)s::date, a.views, a.unique_viewers, a.clicks, a.ratings, a.nearby_users,
                   a.avg_dwell_ms, a.views_by_hour, a.cells, %(computed_at)s
            FROM agg a
            RETURNING jsonb_array_length(cells) AS n_cells
        )
        SELECT count(*), count(*), 0, coalesce(sum(n_cells), 0) FROM stats_inserted
    """  # nosec B608 # noqa: S608
    else:
        writes = f"""
        stats_upserted AS (
            INSERT INTO {stats} AS s (place_id, date, views, unique_viewers, clicks, ratings, nearby_users,
                                      avg_dwell_ms, views_by_hour, cells, computed_at)
            SELECT a.place_id, %(day)s::date, a.views, a.unique_viewers, a.clicks, a.ratings, a.nearby_users,
                   a.avg_dwell_ms, a.views_by_hour, a.cells, %(computed_at)s
            FROM agg a
            -- only new or changed rows: one hash join with the day's rows instead of a probe per row
            LEFT JOIN {stats} old ON old.date = %(day)s::date AND old.place_id = a.place_id
            WHERE old.id IS NULL
               OR (old.views, old.unique_viewers, old.clicks, old.ratings, old.nearby_users, old.avg_dwell_ms,
                   old.views_by_hour, old.cells)
                  IS DISTINCT FROM (a.views, a.unique_viewers, a.clicks, a.ratings, a.nearby_users, a.avg_dwell_ms,
                                    a.views_by_hour, a.cells)
            ON CONFLICT (place_id, date) DO UPDATE SET
                views = EXCLUDED.views, unique_viewers = EXCLUDED.unique_viewers, clicks = EXCLUDED.clicks,
                ratings = EXCLUDED.ratings, nearby_users = EXCLUDED.nearby_users,
                avg_dwell_ms = EXCLUDED.avg_dwell_ms, views_by_hour = EXCLUDED.views_by_hour,
                cells = EXCLUDED.cells, computed_at = EXCLUDED.computed_at
            -- a re-run rewrites only the rows whose figures changed (late events)
            WHERE (s.views, s.unique_viewers, s.clicks, s.ratings, s.nearby_users, s.avg_dwell_ms, s.views_by_hour,
                   s.cells)
                IS DISTINCT FROM (EXCLUDED.views, EXCLUDED.unique_viewers, EXCLUDED.clicks, EXCLUDED.ratings,
                                  EXCLUDED.nearby_users, EXCLUDED.avg_dwell_ms, EXCLUDED.views_by_hour,
                                  EXCLUDED.cells)
            RETURNING 1
        ),
        stats_removed AS (
            -- NOT IN, a hashed subplan whatever the estimates: right after a first run the day's rows
            -- are not analyzed yet, and NOT EXISTS became a nested loop re-reading agg for each row
            DELETE FROM {stats} s
            WHERE s.date = %(day)s::date AND s.place_id NOT IN (SELECT agg.place_id FROM agg)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM agg), (SELECT count(*) FROM stats_upserted),
               (SELECT count(*) FROM stats_removed), (SELECT coalesce(sum(n_cells), 0) FROM agg)
    """  # nosec B608 # noqa: S608
    return aggregates + writes, params


# --- which days to roll up, and retention ------------------------------------------------------------


@dataclass(frozen=True)
class DueDays:
    days: list[date]
    late_days: list[date]
    scanned_until: datetime


def days_due(*, now: datetime) -> DueDays:
    """The days the nightly job must (re)compute: the newest complete day; recent days without a
    successful run or whose latest run failed or was abandoned; days an earlier scan found late
    whose re-roll has not succeeded since; and rolled-up days that got late events. A day whose
    latest run is still running within its hard time limit is being rolled up: it is not queued
    again, unless this scan finds new late events for it.

    The events API accepts events up to ANALYTICS_EVENT_MAX_AGE_DAYS old, so a day can change for
    that long after it ended. Late events are found incrementally: only the events received since
    the previous check's watermark (LateEventScan) are read, through the BRIN index on
    received_at; a day is re-rolled when one of them arrived after the day's last successful run.
    """
    zones = zones_in_use()
    newest = newest_complete_day(now=now, zones=zones)
    first = newest - timedelta(days=settings.ANALYTICS_EVENT_MAX_AGE_DAYS)
    runs = RollupRun.objects.filter(day__gte=first, day__lte=newest).order_by("day", "started_at", "id")
    last_success: dict[date, datetime] = {}
    latest: dict[date, tuple[str, datetime]] = {}
    for day, status, started_at in runs.values_list("day", "status", "started_at"):
        latest[day] = (status, started_at)
        if status == RollupStatus.SUCCEEDED:
            last_success[day] = started_at
    # A run still "running" past the hard time limit is dead, whether or not the sweep marked it yet.
    alive_since = now - timedelta(seconds=settings.ANALYTICS_ROLLUP_TIME_LIMIT)
    in_progress = {
        day for day, (status, started) in latest.items() if status == RollupStatus.RUNNING and started >= alive_since
    }
    unfinished = {
        day
        for day in _days(first, newest)
        if day not in last_success or (latest[day][0] != RollupStatus.SUCCEEDED and day not in in_progress)
    }
    pending = _late_days_not_rerolled(first=first, newest=newest, last_success=last_success)
    late: set[date] = set()
    if last_success:
        previous = LateEventScan.objects.order_by("-scanned_until", "-id").values_list("scanned_until", flat=True)
        since = (previous.first() or min(last_success.values())) - LATE_EVENT_MARGIN
        lo, _ = day_window(first, zones)
        _, hi = day_window(newest, zones)
        for day, last_received in _received_since(since=since, lo=lo, hi=hi):
            if day in last_success and last_received >= last_success[day] - LATE_EVENT_MARGIN:
                late.add(day)
    due = ((unfinished | pending) - in_progress) | late
    return DueDays(days=sorted(due), late_days=sorted(late), scanned_until=now)


def _late_days_not_rerolled(*, first: date, newest: date, last_success: dict[date, datetime]) -> set[date]:
    """Days of [first, newest] an earlier scan found late, with no successful run started after that
    scan: their re-roll died, failed or never ran, and the watermark has moved past their uploads."""
    scans = LateEventScan.objects.filter(scanned_until__gte=datetime.combine(first, time.min, tzinfo=UTC))
    pending = set()
    for scanned_until, late_days in scans.values_list("scanned_until", "late_days"):
        for day in map(date.fromisoformat, late_days):
            if first <= day <= newest and day in last_success and last_success[day] < scanned_until:
                pending.add(day)
    return pending


def _received_since(*, since: datetime, lo: datetime, hi: datetime) -> list[tuple[date, datetime]]:
    """(local day, last received_at) of the events received since `since` that occurred in [lo, hi)."""
    sql = f"""
        SELECT (e.occurred_at AT TIME ZONE p.time_zone)::date AS local_day, max(e.received_at)
        FROM {UserInteraction._meta.db_table} e
        JOIN {Place._meta.db_table} p ON p.id = e.place_id
        WHERE e.received_at >= %s
        GROUP BY 1
    """  # nosec B608 # noqa: S608 - table names come from the models
    # received_at alone: the BRIN index reads just the newest blocks (with an occurred_at range
    # too, the planner may walk that B-tree range over the whole window instead).
    with connection.cursor() as cursor:
        cursor.execute(sql, [since])
        return [(day, last) for day, last in cursor.fetchall() if lo.date() <= day <= hi.date()]


def late_event_scan_record(*, due: DueDays) -> LateEventScan:
    """Move the watermark once the due days are queued (a crash before re-reads the same uploads).

    The late days it records stay due until re-rolled (`_late_days_not_rerolled`), so a re-roll
    that dies after this point is queued again: no late event is skipped.
    """
    scan = LateEventScan(scanned_until=due.scanned_until, late_days=[day.isoformat() for day in due.late_days])
    scan.full_clean()
    scan.save()
    # The newest watermark is read, and the late days of the scans within the acceptance window.
    keep = timedelta(days=settings.ANALYTICS_EVENT_MAX_AGE_DAYS + 2)
    LateEventScan.objects.filter(scanned_until__lt=due.scanned_until - keep).delete()
    return scan


def rollup_runs_abandon_stale(*, now: datetime, day: date | None = None) -> list[RollupRun]:
    """Mark the runs still "running" past the roll-up's hard time limit (of `day`, or all) abandoned.

    Past that limit nothing will finish them: the pool has killed the task, or the worker itself
    died (SIGKILL, lost machine) before it could record an outcome. Each run is claimed with a
    conditional UPDATE (still running, still older than the limit), so two sweeps never both claim
    one run and a run that finished meanwhile keeps its own status.
    """
    limit = settings.ANALYTICS_ROLLUP_TIME_LIMIT
    cutoff = now - timedelta(seconds=limit)
    stale = RollupRun.objects.filter(status=RollupStatus.RUNNING, started_at__lt=cutoff)
    if day is not None:
        stale = stale.filter(day=day)
    abandoned = []
    for run in stale.order_by("started_at", "id"):
        error = (
            f"Abandoned: still running {int((now - run.started_at).total_seconds())} s after it started, "
            f"past the roll-up's hard time limit ({limit} s): its worker was lost before recording an outcome."
        )
        claimed = RollupRun.objects.filter(pk=run.pk, status=RollupStatus.RUNNING, started_at__lt=cutoff).update(
            status=RollupStatus.ABANDONED, finished_at=now, error=error
        )
        if claimed:
            run.status, run.finished_at, run.error = RollupStatus.ABANDONED, now, error
            abandoned.append(run)
            logger.warning("roll-up run %s of %s abandoned: running since %s", run.pk, run.day, run.started_at)
    return abandoned


def days_stuck(*, now: datetime) -> list[date]:
    """Days with a run stuck past the hard time limit, or abandoned, and no successful run since."""
    cutoff = now - timedelta(seconds=settings.ANALYTICS_ROLLUP_TIME_LIMIT)
    redone = RollupRun.objects.filter(
        day=OuterRef("day"), status=RollupStatus.SUCCEEDED, started_at__gt=OuterRef("started_at")
    )
    stuck = RollupRun.objects.filter(
        Q(status=RollupStatus.ABANDONED) | Q(status=RollupStatus.RUNNING, started_at__lt=cutoff)
    ).filter(~Exists(redone))
    return list(stuck.order_by("day").values_list("day", flat=True).distinct())


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


@dataclass(frozen=True)
class PurgeResult:
    days_dropped: list[date]
    rows_deleted: int


def events_purge_expired(*, now: datetime, batch_size: int = 10_000) -> PurgeResult:
    """Drop raw events older than the retention period, but only days already rolled up.

    Events go up to the first local day (oldest first) that has no successful roll-up, and never
    within ANALYTICS_RETENTION_DAYS. A UTC day's partition goes whole once all its events are
    before that bound (detach and drop: no row is read); events of days without a partition (in the
    default partition) are deleted in batches of `batch_size`, each its own transaction. A day
    partition that straddles the bound waits for the next run (events live at most a day longer).
    """
    zones = zones_in_use()
    cutoff = now.astimezone(UTC).date() - timedelta(days=settings.ANALYTICS_RETENTION_DAYS)
    oldest = UserInteraction.objects.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    if oldest is None:
        return PurgeResult(days_dropped=[], rows_deleted=0)
    first = min(oldest.astimezone(ZoneInfo(zone)).date() for zone in zones or ["UTC"])
    if first >= cutoff:
        return PurgeResult(days_dropped=[], rows_deleted=0)
    rolled_up = set(
        RollupRun.objects.filter(status=RollupStatus.SUCCEEDED, day__gte=first, day__lt=cutoff).values_list(
            "day", flat=True
        )
    )
    keep_from = next((day for day in _days(first, cutoff - timedelta(days=1)) if day not in rolled_up), cutoff)
    # Before the earliest local midnight of `keep_from` every event is on an earlier local day.
    bound, _ = day_window(keep_from, zones)
    dropped = partitions.event_partitions_drop_before(bound=bound)
    deleted = partitions.default_partition_delete_before(bound=bound, batch_size=batch_size)
    if keep_from < cutoff:
        logger.warning("retention stopped at %s: that day has no successful roll-up", keep_from)
    return PurgeResult(days_dropped=[partition.day for partition in dropped], rows_deleted=deleted)
