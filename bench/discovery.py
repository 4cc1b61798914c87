"""Benchmark of discovery searches on PostgreSQL. Section open_at: search ahead beside the plain nearby search.

Seeds N places like bench/nearby.py (COPY, spread like the country), gives each the time zone of its
longitude, weekly hours in three patterns (weekday lunch, all day, evenings running past midnight; a
third of the slots at their own location) and exceptions of every kind for 5 % of the places, all
set-based SQL; then builds the upcoming stops with the same rebuild the nightly job runs, and reports,
point by point in the same run, p50/p95/p99 of

  (a) `GET /api/v1/places/?lat=&lng=&radius_km=5`                       (the plain nearby search)
  (b) `GET /api/v1/places/?lat=&lng=&radius_km=5&open_at=<ISO moment>`   (search ahead)

through Django and DRF in-process, with the raw SQL of each first page beside them, and their ratio.
Heavy: run it under the bench lock, e.g.

    flock /tmp/bench.lock .venv/bin/python bench/discovery.py --places 1000000
    .venv/bin/python bench/discovery.py --places 20000 --points 200   # a quick correctness run
    .venv/bin/python bench/discovery.py --places 1000000 --seed-only   # seed now (busy machine is fine) ...
    flock /tmp/bench.lock .venv/bin/python bench/discovery.py --places 1000000 --reuse   # ... measure when quiet
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from nearby import (  # noqa: E402 - bench/nearby.py's seeding and database helpers, shared
    CITIES,
    _env,
    create_database,
    drop_database,
    percentiles,
    query_points,
    raw_page,
    seed,
)

RADIUS_KM = 5.0

# The zone of a US longitude (Arizona without DST): one UPDATE after the COPY.
ZONES_SQL = """
UPDATE trucks_place SET time_zone = CASE
    WHEN lng > -87.5 THEN 'America/New_York'
    WHEN lng > -101.0 THEN 'America/Chicago'
    WHEN lng > -109.0 THEN 'America/Denver'
    WHEN lng > -114.8 AND lat < 37.0 THEN 'America/Phoenix'
    WHEN lng > -114.8 THEN 'America/Denver'
    ELSE 'America/Los_Angeles' END
"""
# (pattern, weekday, opens, closes): weekday lunch, all day, evenings with Friday and Saturday past midnight.
PATTERNS = (
    [("lunch", d, "11:00", "15:00") for d in range(5)]
    + [("all_day", d, "08:00", "20:00") for d in range(7)]
    + [("evening", d, "17:00", "23:00") for d in range(4)]
    + [("evening", d, "18:00", "02:30") for d in (4, 5)]
)
_PATTERN_VALUES = ", ".join(f"('{p}', {d}, TIME '{o}', TIME '{c}')" for p, d, o, c in PATTERNS)
HOURS_SQL = f"""
INSERT INTO trucks_openinghours (place_id, weekday, opens, closes, address, lat, lng)
SELECT p.id, s.weekday, s.opens, s.closes,
       CASE WHEN (p.id + s.weekday) % 3 = 0 THEN 'Stop ' || p.id ELSE '' END,
       CASE WHEN (p.id + s.weekday) % 3 = 0 THEN p.lat + 0.01 * ((p.id * 7 + s.weekday) % 5 - 2) END,
       CASE WHEN (p.id + s.weekday) % 3 = 0 THEN p.lng + 0.01 * ((p.id * 3 + s.weekday) % 5 - 2) END
FROM trucks_place p
JOIN (VALUES {_PATTERN_VALUES}) AS s (pattern, weekday, opens, closes)
  ON s.pattern = CASE WHEN p.id % 10 < 5 THEN 'lunch' WHEN p.id % 10 < 8 THEN 'all_day' ELSE 'evening' END
"""
EXCEPTIONS_SQL = """
INSERT INTO trucks_scheduleexception (place_id, date, kind, opens, closes, address, lat, lng, note)
SELECT p.id, CURRENT_DATE + (p.id / 20 % 14)::int, k.kind, k.opens, k.closes,
       CASE WHEN k.kind = 'moved' THEN 'Guest spot' ELSE '' END,
       CASE WHEN k.kind = 'moved' THEN p.lat + 0.01 END,
       CASE WHEN k.kind = 'moved' THEN p.lng - 0.01 END,
       ''
