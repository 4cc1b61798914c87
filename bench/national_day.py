"""Benchmark of a national day of raw events (a script, not a test).

Seeds its own PostgreSQL database with one local day of N events (default 50,000,000: a million
daily users sending ~50 events) over 1,000,000 places in every US zone, generated inside PostgreSQL
(INSERT ... SELECT from generate_series, through the partitioned table: each row routed to its UTC
day's partition), then times, in the same run:
  * analytics.rollup.rollup_day for that day (stats + heat-map cells written, run recorded), a re-run,
  * one hand-written SQL statement of the same stats aggregation over the same day (SELECT only),
  * retention of that day: detach and drop its partitions (analytics.partitions),
and prints which partitions the roll-up's plan reads (EXPLAIN: pruning).

Run (heavy: hold the lock so only one heavy job uses the two cores):
    flock /tmp/bench.lock .venv/bin/python bench/national_day.py --events-per-day 5000000
Options: --events-per-day N --places N --users N --keep (keep the database and the day's events: no
retention step) --reuse (measure again on a kept database: the day's roll-up rows and runs are
deleted first, so the first run writes every row again) --seed-only (seed and keep the database, measure
nothing: seed while the machine is busy, then measure with --reuse when it is quiet).
"""

import argparse
import os
import re
import sys
import time
from datetime import UTC, date, datetime, timedelta

from benchdb import ROOT, create_database, psql, setup_django
from rollup_reference import HAND_WRITTEN_STATS

sys.path.insert(0, str(ROOT))

BENCH_DB = os.environ.get("NATIONAL_BENCH_DB", "foodtrucks_national_bench")
# Every US zone, weighted by population (roughly).
ZONES = [
    ("America/New_York", 0.47),
    ("America/Chicago", 0.29),
    ("America/Denver", 0.05),
    ("America/Phoenix", 0.02),
    ("America/Los_Angeles", 0.15),
    ("America/Anchorage", 0.01),
    ("Pacific/Honolulu", 0.01),
]
DAY = date(2026, 10, 15)
AIM = 1.5


def step(label: str, started: float) -> float:
    elapsed = time.monotonic() - started
    print(f"{label:<62} {elapsed:8.2f} s", flush=True)
    return elapsed


def seed(*, events: int, places: int, users: int) -> None:
    from django.db import connection

    from analytics.models import UserInteraction
    from analytics.partitions import event_partitions_ensure
    from demo.copy_loader import without_secondary_indexes
    from tests.factories import VendorFactory

    vendor_id = VendorFactory(business_name="Bench vendor").pk
    zone_case = "CASE " + " ".join(
        f"WHEN r < {sum(w for _, w in ZONES[: i + 1]):.4f} THEN '{zone}'" for i, (zone, _) in enumerate(ZONES[:-1])
    )
    zone_case += f" ELSE '{ZONES[-1][0]}' END"
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        # The index rebuild after the load sorts 50 M keys: give it the memory a restore would get.
        cursor.execute("SET maintenance_work_mem = '2GB'")
        started = time.monotonic()
        cursor.execute(
            "INSERT INTO accounts_user (password, is_superuser, email, phone_number, first_name, last_name, "
            "primary_city, is_active, is_staff, date_joined) "
            "SELECT '!', false, 'user' || n || '@bench.example', '+1200' || lpad(n::text, 7, '0'), 'U', 'B', '', "
            "true, false, '2026-01-01' FROM generate_series(1, %s) n",
            [users],
        )
        cursor.execute(
            "INSERT INTO trucks_place (vendor_id, kind, name, description, time_zone, address, city, state, lat, lng, "
            "location_source, is_open, is_active, rating_avg, rating_count, created_at, updated_at) "
            f"SELECT %s, 'truck', 'Truck ' || n, '', {zone_case}, '', 'City', 'ST', 25 + random() * 23, "
            "-124 + random() * 54, 'address', false, true, 0, 0, '2026-01-01', '2026-01-01' "
            "FROM (SELECT n, random() AS r FROM generate_series(1, %s) n) g",
            [vendor_id, places],
        )
        step(f"seed {users:,} users and {places:,} places", started)
        event_partitions_ensure(first=DAY - timedelta(days=1), last=DAY + timedelta(days=2))
        cursor.execute("SELECT min(id), max(id) FROM trucks_place")
        first_place, last_place = cursor.fetchone()
        cursor.execute("SELECT min(id), max(id) FROM accounts_user")
        first_user, last_user = cursor.fetchone()
        # Events of the local DAY of their place (a popular place gets more: random()^2), local hour
        # spread over the whole day; VIEW 50 % (a fifth dwell reports), NEARBY 25 %, CLICK 20 %,
        # RATING 5 %; 80 % of clicks and nearby events located. In chunks of 1 M rows.
        started = time.monotonic()
        chunk = 1_000_000
        # As a restore would: the secondary indexes and keys are dropped for the load, then rebuilt.
        with without_secondary_indexes(UserInteraction):
            load_events(
                cursor, events=events, chunk=chunk, places=(first_place, last_place), users=(first_user, last_user)
            )
            step(f"insert {events:,} events (without secondary indexes)", started)
        step("... and rebuild the indexes and keys of the events", started)
        started = time.monotonic()
        cursor.execute("VACUUM ANALYZE trucks_place")
        cursor.execute("VACUUM ANALYZE accounts_user")
        for partition in ("p" + f"{DAY + timedelta(days=n):%Y%m%d}" for n in range(2)):
            cursor.execute(f"VACUUM ANALYZE analytics_userinteraction_{partition}")
        step("vacuum analyze", started)


