"""Benchmark of the map viewport (`GET /api/v1/places/map/?bbox=`) on PostgreSQL, through the API.

Seeds N places spread like the country with bench/nearby.py's COPY seeder (90 % around ~50 metro
centres, 10 % uniform over the continental US) into its own database, then reports p50/p95/p99 of
the whole request in-process (Django, middleware, DRF; production settings) for:
- a national viewport (the continental US, panned a little each time), which answers clusters;
- the same with `open_now=true` (a filter on the clustered rows);
- city viewports (about 11 × 11 km around a random point, mostly in cities): places or clusters,
  depending on how dense the city is;
and prints the EXPLAIN ANALYZE of the national clusters' GROUP BY. Heavy: run it under the bench lock,

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


def explain_national() -> str:
    """The clusters' GROUP BY of the national viewport, as the API runs it."""
    from django.db import connection

    from trucks.models import Place
    from trucks.viewport import Viewport

    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    from trucks.viewport import map_viewport

    with connection.execute_wrapper(capture):
        map_viewport(viewport=Viewport(*NATIONAL), queryset=Place.objects.filter(is_active=True))
    sql, params = captured[-1]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


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
        print("EXPLAIN of the national viewport's clusters:")
        print(explain_national(), flush=True)
        load_before = os.getloadavg()[0]
        report = {
            "places": args.places,
            "requests": args.requests,
            "threshold": settings.MAP_CLUSTER_THRESHOLD,
            "grid": settings.MAP_CLUSTER_GRID,
            "seed_seconds": round(seconds, 1),
            "national": measure(national_boxes(args.requests)),
            "national_open_now": measure(national_boxes(args.requests, seed_value=4), extra="&open_now=true"),
            "city": measure(city_boxes(args.requests)),
        }
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
