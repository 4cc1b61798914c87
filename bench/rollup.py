"""Benchmark of the nightly roll-up at national scale (a script, not a test).

Seeds its own PostgreSQL database with 10,000,000 events over 30 days and 50,000 places in six
US zones (COPY), then times, in the same run:
  * analytics.rollup.rollup_day for one day (stats + heat-map cells, upserts, run record),
  * one hand-written SQL statement doing the same stats aggregation (SELECT only),
  * the same pair for the cells, and a day read through each index (B-tree vs BRIN).

Run (heavy: hold the lock so only one heavy job uses the two cores):
    flock /tmp/bench.lock .venv/bin/python bench/rollup.py
Options: --events N --places N --days N --keep (do not drop the database at the end).
"""

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta

from benchdb import ROOT, copy_rows, create_database, psql, setup_django
from rollup_reference import HAND_WRITTEN_STATS

sys.path.insert(0, str(ROOT))

BENCH_DB = "foodtrucks_analytics_bench"
ZONES = [
    ("America/New_York", 0.40),
    ("America/Chicago", 0.25),
    ("America/Denver", 0.08),
    ("America/Los_Angeles", 0.22),
    ("America/Anchorage", 0.02),
    ("Pacific/Honolulu", 0.03),
]
START = datetime(2026, 10, 1, 4, tzinfo=UTC)


def seed(*, events: int, places: int, users: int, days: int) -> None:
    from django.db import connection

    rng = random.Random(20261127)
    from tests.factories import VendorFactory

    vendor_id = VendorFactory(business_name="Bench vendor").pk
    raw = connection.connection
    with raw.cursor() as cursor:
        started = time.monotonic()
        zone_names = [zone for zone, _ in ZONES]
        zone_weights = [weight for _, weight in ZONES]
        copy_rows(
            cursor,
            "accounts_user",
            "password, is_superuser, email, phone_number, first_name, last_name, primary_city, is_active, "
            "is_staff, date_joined",
            (
                f"!\tf\tuser{n}@bench.example\t+1200{n:07d}\tU\tB\t\tt\tf\t2026-01-01 00:00:00+00\n"
                for n in range(users)
            ),
        )
        place_zone = rng.choices(zone_names, zone_weights, k=places)
        copy_rows(
            cursor,
            "trucks_place",
            "vendor_id, kind, name, description, time_zone, address, city, state, lat, lng, location_source, "
            "is_open, is_active, rating_avg, rating_count, created_at, updated_at",
            (
                f"{vendor_id}\ttruck\tTruck {n}\t\t{place_zone[n]}\t\tCity\tST\t{rng.uniform(25, 48):.5f}\t"
                f"{rng.uniform(-124, -70):.5f}\taddress\tf\tt\t0\t0\t2026-01-01 00:00:00+00\t2026-01-01 00:00:00+00\n"
                for n in range(places)
            ),
        )
        cursor.execute("SELECT min(id), max(id) FROM trucks_place")
        first_place, last_place = cursor.fetchone()
        cursor.execute("SELECT min(id), max(id) FROM accounts_user")
        first_user, last_user = cursor.fetchone()
        print(f"seeded {users:,} users and {places:,} places in {time.monotonic() - started:.1f} s", flush=True)

        # One partition per UTC day of the events (the events table is partitioned by day).
        from analytics.partitions import event_partitions_ensure

        event_partitions_ensure(first=START.date() - timedelta(days=1), last=(START + timedelta(days=days + 1)).date())
        raw.commit()
        # Load the events without indexes and foreign keys, then build them (as a restore would).
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'analytics_userinteraction' "
            "AND indexname NOT LIKE '%%_pkey'"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'analytics_userinteraction'::regclass AND contype IN ('f', 'u')"
        )
        constraints = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f"ALTER TABLE analytics_userinteraction DROP CONSTRAINT {name}")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'analytics_userinteraction' "
            "AND indexname NOT LIKE '%%_pkey'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP INDEX {name}")
        raw.commit()

        started = time.monotonic()
        step = timedelta(days=days) / events
        types = ["VIEW", "CLICK", "NEARBY_DETECTION", "RATING"]
        type_weights = [0.50, 0.20, 0.25, 0.05]

        def event_lines():
            getrandbits, randint, choices, random_ = rng.getrandbits, rng.randint, rng.choices, rng.random
            kinds = choices(types, type_weights, k=events)
            for n in range(events):
                occurred = START + step * n + timedelta(seconds=randint(0, 120))
                received = occurred + timedelta(seconds=randint(1, 600))
                kind = kinds[n]
                dwell = str(randint(1_000, 300_000)) if kind == "VIEW" and random_() < 0.2 else "\\N"
                if kind in ("CLICK", "NEARBY_DETECTION") and random_() < 0.8:
                    lat, lng = f"{25 + random_() * 23:.5f}", f"{-124 + random_() * 54:.5f}"
                else:
                    lat = lng = "\\N"
                yield (
                    f"{getrandbits(128):032x}\t{randint(first_user, last_user)}\t"
                    f"{randint(first_place, last_place)}\t{kind}\t{occurred.isoformat()}\t{received.isoformat()}\t"
                    f"{lat}\t{lng}\t{dwell}\n"
                )

        copy_rows(
            cursor,
            "analytics_userinteraction",
            "client_id, user_id, place_id, type, occurred_at, received_at, lat, lng, dwell_ms",
            event_lines(),
        )
        raw.commit()
        print(f"copied {events:,} events in {time.monotonic() - started:.1f} s", flush=True)
        started = time.monotonic()
        constraint_names = {name for name, _ in constraints}
        for name, definition in indexes:
            if name not in constraint_names:  # a unique constraint brings its own index back
                cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))  # a partitioned index covers all
        for name, definition in constraints:
            # validated, foreign keys too: the table is partitioned, where NOT VALID is not supported
            cursor.execute(f"ALTER TABLE analytics_userinteraction ADD CONSTRAINT {name} {definition}")
        raw.commit()
        raw.autocommit = True
        cursor.execute("VACUUM ANALYZE analytics_userinteraction")
        cursor.execute("VACUUM ANALYZE trucks_place")
        print(f"built indexes and constraints, vacuumed in {time.monotonic() - started:.1f} s", flush=True)
    connection.close()  # the raw connection was used in its own modes: start the measurements afresh


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.monotonic()
        function()
        times.append(time.monotonic() - started)
    return times