FROM trucks_place p
JOIN (VALUES (0, 'closed', NULL::time, NULL::time), (1, 'special_hours', TIME '12:00', TIME '22:00'),
             (2, 'moved', TIME '11:00', TIME '14:00')) AS k (n, kind, opens, closes)
  ON k.n = p.id / 20 % 3
WHERE p.id % 20 = 0
"""


def seed_schedules() -> dict:
    """Zones, hours and exceptions for every seeded place, then the upcoming stops. Returns seconds by phase."""
    from django.db import connection, transaction

    from trucks.upcoming import upcoming_stops_rebuild_all

    seconds = {}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(ZONES_SQL)
        cur.execute(HOURS_SQL)
        cur.execute(EXCEPTIONS_SQL)
    seconds["hours_and_exceptions"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    stops = upcoming_stops_rebuild_all()
    seconds["upcoming_stops"] = round(time.perf_counter() - started, 1)
    connection.ensure_connection()
    raw = connection.connection
    autocommit = raw.autocommit
    raw.autocommit = True
    with raw.cursor() as cur:
        for table in ("trucks_place", "trucks_openinghours", "trucks_scheduleexception", "trucks_upcomingstop"):
            cur.execute(f"VACUUM ANALYZE {table}")
    raw.autocommit = autocommit
    seconds["stops_made"] = stops
    return seconds


def seeded_places() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM trucks_place")
        return cur.fetchone()[0]


def refresh_upcoming_stops(report: dict) -> None:
    """A kept database's stops were built on the day it was seeded: when the measured moments (up to 13 days
    ahead) run past them, roll them forward as the nightly job does."""
    from django.db import connection

    from trucks.upcoming import upcoming_stops_rebuild_all

    with connection.cursor() as cur:
        cur.execute("SELECT max(ends_at) >= now() + interval '14 days' FROM trucks_upcomingstop")
        if cur.fetchone()[0]:
            return
    started = time.perf_counter()
    report["refreshed_stops"] = upcoming_stops_rebuild_all()
    report["refresh_seconds"] = round(time.perf_counter() - started, 1)


def moments(count: int, now: datetime, seed_value: int = 3) -> list[datetime]:
    """Whole hours from 1 to 13 days ahead, mostly lunch and evening hours in US time."""
    rng = random.Random(seed_value)
    base = now.replace(minute=0, second=0, microsecond=0)
    return [
        base + timedelta(days=rng.randint(1, 13), hours=rng.choice((16, 17, 18, 19, 23, 0, 1, 2))) for _ in range(count)
    ]


def open_at_page_sql(lat: float, lng: float, moment: datetime, now: datetime, page_size: int = 20):
    """The first page's SQL of search ahead exactly as the API runs it (keys + COUNT(*) OVER () + LIMIT)."""
    from django.db.models import Count, Window

    from trucks.search import places_search

    keys = places_search(lat=lat, lng=lng, radius_km=RADIUS_KM, open_at=moment, now=now)
    if hasattr(keys, "page_sql"):  # the written statement of search ahead with a point only
        return keys.page_sql(offset=0, limit=page_size)
    queryset = keys.annotate(total_count=Window(expression=Count("*")))[:page_size]
    return queryset.query.get_compiler(using="default").as_sql()


def timed_sql(cursor, sql, params) -> tuple[float, list]:
    started = time.perf_counter()
    cursor.execute(sql, params)
    rows = cursor.fetchall()
    return (time.perf_counter() - started) * 1000, rows


