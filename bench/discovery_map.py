"""Benchmark of the map viewport (`GET /api/v1/places/map/?bbox=`) on PostgreSQL, through the API.

Seeds N places spread like the country with bench/nearby.py's COPY seeder (90 % around ~50 metro
centres, 10 % uniform over the continental US) into its own database, then reports p50/p95/p99 of
the whole request in-process (Django, middleware, DRF; production settings) for:
- a national viewport (the continental US, panned a little each time), which answers clusters;
- the same with `open_now=true` (a filter on the clustered rows);
- the same with `kind=truck`, and regional viewports (3° × 3°, mostly around cities): all answered
  from the lattice (trucks.map_lattice);
- city viewports (about 11 × 11 km around a random point, mostly in cities): places or clusters,
  depending on how dense the city is;
- the national viewport with `category=tacos`, which the lattice cannot answer (the GROUP BY);
checks answers' counts against a brute-force COUNT(*) (both sides of 180° too), and prints the
EXPLAIN ANALYZE of the national clusters' statement. Heavy: run it under the bench lock,

    flock /tmp/bench.lock .venv/bin/python bench/discovery_map.py --places 1000000
    flock /tmp/bench.lock .venv/bin/python bench/discovery_map.py            # 100,000: a quick check
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.nearby import _env, create_database, drop_database, percentiles, query_points, seed  # noqa: E402

NATIONAL = (24.5, -125.0, 49.5, -66.5)  # south, west, north, east
CITY_HALF_SIDE_DEGREES = 0.05  # about 11 km of latitude: a phone's map at street level


def national_boxes(count: int, seed_value: int = 3) -> list[str]:
    """The national viewport, panned by up to half a degree each time (no two requests alike)."""
    rng = random.Random(seed_value)
    boxes = []
    for _ in range(count):
        d_lat, d_lng = rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)
        south, west, north, east = NATIONAL
        boxes.append(f"{south + d_lat:.4f},{west + d_lng:.4f},{north + d_lat:.4f},{east + d_lng:.4f}")
    return boxes


def city_boxes(count: int) -> list[str]:
    half = CITY_HALF_SIDE_DEGREES
    return [f"{lat - half:.5f},{lng - half:.5f},{lat + half:.5f},{lng + half:.5f}" for lat, lng in query_points(count)]


def measure(boxes: list[str], *, extra: str = "", warmup: int = 20) -> dict:
    """Every box through the whole request, one after another; latencies and what the answers were."""
    from django.test import Client

    client = Client()
    latencies, types, items, counts = [], {"places": 0, "clusters": 0}, [], []
    for i, box in enumerate(boxes[:warmup] + boxes):
        started = time.perf_counter()
        response = client.get(f"/api/v1/places/map/?bbox={box}{extra}", REMOTE_ADDR=f"10.{i % 250}.{i // 250 % 250}.9")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content[:500]
        if i < warmup:
            continue
        body = response.json()
        latencies.append(elapsed)
        types[body["type"]] += 1
        items.append(len(body["places"] if body["type"] == "places" else body["clusters"]))
        counts.append(body["count"])
    return {
        "request_ms": percentiles(latencies),
        "answers": types,
        "items_per_answer_max": max(items),
        "places_in_viewport": {"min": min(counts), "max": max(counts)},
    }


def explain_national(extra: str = "") -> str:
    """The last statement of a national map request (the lattice's, or the GROUP BY with a category)."""
    from django.db import connection
    from django.test import Client

    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    south, west, north, east = NATIONAL
    with connection.execute_wrapper(capture):
        Client().get(f"/api/v1/places/map/?bbox={south},{west},{north},{east}{extra}", REMOTE_ADDR="10.9.9.9")
    sql, params = captured[-1]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def check_counts(boxes: list[str], extra: str = "") -> int:
    """Each answer's count equals a brute-force COUNT(*) of the box's active places (both sides of 180°)."""
    from django.db import connection
    from django.test import Client

    client = Client()
    for i, box in enumerate(boxes):
        south, west, north, east = (float(part) for part in box.split(","))
        lng = "lng BETWEEN %s AND %s" if west <= east else "(lng >= %s OR lng <= %s)"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM trucks_place WHERE is_active AND lat BETWEEN %s AND %s AND {lng}"  # nosec B608
                + (" AND is_open" if "open_now=true" in extra else ""),
                [south, north, west, east],
            )
            (expected,) = cursor.fetchone()
        body = client.get(f"/api/v1/places/map/?bbox={box}{extra}", REMOTE_ADDR=f"10.8.{i % 250}.9").json()
        assert body["count"] == expected, (box, body["count"], expected)
    return len(boxes)


def region_boxes(count: int) -> list[str]:
    """About 330 × 330 km around a random point, mostly in cities: edges through dense places."""
    return [f"{lat - 1.5:.5f},{lng - 1.5:.5f},{lat + 1.5:.5f},{lng + 1.5:.5f}" for lat, lng in query_points(count, 5)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--places", type=int, default=100_000, help="places to seed (default 100,000)")
    parser.add_argument("--requests", type=int, default=300, help="requests measured per viewport kind")
    parser.add_argument("--db", default="foodtrucks_map_bench", help="the benchmark's own database")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    create_database(args.db)
    os.environ.update(_env(args.db))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        print(f"seeding {args.places:,} places ...", flush=True)
        seconds = seed(args.places)
        print(f"  seeded in {seconds:.0f} s", flush=True)
        print("EXPLAIN of the national viewport's clusters (the lattice):")
        print(explain_national(), flush=True)
        print("EXPLAIN of the national viewport with a category (the GROUP BY over the places):")
        print(explain_national("&category=tacos"), flush=True)
        load_before = os.getloadavg()[0]
        report = {
            "places": args.places,
            "requests": args.requests,
            "threshold": settings.MAP_CLUSTER_THRESHOLD,
            "grid": settings.MAP_CLUSTER_GRID,
            "seed_seconds": round(seconds, 1),
            "national": measure(national_boxes(args.requests)),
            "national_open_now": measure(national_boxes(args.requests, seed_value=4), extra="&open_now=true"),
            "national_trucks": measure(national_boxes(args.requests, seed_value=6), extra="&kind=truck"),
            "region": measure(region_boxes(args.requests)),
            "city": measure(city_boxes(args.requests)),
            "national_category": measure(national_boxes(50, seed_value=5), extra="&category=tacos", warmup=3),
            "counts_checked": check_counts(national_boxes(10, seed_value=7) + region_boxes(10) + ["50,170,60,-170"])
            + check_counts(national_boxes(5, seed_value=8), extra="&open_now=true"),
        }
        report["aim"] = f"national p99 {report['national']['request_ms']['p99']} ms (aim < 50 ms at 1,000,000 places)"
        # The machine is shared: the 1-minute load average says how busy it was meanwhile.
        report["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        print("REPORT " + json.dumps(report, indent=2))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.db)


if __name__ == "__main__":
    main()