def report(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    print(f"{label:<58} median {median:6.3f} s   runs {', '.join(f'{t:.3f}' for t in times)}", flush=True)
    return median


def measure(*, day: date, last_day: date, repeat: int) -> None:
    from django.db import connection

    from analytics import rollup

    zones = rollup.zones_in_use()
    lo, hi = rollup.day_window(day, zones)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM analytics_userinteraction e JOIN trucks_place p ON p.id = e.place_id "
            "WHERE e.occurred_at >= %s AND e.occurred_at < %s "
            "AND (e.occurred_at AT TIME ZONE p.time_zone)::date = %s",
            [lo, hi, day],
        )
        (day_events,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM analytics_userinteraction")
        (total,) = cursor.fetchone()
    print(f"\nday {day}: {day_events:,} events of {total:,}; UTC window {lo:%m-%d %H:%M} .. {hi:%m-%d %H:%M}")

    baseline_stats = HAND_WRITTEN_STATS
    baseline_cells = """
            SELECT e.place_id, floor(e.lat * 100), floor(e.lng * 100), count(*), count(DISTINCT e.user_id)
            FROM analytics_userinteraction e JOIN trucks_place p ON p.id = e.place_id
            WHERE e.occurred_at >= %(lo)s AND e.occurred_at < %(hi)s AND e.lat IS NOT NULL
              AND (e.occurred_at AT TIME ZONE p.time_zone)::date = %(day)s
            GROUP BY 1, 2, 3
    """
    params = {"lo": lo, "hi": hi, "day": day}

    def run_sql(sql):
        def go():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        return go

    def run_rollup():
        rollup.rollup_day(day=day)

    run_sql(baseline_stats)()  # warm the cache: every figure below is a warm run
    first = report("rollup_day, first run (inserts)", timed(run_rollup, 1))
    full = report("rollup_day, re-run (upserts over existing rows)", timed(run_rollup, repeat))
    stats_sql = report("hand-written SELECT: stats aggregation only", timed(run_sql(baseline_stats), repeat))
    cells_sql = report("hand-written SELECT: cells aggregation only", timed(run_sql(baseline_cells), repeat))
    print(
        f"\nrollup_day / stats statement:            {full / stats_sql:.2f}x (first run {first / stats_sql:.2f}x)"
        f"\nrollup_day / (stats + cells statements):  {full / (stats_sql + cells_sql):.2f}x"
    )
    from analytics.models import DailyPlaceStats

    rows = DailyPlaceStats.objects.filter(date=day)
    cells = sum(len(cells) for cells in rows.values_list("cells", flat=True))
    print(f"rows: {rows.count():,} place-days with {cells:,} cells")
    measure_due_days(day=last_day, repeat=repeat)
    measure_indexes(lo=lo, hi=hi, repeat=repeat)
    measure_retention(day=day)


def measure_due_days(*, day: date, repeat: int) -> None:
    """The nightly job's own overhead at the end of the data: which days are due (missed days, late
    events received since last night's scan)."""
    from analytics import rollup
    from analytics.models import LateEventScan, RollupRun, RollupStatus

    RollupRun.objects.bulk_create(
        [
            RollupRun(
                day=day - timedelta(days=n),
                status=RollupStatus.SUCCEEDED,
                started_at=datetime.combine(day - timedelta(days=n - 1), datetime.min.time(), tzinfo=UTC)
                + timedelta(hours=10, minutes=15),
            )
            for n in range(1, 9)
        ]
    )
    now = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(hours=10, minutes=15)
    LateEventScan.objects.create(scanned_until=now - timedelta(days=1))  # last night's check
    due = []
    times = timed(lambda: due.append(rollup.days_due(now=now)), repeat)
    report(f"days_due at {now:%m-%d %H:%M} (uploads of the last 24 h)", times)
    print(f"due: {[d.isoformat() for d in due[-1].days]}, of which late: {[d.isoformat() for d in due[-1].late_days]}")


def measure_indexes(*, lo, hi, repeat: int) -> None:
    """One day's read through the B-tree on occurred_at, a BRIN instead, and a sequential scan."""
    from django.db import connection, transaction

    read = (
        "SELECT count(*), sum(coalesce(dwell_ms, 0)) FROM analytics_userinteraction "
        "WHERE occurred_at >= %s AND occurred_at < %s"
    )

    def day_read():
        with connection.cursor() as cursor:
            cursor.execute(read, [lo, hi])
            cursor.fetchone()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelname, pg_size_pretty(pg_relation_size(indexrelid)) FROM pg_stat_user_indexes "
            "WHERE relname = 'analytics_userinteraction' ORDER BY 1"
        )
        print("\nindexes of analytics_userinteraction:", ", ".join(f"{n} {s}" for n, s in cursor.fetchall()))
        cursor.execute("SELECT pg_size_pretty(pg_relation_size('analytics_userinteraction'))")
        print("table heap:", cursor.fetchone()[0])
    report("day read via B-tree interaction_time_idx", timed(day_read, repeat))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX interaction_time_idx")
            cursor.execute("DROP INDEX interaction_place_time_idx")
            started = time.monotonic()
            cursor.execute("CREATE INDEX bench_time_brin ON analytics_userinteraction USING brin (occurred_at)")
            built = time.monotonic() - started
            cursor.execute("SELECT pg_size_pretty(pg_relation_size('bench_time_brin'))")
            print(f"BRIN on occurred_at: {cursor.fetchone()[0]}, built in {built:.1f} s")
        report("day read via BRIN on occurred_at (B-trees dropped)", timed(day_read, repeat))
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX bench_time_brin")
        report("day read by sequential scan (no time index)", timed(day_read, 1))
        transaction.set_rollback(True)