def measure(points, when, warmup: int = 50) -> dict:
    """Both searches point by point, one right after the other (the same cache state for both)."""
    import psycopg
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    client = Client()
    connection.ensure_connection()
    cursor = psycopg.ClientCursor(connection.connection)
    now = timezone.now()
    figures = {name: [] for name in ("nearby_sql", "nearby_request", "open_at_sql", "open_at_request")}
    found = {"nearby": [], "open_at": []}
    pairs = list(zip(points, when, strict=True))
    for i, ((lat, lng), moment) in enumerate(pairs[:warmup] + pairs):
        address = f"10.{i % 250}.{i // 250 % 250}.{i % 7 + 1}"
        started = time.perf_counter()
        raw_page(cursor, lat, lng, RADIUS_KM)  # the plain search's statements: the capped count, the page's rings
        nearby_ms = (time.perf_counter() - started) * 1000
        open_ms, _ = timed_sql(cursor, *open_at_page_sql(lat, lng, moment, now))
        query = {"lat": f"{lat:.6f}", "lng": f"{lng:.6f}", "radius_km": RADIUS_KM}
        started = time.perf_counter()
        plain = client.get(f"/api/v1/places/?{urlencode(query)}", REMOTE_ADDR=address)
        nearby_request_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        ahead = client.get(
            f"/api/v1/places/?{urlencode({**query, 'open_at': moment.isoformat()})}", REMOTE_ADDR=address
        )
        open_request_ms = (time.perf_counter() - started) * 1000
        assert plain.status_code == 200, plain.content[:500]
        assert ahead.status_code == 200, ahead.content[:500]
        if i >= warmup:
            figures["nearby_sql"].append(nearby_ms)
            figures["open_at_sql"].append(open_ms)
            figures["nearby_request"].append(nearby_request_ms)
            figures["open_at_request"].append(open_request_ms)
            found["nearby"].append(plain.json()["count"])
            found["open_at"].append(ahead.json()["count"])
    if not connection.get_autocommit():
        connection.commit()
    report = {name: percentiles(samples) for name, samples in figures.items()}
    for kind in ("sql", "request"):
        a, b = report[f"nearby_{kind}"], report[f"open_at_{kind}"]
        report[f"open_at_over_nearby_{kind}"] = {
            "p50": round(b["p50"] / a["p50"], 2),
            "p99": round(b["p99"] / a["p99"], 2),
        }
    report["results"] = {
        name: {"p50": statistics.median(counts), "max": max(counts), "empty": sum(1 for c in counts if c == 0)}
        for name, counts in found.items()
    }
    ratio = report["open_at_over_nearby_request"]
    report["aims"] = {"open_at_over_nearby_request": f"p50 {ratio['p50']}, p99 {ratio['p99']} (aim <= 2)"}
    return report


def explain(lat: float, lng: float, moment: datetime) -> str:
    from django.db import connection
    from django.utils import timezone

    sql, params = open_at_page_sql(lat, lng, moment, timezone.now())
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return "\n".join(row[0] for row in cur.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--section", choices=["open_at"], default="open_at", help="what to measure")
    parser.add_argument("--places", type=int, default=100_000, help="places to seed (the issue asks for 1,000,000)")
    parser.add_argument("--points", type=int, default=1000, help="search points measured")
    parser.add_argument("--db", default="foodtrucks_discovery_bench", help="the benchmark's own database")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure a kept database holding --places places (seed on a busy machine, measure on a quiet one)",
    )
    parser.add_argument("--seed-only", action="store_true", help="seed, keep the database and stop")
    args = parser.parse_args()
    if args.seed_only:
        args.keep = True

    create_database(args.db)
    os.environ.update(_env(args.db))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        report = {"section": args.section, "places": args.places, "points": args.points, "radius_km": RADIUS_KM}
        if args.reuse and seeded_places() == args.places:
            print(f"reusing the {args.places:,} places (and their upcoming stops) already in {args.db}", flush=True)
            refresh_upcoming_stops(report)
        else:
            print(f"seeding {args.places:,} places ...", flush=True)
            report["seed_seconds"] = {"places": round(seed(args.places), 1), **seed_schedules()}
            print(json.dumps(report["seed_seconds"]), flush=True)
        if args.seed_only:
            return
        now = datetime.now(tz=UTC)
        points = query_points(args.points)
        when = moments(args.points, now)
        print(f"EXPLAIN of search ahead near {CITIES[0][0]}:")
        print(explain(CITIES[0][1], CITIES[0][2], when[0]), flush=True)
        load_before = os.getloadavg()[0]
        report.update(measure(points, when))
        # The machine may be shared: the 1-minute load average says how busy it was meanwhile.
        report["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        print("REPORT " + json.dumps(report, indent=2))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.db)


if __name__ == "__main__":
    main()
