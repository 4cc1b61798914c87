"""Benchmark of the catch-up feed and the ETags (a script, not a test).

Seeds its own database with the demo seeder (its COPY loads go through the change-log triggers,
so the seed's time includes them), then writes a week of check-ins to the change log, each batch of
ten in its own transaction (realistic xids), and reports:
  * what the seed logged, and how long the seed took;
  * the feed: draining the whole log from the oldest cursor in pages of 100 (pages, p50/p99 per
    page, total), and an up-to-date app's poll (nothing new) p50/p99;
  * the place detail and the nearby search: a full answer against a 304 (If-None-Match), p50/p99;
  * a check-in through the service with the place table's triggers on, and with them off.

Small:    .venv/bin/python bench/catch_up.py --places 2000 --changes 20000
Heavier:  flock /tmp/bench.lock .venv/bin/python bench/catch_up.py --places 50000 --changes 500000
Options: --places N --changes N --repeat N --keep (do not drop the database at the end).
"""

import argparse
import statistics
import sys
import time

from benchdb import ROOT, create_database, psql, setup_django

sys.path.insert(0, str(ROOT))

BENCH_DB = "foodtrucks_catch_up_bench"
AUSTIN = (30.2672, -97.7431)


def percentiles(timings: list[float]) -> str:
    timings = sorted(timings)
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    return f"p50 {statistics.median(timings):7.2f} ms  p99 {p99:7.2f} ms  (n={len(timings)})"


def timed(fn, repeat: int, status: int | None = None) -> list[float]:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = fn()
        timings.append((time.perf_counter() - started) * 1000)
        assert status is None or answer.status_code == status, answer
    return timings


def write_changes(changes: int, places: int) -> float:
    """`changes` check-in records over the last week, ten per transaction (COMMIT inside a DO block)."""
    started = time.perf_counter()
    psql(
        f"""
        DO $$
        BEGIN
            FOR batch IN 1..{max(changes // 10, 1)} LOOP
                INSERT INTO trucks_placechangerecord (place_id, kind, created_at)
                SELECT p.id, 'checked_in', now() - random() * interval '7 days'
                FROM (SELECT (SELECT min(id) FROM trucks_place) + (random() * {places - 1})::int AS id
                      FROM generate_series(1, 10)) AS p;
                COMMIT;
            END LOOP;
        END $$;
        """,
        BENCH_DB,
    )
    psql("ANALYZE trucks_placechangerecord", BENCH_DB)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    create_database(BENCH_DB)
    # one client asks thousands of times a minute here
    setup_django(BENCH_DB, API_THROTTLE_ANON="1000000/min")
    from django.db import connection, connections
    from django.test import Client

    from demo.seeder import DemoSeeder
    from trucks.catch_up import Cursor, places_changed_since
    from trucks.models import LocationSource, Place, PlaceChangeRecord
    from trucks.services import place_check_in

    try:
        started = time.perf_counter()
        DemoSeeder(places=args.places, users=max(args.places // 20, 10), events=0).run()
        seeded = time.perf_counter() - started
        logged = PlaceChangeRecord.objects.count()
        print(f"seed: {Place.objects.count()} places in {seeded:.1f} s; the triggers logged {logged} records")
        seconds = write_changes(args.changes, args.places)
        total = PlaceChangeRecord.objects.count()
        print(f"log: {total} records after {args.changes} check-ins written in {seconds:.1f} s")

        # drain the whole log from the beginning, 100 places a page
        since, has_more, pages, page_timings = Cursor(0, 0), True, 0, []
        drained = time.perf_counter()
        while has_more:
            started = time.perf_counter()
            page = places_changed_since(since=since, limit=100)
            page_timings.append((time.perf_counter() - started) * 1000)
            since, has_more, pages = page.next_cursor, page.has_more, pages + 1
        print(
            f"feed drain from the start: {pages} pages in {time.perf_counter() - drained:.2f} s;"
            f" per page {percentiles(page_timings)}"
        )
        client = Client(HTTP_HOST="localhost")
        up_to_date = str(since)
        polls = timed(lambda: client.get("/api/v1/places/changes/", {"since": up_to_date}), args.repeat, 200)
        print(f"feed poll, nothing new (API):      {percentiles(polls)}")

        place_id = Place.objects.filter(is_active=True).order_by("id").values_list("id", flat=True).first()
        detail = f"/api/v1/places/{place_id}/"
        etag = client.get(detail)["ETag"]
        print(f"detail, full answer:               {percentiles(timed(lambda: client.get(detail), args.repeat, 200))}")
        print(
            "detail, 304:                       "
            + percentiles(timed(lambda: client.get(detail, HTTP_IF_NONE_MATCH=etag), args.repeat, 304))
        )
        near = {"lat": AUSTIN[0], "lng": AUSTIN[1], "radius_km": 25}
        search_etag = client.get("/api/v1/places/", near)["ETag"]
        full = timed(lambda: client.get("/api/v1/places/", near), args.repeat, 200)
        print(f"nearby search, full answer:        {percentiles(full)}")
        not_modified = timed(
            lambda: client.get("/api/v1/places/", near, HTTP_IF_NONE_MATCH=search_etag), args.repeat, 304
        )
        print(f"nearby search, 304:                {percentiles(not_modified)}")

        place = Place.objects.get(pk=place_id)

        def check_in():
            place_check_in(place=place, lat=30.27, lng=-97.74, is_open=True, source=LocationSource.API)

        with_triggers = timed(check_in, args.repeat)
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE trucks_place DISABLE TRIGGER USER")
        without_triggers = timed(check_in, args.repeat)
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE trucks_place ENABLE TRIGGER USER")
        print(f"check-in, place triggers on:       {percentiles(with_triggers)}")
        print(f"check-in, place triggers off:      {percentiles(without_triggers)}")
    finally:
        connections.close_all()
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