def measure_retention(*, day: date) -> None:
    """Deleting the oldest day of raw events in batches (what partitioning would make a DROP)."""
    from django.conf import settings
    from django.db import connection

    from analytics import rollup
    from analytics.models import RollupRun, RollupStatus, UserInteraction

    oldest = START.date()
    RollupRun.objects.bulk_create(
        [RollupRun(day=oldest + timedelta(days=n), status=RollupStatus.SUCCEEDED) for n in range(-1, 3)]
    )
    now = datetime.combine(oldest + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(
        days=settings.ANALYTICS_RETENTION_DAYS, hours=12
    )
    before = UserInteraction.objects.count()
    started = time.monotonic()
    result = rollup.events_purge_expired(now=now)
    elapsed = time.monotonic() - started
    print(
        f"\nretention: dropped the day partitions {[d.isoformat() for d in result.days_dropped]} and deleted "
        f"{result.rows_deleted:,} events of the default partition in {elapsed:.3f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM analytics_userinteraction")
        print(f"events left: {cursor.fetchone()[0]:,} of {before:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--places", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database (re-run with --reuse)")
    parser.add_argument("--reuse", action="store_true", help="measure the kept database without seeding")
    args = parser.parse_args()
    if not args.reuse:
        create_database(BENCH_DB)
    setup_django(BENCH_DB)
    if not args.reuse:
        seed(events=args.events, places=args.places, users=args.users, days=args.days)
    try:
        measure(
            day=(START + timedelta(days=args.days // 2)).date(),
            last_day=(START + timedelta(days=args.days - 2)).date(),
            repeat=args.repeat,
        )
    finally:
        from django.db import connection

        connection.close()
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