def load_events(cursor, *, events: int, chunk: int, places: tuple[int, int], users: tuple[int, int]) -> None:
    first_place, last_place = places
    first_user, last_user = users
    for offset in range(0, events, chunk):
        cursor.execute(
            """
            INSERT INTO analytics_userinteraction
                (client_id, user_id, place_id, type, occurred_at, received_at, lat, lng, dwell_ms)
            SELECT gen_random_uuid(), e.u, p.id, e.ev_type,
                   x.t, x.t + interval '1 second' * (1 + floor(random() * 600)),
                   CASE WHEN x.located THEN p.lat + (random() - 0.5) * 0.01 END,
                   CASE WHEN x.located THEN p.lng + (random() - 0.5) * 0.01 END,
                   CASE WHEN e.ev_type = 'VIEW' AND random() < 0.2 THEN 1000 + floor(random() * 299000)::int END
            FROM (
                SELECT %(first_place)s + floor(random() ^ 2 * %(places)s)::bigint AS place_id,
                       %(first_user)s + floor(random() * %(users)s)::bigint AS u,
                       CASE WHEN r < 0.5 THEN 'VIEW' WHEN r < 0.7 THEN 'CLICK'
                            WHEN r < 0.95 THEN 'NEARBY_DETECTION' ELSE 'RATING' END AS ev_type,
                       random() AS day_fraction, random() < 0.8 AS maybe_located
                FROM (SELECT random() AS r FROM generate_series(1, %(n)s)) g
            ) e
            JOIN trucks_place p ON p.id = e.place_id
            CROSS JOIN LATERAL (
                SELECT (%(day)s::timestamp + interval '1 day' * e.day_fraction) AT TIME ZONE p.time_zone AS t,
                       e.maybe_located AND e.ev_type IN ('CLICK', 'NEARBY_DETECTION') AS located
            ) x
            """,
            {
                "first_place": first_place,
                "places": last_place - first_place + 1,
                "first_user": first_user,
                "users": last_user - first_user + 1,
                "n": min(chunk, events - offset),
                "day": DAY,
            },
        )
        print(f"  {offset + min(chunk, events - offset):,} events", flush=True)


def measure(*, retention: bool) -> None:
    from django.db import connection
    from django.utils import timezone

    from analytics import partitions, rollup
    from analytics.models import DailyPlaceStats, RollupRun

    # A kept database measured again: its first run must find the day empty, as the first did.
    DailyPlaceStats.objects.filter(date=DAY).delete()
    RollupRun.objects.filter(day=DAY).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM analytics_dailyplacestats")

    zones = rollup.zones_in_use()
    lo, hi = rollup.day_window(DAY, zones)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM analytics_userinteraction WHERE occurred_at >= %s AND occurred_at < %s", [lo, hi]
        )
        (day_events,) = cursor.fetchone()
        sql, params = rollup.rollup_statement(day=DAY, zones=zones, computed_at=timezone.now())
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    read = sorted(set(re.findall(r"analytics_userinteraction_(p\d{8}|default)", plan)))
    print(f"\nday {DAY}: {day_events:,} events, {len(zones)} zones; UTC window {lo:%m-%d %H:%M} .. {hi:%m-%d %H:%M}")
    print(f"partitions the roll-up's plan reads: {', '.join(read)} (of {len(partitions.event_partitions())} + default)")

    baseline = HAND_WRITTEN_STATS

    def run_baseline():
        with connection.cursor() as cursor:
            cursor.execute(baseline, {"lo": lo, "hi": hi, "day": DAY})
            return len(cursor.fetchall())

    started = time.monotonic()
    rows = run_baseline()
    baseline_time = step(f"hand-written SELECT of the stats ({rows:,} rows fetched)", started)
    started = time.monotonic()
    rollup.rollup_day(day=DAY)
    first = step("rollup_day, first run (every row inserted)", started)
    started = time.monotonic()
    rollup.rollup_day(day=DAY)
    rerun = step("rollup_day, re-run (recomputed, nothing changed)", started)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(sum(jsonb_array_length(cells)), 0) FROM analytics_dailyplacestats "
            "WHERE date = %s",
            [DAY],
        )
        place_days, cells = cursor.fetchone()
    print(f"rows: {place_days:,} place-days with {cells:,} heat-map cells")
    print(
        f"\nratio rollup_day / hand-written statement: {first / baseline_time:.2f}x first run, "
        f"{rerun / baseline_time:.2f}x re-run (aim <= {AIM}x)"
    )
    if not retention:
        return

    # Retention of the day: its two UTC days' partitions detached and dropped.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM analytics_userinteraction")
        (before,) = cursor.fetchone()
        cursor.execute(
            "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits "
            "WHERE inhparent = 'analytics_userinteraction'::regclass"
        )
        (size,) = cursor.fetchone()
    started = time.monotonic()
    dropped = partitions.event_partitions_drop_before(
        bound=datetime.combine(DAY + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    )
    elapsed = step(f"retention: detach and drop {len(dropped)} day partitions", started)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM analytics_userinteraction")
        (after,) = cursor.fetchone()
    print(f"dropped {before - after:,} events ({size} with indexes) in {elapsed:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events-per-day", type=int, default=50_000_000)
    parser.add_argument("--places", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=None, help="default: events / 50 (50 events a user)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the day (no retention step)")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by --keep (no seeding)")
    parser.add_argument("--seed-only", action="store_true", help="seed and keep the database; measure nothing")
    args = parser.parse_args()
    users = args.users or max(args.events_per_day // 50, 1)
    if not args.reuse:
        create_database(BENCH_DB)
    setup_django(BENCH_DB)
    try:
        if not args.reuse:
            seed(events=args.events_per_day, places=args.places, users=users)
        if not args.seed_only:
            measure(retention=not args.keep)
    finally:
        from django.db import connection

        connection.close()
        if not (args.keep or args.seed_only):
            psql(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
