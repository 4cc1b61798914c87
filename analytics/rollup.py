"""The daily roll-up: the raw events of one LOCAL day -> DailyPlaceStats and DailyLocationCell.

A place's day runs from its own local midnight to the next (the place's IANA zone), so one
calendar `day` covers a different UTC window in each zone. Every query first narrows the raw
events to the UTC window that covers the day in all zones in use (an index range on
`occurred_at`), then keeps the events whose local date in the place's zone is `day`.

The roll-up recomputes a whole day and overwrites it, so running it twice, or again after late
events arrived, gives the same rows as running it once. On PostgreSQL it is two set-based
statements (stats, heat-map cells) under a transaction-scoped advisory lock keyed on the day;
elsewhere (SQLite for `make run`) the same figures come from ORM aggregation and a bulk upsert.
"""

import logging
import time as monotonic_time
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Avg, Count, F, Max, Q
from django.db.models.functions import Floor, TruncDate
from django.utils import timezone

from analytics.models import (
    DailyLocationCell,
    DailyPlaceStats,
    InteractionType,
    RollupRun,
    RollupStatus,
    UserInteraction,
)
from trucks.models import Place

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock(namespace, day ordinal): two workers never roll up the same day at once.
ROLLUP_LOCK_NAMESPACE = 0x524F4C4C  # "ROLL"
# Widen each zone's window by this much: the local-date test in SQL is the exact filter.
WINDOW_MARGIN = timedelta(hours=1)
# A late event committed this long after its received_at stamp is still noticed (see days_due).
LATE_EVENT_MARGIN = timedelta(minutes=10)

HOURS = range(24)

# A "view" is one a server counted (an authenticated detail read). The app's VIEW-with-dwell
# reports the dwell time of a view the server already counted, so it adds to the average dwell
# only, never to the view counts (nothing is counted twice).
COUNTED_VIEW = Q(type=InteractionType.VIEW, dwell_ms__isnull=True)


@dataclass(frozen=True)
class RollupResult:
    stats_rows: int
    stats_removed: int
    cell_rows: int
    cells_removed: int


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


# --- the roll-up of one day ------------------------------------------------------------------------


def rollup_day(*, day: date) -> RollupRun:
    """Recompute one local day's statistics and heat-map cells; record the run."""
    started = timezone.now()
    clock = monotonic_time.monotonic()
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
        "roll-up %s: %s stats rows (%s removed), %s cells (%s removed) in %s ms",
        day,
        result.stats_rows,
        result.stats_removed,
        result.cell_rows,
        result.cells_removed,
        run.duration_ms,
    )
    return run


@transaction.atomic
def _rollup_day_atomic(*, day: date, computed_at: datetime) -> RollupResult:
    zones = zones_in_use()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ROLLUP_LOCK_NAMESPACE, day.toordinal()])
        return rollup_day_postgresql(day=day, zones=zones, computed_at=computed_at)
    return rollup_day_orm(day=day, zones=zones, computed_at=computed_at)


def _hour_columns(view_filter: str) -> str:
    return ", ".join(f"count(*) FILTER (WHERE {view_filter} AND ev.hour = {hour})" for hour in HOURS)


