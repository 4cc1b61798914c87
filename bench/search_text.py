"""Benchmark of the text search (`q` on GET /api/v1/places/) at scale (a script, not a test).

Seeds its own PostgreSQL database with the demo seeder (demo/seeder.py: COPY loads, then one
set-based build of every place's search document), then reports, for a handful of queries (a category,
a two-word menu item, single items, a category that also names items, a miss; with and without a point):
  * p50/p95 of the full API request through Django and DRF in-process,
  * the count of matches and whether the plan reads place_search_document_idx,
and checks the answers: every place has a document, and results come best match first.

Small, for correctness:
    .venv/bin/python bench/search_text.py --places 300
At scale (heavy: hold the lock so only one heavy job uses the two cores):
    flock /tmp/bench.lock .venv/bin/python bench/search_text.py --places 1000000 --repeat 50
Options: --places N --repeat N --keep (do not drop the database at the end).
"""

import argparse
import statistics
import sys
import time

from benchdb import ROOT, create_database, psql, setup_django

sys.path.insert(0, str(ROOT))

BENCH_DB = "foodtrucks_search_bench"
AUSTIN = (30.2672, -97.7431)
QUERIES = ["tacos", "pulled pork", "churro", "shawarma", "vegan", "zzyzx nothing"]


def seed(places: int) -> float:
    from demo.seeder import DemoSeeder

    seeder = DemoSeeder(places=places, users=max(places // 20, 10), events=0)
    seeder.run()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE trucks_place")  # plans as on a live database, not on a fresh COPY
    return seeder.report.seconds["search documents"]


def uses_text_index(q: str) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT id FROM trucks_place WHERE is_active"
            " AND search_document @@ websearch_to_tsquery('english', %s)",
            [q],
        )
        return any("place_search_document_idx" in row[0] for row in cursor.fetchall())


def check_best_match_first(client, q: str) -> None:
    """The page's ranks never rise (computed again in SQL for the page's ids)."""
    from django.db import connection

    ids = [row["id"] for row in client.get("/api/v1/places/", {"q": q, "page_size": 50}).json()["results"]]
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, ts_rank(search_document, websearch_to_tsquery('english', %s)) FROM trucks_place"
            " WHERE id = ANY(%s)",
            [q, ids],
        )
        ranks = dict(cursor.fetchall())
    in_order = [ranks[i] for i in ids]
    assert in_order == sorted(in_order, reverse=True), f"{q!r}: not best match first"


def time_requests(client, params: dict, repeat: int) -> tuple[float, float, int]:
    timings, count = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get("/api/v1/places/", params)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
        count = response.json()["count"]
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return statistics.median(timings), p95, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    create_database(BENCH_DB)
    setup_django(BENCH_DB)
    from django.test import Client

    from trucks.models import Place

    try:
        build_seconds = seed(args.places)
        missing = Place.objects.filter(search_document__isnull=True).count()
        assert missing == 0, f"{missing} places without a search document"
        print(f"{Place.objects.count()} places; documents built in {build_seconds:.2f} s (one statement)")
        client = Client(HTTP_HOST="localhost")
        print(f"{'query':<16} {'point':<6} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8}  index")
        for q in QUERIES:
            check_best_match_first(client, q)
            for point in (False, True):
                params = {"q": q, **({"lat": AUSTIN[0], "lng": AUSTIN[1], "radius_km": 25} if point else {})}
                p50, p95, count = time_requests(client, params, args.repeat)
                print(f"{q:<16} {'yes' if point else 'no':<6} {count:>8} {p50:>8.1f} {p95:>8.1f}  {uses_text_index(q)}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
