"""Benchmark of the nearby search on PostgreSQL: the raw SQL, the full API request, and gunicorn.

Seeds N places spread like the country (most around ~50 city centres with a gaussian spread, the
rest uniform over the continental US) with COPY into its own database, then reports p50/p95/p99 of
(a) the nearby statements exactly as the API runs them (the capped count, then the page in a ring),
(b) `GET /api/v1/places/?lat=&lng=&radius_km=5` through Django and DRF in-process (both also at
points around the densest centre, and the first pages checked against a full sort), and (c)
requests per second of that endpoint under gunicorn, driven by a load generator in a second process.
Heavy: run it under the bench lock, e.g.

    flock /tmp/bench.lock .venv/bin/python bench/nearby.py --places 1000000
    flock /tmp/bench.lock .venv/bin/python bench/nearby.py --sizes 100000,5000000 --no-load
    # seed while the machine is busy, then measure when it is quiet:
    .venv/bin/python bench/nearby.py --sizes 100000,5000000 --seed-only
    flock /tmp/bench.lock .venv/bin/python bench/nearby.py --sizes 100000,5000000 --reuse --no-load
"""

import argparse
import http.client
import json
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time

from benchdb import ROOT, bench_url

sys.path.insert(0, str(ROOT))

# (name, lat, lng, weight, spread in km): the 50 largest US metro areas, roughly.
CITIES = [
    ("New York", 40.7128, -74.0060, 20, 18),
    ("Los Angeles", 34.0522, -118.2437, 14, 22),
    ("Chicago", 41.8781, -87.6298, 10, 16),
    ("Dallas", 32.7767, -96.7970, 8, 18),
    ("Houston", 29.7604, -95.3698, 8, 18),
    ("Washington", 38.9072, -77.0369, 7, 14),
    ("Philadelphia", 39.9526, -75.1652, 7, 12),
    ("Miami", 25.7617, -80.1918, 7, 14),
    ("Atlanta", 33.7490, -84.3880, 7, 16),
    ("Boston", 42.3601, -71.0589, 6, 12),
    ("Phoenix", 33.4484, -112.0740, 6, 16),
    ("San Francisco", 37.7749, -122.4194, 6, 10),
    ("Riverside", 33.9806, -117.3755, 5, 14),
    ("Detroit", 42.3314, -83.0458, 5, 14),
    ("Seattle", 47.6062, -122.3321, 5, 12),
    ("Minneapolis", 44.9778, -93.2650, 4, 12),
    ("San Diego", 32.7157, -117.1611, 4, 12),
    ("Tampa", 27.9506, -82.4572, 4, 12),
    ("Denver", 39.7392, -104.9903, 4, 12),
    ("Baltimore", 39.2904, -76.6122, 3, 10),
    ("St. Louis", 38.6270, -90.1994, 3, 12),
    ("Orlando", 28.5383, -81.3792, 3, 12),
    ("Charlotte", 35.2271, -80.8431, 3, 12),
    ("San Antonio", 29.4241, -98.4936, 3, 12),
    ("Portland", 45.5152, -122.6784, 3, 10),
    ("Sacramento", 38.5816, -121.4944, 3, 10),
    ("Pittsburgh", 40.4406, -79.9959, 3, 10),
    ("Austin", 30.2672, -97.7431, 3, 10),
    ("Las Vegas", 36.1699, -115.1398, 3, 10),
    ("Cincinnati", 39.1031, -84.5120, 2, 10),
    ("Kansas City", 39.0997, -94.5786, 2, 10),
    ("Columbus", 39.9612, -82.9988, 2, 10),
    ("Indianapolis", 39.7684, -86.1581, 2, 10),
    ("Cleveland", 41.4993, -81.6944, 2, 10),
    ("San Jose", 37.3382, -121.8863, 2, 10),
    ("Nashville", 36.1627, -86.7816, 2, 10),
    ("Virginia Beach", 36.8529, -75.9780, 2, 10),
    ("Providence", 41.8240, -71.4128, 2, 8),
    ("Jacksonville", 30.3322, -81.6557, 2, 10),
    ("Milwaukee", 43.0389, -87.9065, 2, 8),
    ("Raleigh", 35.7796, -78.6382, 2, 8),
    ("Oklahoma City", 35.4676, -97.5164, 2, 10),
    ("Memphis", 35.1495, -90.0490, 2, 8),
    ("Richmond", 37.5407, -77.4360, 1, 8),
    ("Louisville", 38.2527, -85.7585, 1, 8),
    ("New Orleans", 29.9511, -90.0715, 1, 8),
    ("Salt Lake City", 40.7608, -111.8910, 1, 8),
    ("Hartford", 41.7658, -72.6734, 1, 8),
    ("Buffalo", 42.8864, -78.8784, 1, 8),
    ("Birmingham", 33.5186, -86.8104, 1, 8),
]
US_BOX = (25.0, 49.0, -124.5, -67.0)  # lat_min, lat_max, lng_min, lng_max
CITY_SHARE = 0.9
KM_PER_DEGREE = 111.195