def rollup_day_postgresql(*, day: date, zones: list[str], computed_at: datetime) -> RollupResult:
    """The roll-up as two set-based statements (raw SQL: the ORM cannot say upsert-from-select)."""
    events = UserInteraction._meta.db_table
    places = Place._meta.db_table
    stats = DailyPlaceStats._meta.db_table
    cells = DailyLocationCell._meta.db_table
    lo, hi = day_window(day, zones)
    params = {"day": day, "lo": lo, "hi": hi, "computed_at": computed_at}
    # The index range on occurred_at narrows to the window; the local date is the exact test.
    day_events = f"""
        SELECT e.place_id, e.user_id, e.type, e.dwell_ms, e.lat, e.lng,
               extract(hour FROM e.occurred_at AT TIME ZONE p.time_zone)::int AS hour
        FROM {events} e
        JOIN {places} p ON p.id = e.place_id
        WHERE e.occurred_at >= %(lo)s AND e.occurred_at < %(hi)s
          AND (e.occurred_at AT TIME ZONE p.time_zone)::date = %(day)s::date
    """  # noqa: S608 - table names come from the models, values are parameters
    view = "ev.type = 'VIEW' AND ev.dwell_ms IS NULL"
    stats_sql = f"""
        WITH ev AS ({day_events}),
        agg AS (
            SELECT ev.place_id,
                   count(*) FILTER (WHERE {view}) AS views,
                   count(DISTINCT ev.user_id) FILTER (WHERE {view}) AS unique_viewers,
                   count(*) FILTER (WHERE ev.type = 'CLICK') AS clicks,
                   count(*) FILTER (WHERE ev.type = 'RATING') AS ratings,
                   count(DISTINCT ev.user_id) FILTER (WHERE ev.type = 'NEARBY_DETECTION') AS nearby_users,
                   avg(ev.dwell_ms)::float8 AS avg_dwell_ms,
                   jsonb_build_array({_hour_columns(view)}) AS views_by_hour
            FROM ev
            GROUP BY ev.place_id
        ),
        upserted AS (
            INSERT INTO {stats} AS s (place_id, date, views, unique_viewers, clicks, ratings, nearby_users,
                                      avg_dwell_ms, views_by_hour, computed_at)
            SELECT place_id, %(day)s::date, views, unique_viewers, clicks, ratings, nearby_users,
                   avg_dwell_ms, views_by_hour, %(computed_at)s
            FROM agg
            ON CONFLICT (place_id, date) DO UPDATE SET
                views = EXCLUDED.views, unique_viewers = EXCLUDED.unique_viewers, clicks = EXCLUDED.clicks,
                ratings = EXCLUDED.ratings, nearby_users = EXCLUDED.nearby_users,
                avg_dwell_ms = EXCLUDED.avg_dwell_ms, views_by_hour = EXCLUDED.views_by_hour,
                computed_at = EXCLUDED.computed_at
            -- a re-run rewrites only the rows whose figures changed (late events)
            WHERE (s.views, s.unique_viewers, s.clicks, s.ratings, s.nearby_users, s.avg_dwell_ms, s.views_by_hour)
                IS DISTINCT FROM (EXCLUDED.views, EXCLUDED.unique_viewers, EXCLUDED.clicks, EXCLUDED.ratings,
                                  EXCLUDED.nearby_users, EXCLUDED.avg_dwell_ms, EXCLUDED.views_by_hour)
            RETURNING 1
        ),
        removed AS (
            DELETE FROM {stats} s
            WHERE s.date = %(day)s::date AND NOT EXISTS (SELECT 1 FROM agg WHERE agg.place_id = s.place_id)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM agg), (SELECT count(*) FROM upserted), (SELECT count(*) FROM removed)
    """  # noqa: S608
    cells_sql = f"""
        WITH ev AS ({day_events} AND e.lat IS NOT NULL AND e.lng IS NOT NULL),
        agg AS (
            SELECT ev.place_id, floor(ev.lat * 100)::int AS cell_lat, floor(ev.lng * 100)::int AS cell_lng,
                   count(*) AS events, count(DISTINCT ev.user_id) AS users
            FROM ev
            GROUP BY 1, 2, 3
        ),
        upserted AS (
            INSERT INTO {cells} AS c (place_id, date, cell_lat, cell_lng, events, users)
            SELECT place_id, %(day)s::date, cell_lat, cell_lng, events, users FROM agg
            ON CONFLICT (place_id, date, cell_lat, cell_lng) DO UPDATE SET
                events = EXCLUDED.events, users = EXCLUDED.users
            WHERE (c.events, c.users) IS DISTINCT FROM (EXCLUDED.events, EXCLUDED.users)
            RETURNING 1
        ),
        removed AS (
            DELETE FROM {cells} c
            WHERE c.date = %(day)s::date AND NOT EXISTS (
                SELECT 1 FROM agg
                WHERE agg.place_id = c.place_id AND agg.cell_lat = c.cell_lat AND agg.cell_lng = c.cell_lng
            )
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM agg), (SELECT count(*) FROM upserted), (SELECT count(*) FROM removed)
    """  # noqa: S608
    with connection.cursor() as cursor:
        # The distinct counts sort each place's events: let one day's sorts stay in memory.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(stats_sql, params)
        stats_rows, _, stats_removed = cursor.fetchone()
        cursor.execute(cells_sql, params)
        cell_rows, _, cells_removed = cursor.fetchone()
    return RollupResult(stats_rows, stats_removed, cell_rows, cells_removed)


def _zone_day_events(day: date, zone: str):
    """The events of places in `zone` on local `day` (evaluate under timezone.override(zone))."""
    lo, hi = zone_window(day, zone)
    return UserInteraction.objects.order_by().filter(
        place__time_zone=zone, occurred_at__gte=lo, occurred_at__lt=hi, occurred_at__date=day
    )