def _env(db_name: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="foodtrucks.settings.production",
        DATABASE_URL=bench_url(db_name),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/4"),
        DJANGO_SECRET_KEY="bench-only-secret-key-not-used-anywhere-else",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        # The rate limits stay on with their usual rates; the clients come from many addresses
        # (X-Forwarded-For set by a pretend load balancer), as real users do.
        TRUSTED_PROXY_COUNT="1",
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


def _scatter(rng: random.Random, lat: float, lng: float, sigma_km: float) -> tuple[float, float]:
    p_lat = lat + rng.gauss(0, sigma_km) / KM_PER_DEGREE
    p_lng = lng + rng.gauss(0, sigma_km) / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    return min(max(p_lat, -90.0), 90.0), min(max(p_lng, -180.0), 180.0)


def random_location(rng: random.Random, weights: list[int], *, city_share=CITY_SHARE, spread=1.0):
    if rng.random() < city_share:
        name, lat, lng, _, sigma = rng.choices(CITIES, weights=weights)[0]
        return name, *_scatter(rng, lat, lng, sigma * spread)
    return "", rng.uniform(US_BOX[0], US_BOX[1]), rng.uniform(US_BOX[2], US_BOX[3])


def create_database(db_name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{db_name}"')


def use_database(db_name: str) -> None:
    """Point Django's default connection at another benchmark database (one per size with --seed-only/--reuse)."""
    from django.db import connections

    create_database(db_name)
    connections["default"].close()
    connections["default"].settings_dict["NAME"] = db_name


def place_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM trucks_place")
        return cursor.fetchone()[0]


def drop_database(db_name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def seed(n_places: int, seed_value: int = 1) -> float:
    """Replace every place with `n_places` new ones (COPY), then VACUUM ANALYZE. Returns seconds."""
    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    rng = random.Random(seed_value)
    weights = [c[3] for c in CITIES]
    now = timezone.now().isoformat()
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cur:
        cur.execute(
            "TRUNCATE trucks_place_categories, trucks_menu_places, trucks_place, vendors_vendor, trucks_category "
            "RESTART IDENTITY CASCADE"
        )
        with cur.copy("COPY trucks_category (name, slug, position) FROM STDIN") as copy:
            for i, name in enumerate(["Tacos", "BBQ", "Burgers", "Pizza", "Coffee", "Vegan", "Asian", "Dessert"]):
                copy.write_row((name, name.lower(), i))
        n_vendors = max(1, n_places // 10)
        with cur.copy(
            "COPY vendors_vendor (business_name, description, contact_email, contact_phone, website, primary_city, "
            "verification_status, verification_note, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(n_vendors):
                copy.write(f"Vendor {i}\t\t\t\t\t\tverified\t\t{now}\t{now}\n")
        columns = (
            "vendor_id, kind, name, description, time_zone, address, city, state, lat, lng, location_source, "
            "location_updated_at, is_open, is_active, rating_avg, rating_count, created_at, updated_at"
        )
        with cur.copy(f"COPY trucks_place ({columns}) FROM STDIN") as copy:
            chunk = []
            for i in range(n_places):
                city, lat, lng = random_location(rng, weights)
                kind = "truck" if rng.random() < 0.7 else "stand"
                is_open = "t" if rng.random() < 0.4 else "f"
                rating_count = rng.randint(0, 40)
                rating_avg = f"{rng.uniform(2.5, 5.0):.2f}" if rating_count else "0"
                chunk.append(
                    f"{rng.randint(1, n_vendors)}\t{kind}\tPlace {i}\t\tAmerica/Chicago\t\t{city}\t\t{lat:.6f}\t"
                    f"{lng:.6f}\taddress\t{now}\t{is_open}\tt\t{rating_avg}\t{rating_count}\t{now}\t{now}\n"
                )
                if len(chunk) == 50_000:
                    copy.write("".join(chunk))
                    chunk = []
            copy.write("".join(chunk))
        with cur.copy("COPY trucks_place_categories (place_id, category_id) FROM STDIN") as copy:
            chunk = []
            for place_id in range(1, n_places + 1):
                first = rng.randint(1, 8)
                chunk.append(f"{place_id}\t{first}\n")
                if rng.random() < 0.5:
                    chunk.append(f"{place_id}\t{first % 8 + 1}\n")
                if len(chunk) >= 50_000:
                    copy.write("".join(chunk))
                    chunk = []
            copy.write("".join(chunk))
    raw.commit()
    autocommit = raw.autocommit
    raw.autocommit = True
    with raw.cursor() as cur:
        cur.execute("VACUUM ANALYZE trucks_place")
        cur.execute("VACUUM ANALYZE trucks_place_categories")
        cur.execute("VACUUM ANALYZE vendors_vendor")
    raw.autocommit = autocommit
    return time.perf_counter() - started


def query_points(count: int, seed_value: int = 2) -> list[tuple[float, float]]:
    """Random search points, mostly in cities (the users are where the trucks are)."""
    rng = random.Random(seed_value)
    weights = [c[3] for c in CITIES]
    return [random_location(rng, weights, spread=0.7)[1:] for _ in range(count)]


def percentiles(samples_ms: list[float]) -> dict:
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {
        "p50": round(cuts[49], 2),
        "p95": round(cuts[94], 2),
        "p99": round(cuts[98], 2),
        "mean": round(statistics.fmean(samples_ms), 2),
    }


def raw_page(cursor, lat: float, lng: float, radius_km: float = 5.0, page_size: int = 20) -> tuple[int, int]:
    """The first page exactly as the API's statements run it (trucks.nearby.NearbyKeys.page): the capped
    count, then the page's cards in the first ring (widened while it holds too few). Returns the
    capped count and the rings read."""
    from django.conf import settings

    from trucks.search import PlainNearbySearch, places_search

    search = places_search(lat=lat, lng=lng, radius_km=radius_km)
    assert isinstance(search, PlainNearbySearch)
    keys, cap = search.keys, settings.NEARBY_COUNT_CAP
    sql, params = keys.count_sql(cap=cap)
    cursor.execute(sql, params)
    (count,) = cursor.fetchone()
    radius, rings = keys.first_ring_km(count=count, cap=cap, needed=page_size + 1), 0
    while True:
        sql, params = search.page_sql(offset=0, limit=page_size + 1, radius_km=radius)
        cursor.execute(sql, params)
        rows, rings = cursor.fetchall(), rings + 1
        if len({row[0] for row in rows}) > page_size or radius >= radius_km:
            return count, rings
        radius = min(radius_km, radius * 2.0)


def measure(points: list[tuple[float, float]], warmup: int = 50) -> dict:
    """(a) the raw SQL and (b) the full request, point by point (same cache state for both)."""
    import psycopg
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    client = Client()
    connection.ensure_connection()
    cursor = psycopg.ClientCursor(connection.connection)  # Django's own cursor class on psycopg 3
    raw_ms, request_ms, counts, rings = [], [], [], []
    for i, (lat, lng) in enumerate(points[:warmup] + points):
        started = time.perf_counter()
        count, ring_reads = raw_page(cursor, lat, lng)
        raw_elapsed = (time.perf_counter() - started) * 1000
        path = f"/api/v1/places/?lat={lat:.6f}&lng={lng:.6f}&radius_km=5"
        started = time.perf_counter()
        response = client.get(path, REMOTE_ADDR=f"10.{i % 250}.{i // 250 % 250}.{i % 7 + 1}")
        request_elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content[:500]
        if i >= warmup:
            raw_ms.append(raw_elapsed)
            request_ms.append(request_elapsed)
            counts.append(count)
            rings.append(ring_reads)
    connection.commit() if not connection.get_autocommit() else None
    return {
        "raw_sql_ms": percentiles(raw_ms),
        "request_ms": percentiles(request_ms),
        "results_in_circle": {
            "p50": statistics.median(counts),
            "max": max(counts),
            "empty": sum(1 for c in counts if c == 0),
            "capped": sum(1 for c in counts if c > settings.NEARBY_COUNT_CAP),
            "cap": settings.NEARBY_COUNT_CAP,
        },
        "rings_read": {"1": rings.count(1), "more": sum(1 for r in rings if r > 1), "max": max(rings)},
    }


def densest_points(count: int) -> list[tuple[float, float]]:
    """Points within 1 km of the densest city's centre (New York: the most places in a 5 km circle)."""
    rng = random.Random(3)
    _, lat, lng, _, _ = CITIES[0]
    return [_scatter(rng, lat, lng, 0.5) for _ in range(count)]


def brute_force_check(points: list[tuple[float, float]]) -> int:
    """The first page of the ring equals the first 20 of the whole circle sorted (the old statement)."""
    from django.db import connection

    from trucks.nearby import _DISTANCE_SQL, NearbyKeys

    checked = 0
    with connection.cursor() as cursor:
        for lat, lng in points:
            keys = NearbyKeys(lat=lat, lng=lng, radius_km=5.0)
            page = keys.page_rows(offset=0, limit=20, cap=1000)
            _, params = keys.page_sql(offset=0, limit=20)
            cursor.execute(
                f"SELECT id FROM (SELECT id, {_DISTANCE_SQL} AS d FROM trucks_place WHERE is_active) AS t"  # nosec B608
                " WHERE d <= %(radius_km)s ORDER BY d, id LIMIT 20",
                params,
            )
            assert [row["id"] for row in page.rows] == [row[0] for row in cursor.fetchall()], (lat, lng)
            checked += 1
    return checked


def explain(lat: float, lng: float) -> str:
    from django.conf import settings
    from django.db import connection

    from trucks.search import places_search

    search = places_search(lat=lat, lng=lng, radius_km=5.0)
    cap = settings.NEARBY_COUNT_CAP
    count_sql, count_params = search.keys.count_sql(cap=cap)
    lines = []
    with connection.cursor() as cur:
        cur.execute(count_sql, count_params)
        (count,) = cur.fetchone()
        radius = search.keys.first_ring_km(count=count, cap=cap, needed=21)
        page_sql, page_params = search.page_sql(offset=0, limit=21, radius_km=radius)
        for sql, params in ((count_sql, count_params), (page_sql, page_params)):
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            lines += [row[0] for row in cur.fetchall()] + ["--"]
    return f"capped count {count}, first ring {radius:.3f} km\n" + "\n".join(lines)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_client(port: int, seconds: float, threads: int, points: list[tuple[float, float]]) -> dict:
    """The load generator (a separate process): `threads` clients, each one request after another."""
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def worker(offset: int):
        i = offset
        mine = []
        while time.perf_counter() < deadline:
            lat, lng = points[i % len(points)]
            i += threads
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            started = time.perf_counter()
            try:
                client_ip = f"10.{i % 250}.{i // 250 % 250}.{offset + 1}"
                conn.request(
                    "GET",
                    f"/api/v1/places/?lat={lat:.6f}&lng={lng:.6f}&radius_km=5",
                    headers={"X-Forwarded-For": client_ip},
                )
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
            finally:
                conn.close()
            if ok:
                mine.append((time.perf_counter() - started) * 1000)
            else:
                with lock:
                    failures[0] += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "failures": failures[0],
        "seconds": round(elapsed, 1),
        "rps": round(len(latencies) / elapsed, 1),
        "latency_ms": percentiles(latencies) if len(latencies) > 2 else None,
    }


def run_load(db_name: str, points, *, workers: int, seconds: float, threads: int) -> dict:
    port = _free_port()
    env = _env(db_name)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "foodtrucks.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}") from None
                time.sleep(0.1)
        points_json = json.dumps(points[:1000])
        client = subprocess.run(
            [sys.executable, __file__, "--load-client", str(port), str(seconds), str(threads)],
            input=points_json,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=seconds + 120,
            check=True,
        )
        result = json.loads(client.stdout)
        result.update(workers=workers, client_threads=threads)
        return result
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--places", type=int, default=1_000_000, help="places to seed (default 1,000,000)")
    parser.add_argument("--sizes", default="", help="comma-separated sizes to compare, e.g. 100000,5000000")
    parser.add_argument("--points", type=int, default=1000, help="search points measured per size")
    parser.add_argument("--dense-points", type=int, default=300, help="points measured around the densest centre")
    parser.add_argument("--db", default="foodtrucks_api_bench", help="the benchmark's own database")
    parser.add_argument("--no-load", action="store_true", help="skip (c), the gunicorn load test")
    parser.add_argument("--load-seconds", type=float, default=20.0)
    parser.add_argument("--load-threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--seed-only",
        action="store_true",
        help="seed each size into its own database (<db>_<size>), keep them, stop: seeding may run on a busy machine",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the databases --seed-only kept (<db>_<size>), seeding only a size that is missing",
    )
    parser.add_argument("--load-client", nargs=3, metavar=("PORT", "SECONDS", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.load_client:
        points = [tuple(p) for p in json.loads(sys.stdin.read())]
        port, seconds, threads = int(args.load_client[0]), float(args.load_client[1]), int(args.load_client[2])
        print(json.dumps(load_client(port, seconds, threads, points)))
        return

    per_size = args.seed_only or args.reuse
    if args.seed_only:
        args.keep = True
    sizes = [int(s) for s in args.sizes.split(",") if s] or [args.places]
    first_db = f"{args.db}_{sizes[0]}" if per_size else args.db
    create_database(first_db)
    os.environ.update(_env(first_db))
    import django

    django.setup()
    from django.core.management import call_command

    points = query_points(args.points)
    report = {"points": args.points, "radius_km": 5, "sizes": {}}
    try:
        for size in sizes:
            db_name = f"{args.db}_{size}" if per_size else args.db
            if per_size:
                use_database(db_name)
            call_command("migrate", verbosity=0)
            if args.reuse and place_count() == size:
                print(f"reusing the {size:,} places in {db_name}", flush=True)
                seconds = 0.0
            else:
                print(f"seeding {size:,} places ...", flush=True)
                seconds = seed(size)
                print(f"  seeded in {seconds:.0f} s", flush=True)
            if args.seed_only:
                continue
            print(f"EXPLAIN of the first page near {CITIES[0][0]} ({size:,} places):")
            print(explain(CITIES[0][1], CITIES[0][2]), flush=True)
            load_before = os.getloadavg()[0]
            figures = measure(points)
            figures["densest"] = measure(densest_points(args.dense_points), warmup=10)
            figures["checked_against_full_sort"] = brute_force_check(points[:50] + densest_points(20))
            # The machine is shared: the 1-minute load average says how busy it was meanwhile.
            figures["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
            figures["seed_seconds"] = round(seconds, 1)
            a, b = figures["raw_sql_ms"], figures["request_ms"]
            figures["request_over_raw"] = {"p50": round(b["p50"] / a["p50"], 2), "p99": round(b["p99"] / a["p99"], 2)}
            if not args.no_load and size == sizes[-1]:
                print("load test under gunicorn ...", flush=True)
                figures["gunicorn"] = run_load(
                    db_name, points, workers=args.workers, seconds=args.load_seconds, threads=args.load_threads
                )
            report["sizes"][size] = figures
            print(json.dumps({size: figures}, indent=2), flush=True)
        if args.seed_only:
            print(f"seeded and kept: {', '.join(f'{args.db}_{size}' for size in sizes)}")
            return
        if len(sizes) > 1:
            first, last = report["sizes"][sizes[0]], report["sizes"][sizes[-1]]
            report["raw_p50_growth"] = round(last["raw_sql_ms"]["p50"] / first["raw_sql_ms"]["p50"], 2)
            report["raw_p99_growth"] = round(last["raw_sql_ms"]["p99"] / first["raw_sql_ms"]["p99"], 2)
        last = report["sizes"][sizes[-1]]
        report["aims"] = {
            "densest_raw_p99_ms": f"{last['densest']['raw_sql_ms']['p99']} (aim < 20 at 5M places)",
            "densest_request_p99_ms": f"{last['densest']['request_ms']['p99']}",
        }
        if len(sizes) > 1:
            report["aims"]["raw_p50_growth"] = f"{report['raw_p50_growth']} (aim < 2 from 100k to 5M)"
        print("REPORT " + json.dumps(report))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            for size in sizes:
                drop_database(f"{args.db}_{size}" if per_size else args.db)


if __name__ == "__main__":
    main()