def rollup_day_orm(*, day: date, zones: list[str], computed_at: datetime) -> RollupResult:
    """The same roll-up through the ORM (any database): one aggregate query per zone and table."""
    stats: list[DailyPlaceStats] = []
    cells: list[DailyLocationCell] = []
    for zone in zones:
        # Date and hour lookups are read in the current time zone: the zone's own.
        with timezone.override(ZoneInfo(zone)):
            rows = list(
                _zone_day_events(day, zone)
                .values("place_id")
                .annotate(
                    views=Count("id", filter=COUNTED_VIEW),
                    unique_viewers=Count("user_id", filter=COUNTED_VIEW, distinct=True),
                    clicks=Count("id", filter=Q(type=InteractionType.CLICK)),
                    ratings=Count("id", filter=Q(type=InteractionType.RATING)),
                    nearby_users=Count("user_id", filter=Q(type=InteractionType.NEARBY_DETECTION), distinct=True),
                    avg_dwell_ms=Avg("dwell_ms"),
                    **{f"hour_{hour}": Count("id", filter=COUNTED_VIEW & Q(occurred_at__hour=hour)) for hour in HOURS},
                )
            )
            cell_rows = list(
                _zone_day_events(day, zone)
                .filter(lat__isnull=False, lng__isnull=False)
                .annotate(cell_lat=Floor(F("lat") * 100), cell_lng=Floor(F("lng") * 100))
                .values("place_id", "cell_lat", "cell_lng")
                .annotate(events=Count("id"), users=Count("user_id", distinct=True))
            )
        stats.extend(
            DailyPlaceStats(
                place_id=row["place_id"],
                date=day,
                views=row["views"],
                unique_viewers=row["unique_viewers"],
                clicks=row["clicks"],
                ratings=row["ratings"],
                nearby_users=row["nearby_users"],
                avg_dwell_ms=float(row["avg_dwell_ms"]) if row["avg_dwell_ms"] is not None else None,
                views_by_hour=[row[f"hour_{hour}"] for hour in HOURS],
                computed_at=computed_at,
            )
            for row in rows
        )
        cells.extend(
            DailyLocationCell(
                place_id=row["place_id"],
                date=day,
                cell_lat=int(row["cell_lat"]),
                cell_lng=int(row["cell_lng"]),
                events=row["events"],
                users=row["users"],
            )
            for row in cell_rows
        )
    DailyPlaceStats.objects.bulk_create(
        stats,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["place", "date"],
        update_fields=[
            "views",
            "unique_viewers",
            "clicks",
            "ratings",
            "nearby_users",
            "avg_dwell_ms",
            "views_by_hour",
            "computed_at",
        ],
    )
    # Rows of this day not written by this run belong to places without events any more.
    stats_removed, _ = DailyPlaceStats.objects.filter(date=day).exclude(computed_at=computed_at).delete()
    # Cells have no run stamp: the day's cells are replaced as a whole (in this transaction).
    cells_replaced, _ = DailyLocationCell.objects.filter(date=day).delete()
    DailyLocationCell.objects.bulk_create(cells, batch_size=1000)
    return RollupResult(len(stats), stats_removed, len(cells), cells_replaced)


# --- which days to roll up, and retention ------------------------------------------------------------


def days_due(*, now: datetime) -> list[date]:
    """The newest complete day, and the recent days that were missed or got late events since their run.

    The events API accepts events up to ANALYTICS_EVENT_MAX_AGE_DAYS old, so a day can change
    for that long after it ended; a day is re-rolled only when an event arrived after its last
    successful run (found through the BRIN index on received_at on PostgreSQL).
    """
    zones = zones_in_use()
    newest = newest_complete_day(now=now, zones=zones)
    first = newest - timedelta(days=settings.ANALYTICS_EVENT_MAX_AGE_DAYS)
    last_run = dict(
        RollupRun.objects.filter(status=RollupStatus.SUCCEEDED, day__gte=first, day__lte=newest)
        .order_by()
        .values("day")
        .annotate(started=Max("started_at"))
        .values_list("day", "started")
    )
    due = {day for day in _days(first, newest) if day not in last_run}
    if last_run:
        since = min(last_run.values()) - LATE_EVENT_MARGIN
        for zone in zones:
            lo, _ = zone_window(first, zone)
            _, hi = zone_window(newest, zone)
            late = (
                UserInteraction.objects.order_by()
                .filter(place__time_zone=zone, received_at__gte=since, occurred_at__gte=lo, occurred_at__lt=hi)
                .annotate(local_day=TruncDate("occurred_at", tzinfo=ZoneInfo(zone)))
                .values("local_day")
                .annotate(last_received=Max("received_at"))
                .values_list("local_day", "last_received")
            )
            for day, last_received in late:
                if day in last_run and last_received >= last_run[day] - LATE_EVENT_MARGIN:
                    due.add(day)
    return sorted(due)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def events_purge_expired(*, now: datetime, batch_size: int = 10_000) -> int:
    """Delete raw events older than the retention period, but only days already rolled up.

    Events are deleted up to the first local day (oldest first) that has no successful roll-up,
    and never within ANALYTICS_RETENTION_DAYS; in batches of `batch_size`, each its own transaction.
    """
    zones = zones_in_use()
    cutoff = now.astimezone(UTC).date() - timedelta(days=settings.ANALYTICS_RETENTION_DAYS)
    oldest = UserInteraction.objects.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    if oldest is None:
        return 0
    first = min(oldest.astimezone(ZoneInfo(zone)).date() for zone in zones or ["UTC"])
    if first >= cutoff:
        return 0
    rolled_up = set(
        RollupRun.objects.filter(status=RollupStatus.SUCCEEDED, day__gte=first, day__lt=cutoff).values_list(
            "day", flat=True
        )
    )
    keep_from = next((day for day in _days(first, cutoff - timedelta(days=1)) if day not in rolled_up), cutoff)
    # Before the earliest local midnight of `keep_from` every event is on an earlier local day.
    bound, _ = day_window(keep_from, zones)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                UserInteraction.objects.filter(occurred_at__lt=bound)
                .order_by("occurred_at")
                .values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                break
            count, _ = UserInteraction.objects.filter(pk__in=ids).delete()
        deleted += count
    if keep_from < cutoff:
        logger.warning("retention stopped at %s: that day has no successful roll-up", keep_from)
    return deleted
