"""The nearby endpoint's requests/s under gunicorn against its raw SQL at the same concurrency, in one run.

Seeds its own database (seed_demo), starts gunicorn (production settings, sync workers, loopback) and
measures, alternating rounds so a busy machine weighs on every side alike:

- wrk, --connections connections: the anonymous nearby search (`/api/v1/places/?lat&lng&radius_km`,
  --points points); its raw SQL behind a bare WSGI app under gunicorn with as many workers
  (bench/load/raw_nearby_wsgi.py, the same points: HTTP and gunicorn on both sides, Django on one);
  `/api/v1/categories/` and `/healthz`;
- pgbench, the same number of clients: the nearby page's one statement (the change log's version, the
  capped count, the page's cards with their hours and exceptions: PlainNearbySearch.first_sql), with the
  same points; and every statement the endpoint runs (Django's connection health check, `SELECT 1`, then
  that statement).

Prints requests (or transactions) per second of each, the best round of each, and the ratio
endpoint / raw SQL next to its aim (0.5).

    flock /tmp/bench.lock .venv/bin/python bench/request_overhead.py
Options: --seconds 8 --rounds 4 --connections 16 --workers 4 --places 3000 --keep --reuse
Needs wrk and pgbench (Debian packages wrk, postgresql-client); REDIS_URL a Redis database of yours.
"""

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchdb import ROOT, bench_url, create_database, psql, setup_django

sys.path.insert(0, str(ROOT))

BENCH_DB = "foodtrucks_bench_overhead"
AIM = 0.5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--places", type=int, default=3000)
    parser.add_argument("--points", type=int, default=100, help="at most 128 (pgbench's script limit)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    for tool in ("wrk", "pgbench"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing (apt-get install wrk postgresql-client)")
    if not os.environ.get("REDIS_URL"):
        sys.exit("REDIS_URL must name a Redis database of yours (cache and throttles).")

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": bench_url(BENCH_DB),
        "DJANGO_SETTINGS_MODULE": "foodtrucks.settings.production",
        "DJANGO_SECRET_KEY": "request-overhead-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "API_THROTTLE_ANON": "1000000/min",
        "API_THROTTLE_USER": "1000000/min",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_THREADS": "1",
        "GUNICORN_ACCESSLOG": "/dev/null",
        "GUNICORN_LOGLEVEL": "warning",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    if not args.reuse:
        started = time.monotonic()
        create_database(BENCH_DB, env)
        run = {"cwd": ROOT, "env": env, "check": True}
        seed = ["seed_demo", "--places", str(args.places), "--users", "100", "--events", "0", "--no-progress"]
        subprocess.run([sys.executable, "manage.py", *seed], **run, stdout=subprocess.DEVNULL)
        psql("VACUUM ANALYZE", bench_url(BENCH_DB))
        print(f"seeded {args.places} places in {time.monotonic() - started:.0f}s")

    os.environ.update(env)
    setup_django(BENCH_DB, settings="foodtrucks.settings.production", keep_redis=True)
    from django.conf import settings
    from django.db import connection
    from psycopg import ClientCursor

    from trucks.models import Place
    from trucks.nearby import NearbyKeys
    from trucks.search import PlainNearbySearch

    folder = Path(tempfile.mkdtemp(prefix="request-overhead-"))
    rng = random.Random(5)
    places = list(Place.objects.filter(is_active=True).values("lat", "lng"))
    paths, page_files, endpoint_files = [], [], []
    with connection.cursor():
        mogrify = ClientCursor(connection.connection).mogrify
        for n in range(args.points):
            place = rng.choice(places)
            lat = round(place["lat"] + rng.uniform(-0.03, 0.03), 6)
            lng = round(place["lng"] + rng.uniform(-0.03, 0.03), 6)
            radius = rng.choice([2, 5, 5, 10])
            paths.append(f"/api/v1/places/?lat={lat}&lng={lng}&radius_km={radius}")
            search = PlainNearbySearch(NearbyKeys(lat=lat, lng=lng, radius_km=float(radius)))
            page = mogrify(*search.first_sql(offset=0, limit=21, cap=settings.NEARBY_COUNT_CAP))
            (folder / f"page{n}.sql").write_text(page + ";\n")
            (folder / f"endpoint{n}.sql").write_text(f"SELECT 1;\n{page};\n")
            page_files.append(str(folder / f"page{n}.sql"))
            endpoint_files.append(str(folder / f"endpoint{n}.sql"))
    connection.close()
    (folder / "nearby.txt").write_text("\n".join(paths) + "\n")
    (folder / "raw.txt").write_text("\n".join(path.replace("/api/v1/places/", "/") for path in paths) + "\n")
    (folder / "categories.txt").write_text("/api/v1/categories/\n")
    (folder / "healthz.txt").write_text("/healthz\n")

    gunicorn = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "foodtrucks.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "gunicorn.log", "w"),  # noqa: SIM115
    )
    raw_port = free_port()
    raw = subprocess.Popen(
        [
            *[str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{raw_port}"],
            *["--access-logfile", "/dev/null", "bench.load.raw_nearby_wsgi:application"],
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "raw.log", "w"),  # noqa: SIM115
    )
    try:
        for url in (f"http://127.0.0.1:{port}/readyz", f"http://127.0.0.1:{raw_port}/?lat=0&lng=0"):
            for _ in range(100):
                try:
                    urllib.request.urlopen(url, timeout=1)  # noqa: S310 - our own loopback servers
                    break
                except OSError:
                    time.sleep(0.2)

        def wrk(name: str, target_port: int = port) -> float:
            output = subprocess.run(
                [
                    "wrk",
                    "-t",
                    "2",
                    "-c",
                    str(args.connections),
                    "-d",
                    f"{args.seconds}s",
                    "-s",
                    "bench/load/paths.lua",
                    f"http://127.0.0.1:{target_port}",
                ],
                cwd=ROOT,
                env={**env, "WRK_PATHS": str(folder / f"{name}.txt"), "WRK_TOKEN": ""},
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            line = next(line for line in output.splitlines() if line.startswith("WRK "))
            if " non2xx=0 " not in line:
                print(f"  ({name}: {line})")
            return float(re.search(r"rps=([\d.]+)", line).group(1))

        def pgbench(files: list[str]) -> float:
            command = ["pgbench", "-n", "-c", str(args.connections), "-j", "2", "-T", str(args.seconds)]
            for file in files:
                command += ["-f", file]
            answer = subprocess.run([*command, bench_url(BENCH_DB)], capture_output=True, text=True, check=False)
            if answer.returncode != 0:
                sys.exit(f"pgbench failed: {answer.stderr[-2000:]}")
            return float(re.search(r"tps = ([\d.]+)", answer.stdout).group(1))

        sides = {
            "nearby endpoint (wrk)": lambda: wrk("nearby"),
            "raw SQL behind bare WSGI (wrk)": lambda: wrk("raw", raw_port),
            "nearby statement (pgbench)": lambda: pgbench(page_files),
            "the endpoint's statements (pgbench)": lambda: pgbench(endpoint_files),
            "/api/v1/categories/ (wrk)": lambda: wrk("categories"),
            "/healthz (wrk)": lambda: wrk("healthz"),
        }
        wrk("nearby")  # warm up: workers, connections, caches
        results: dict[str, list[float]] = {name: [] for name in sides}
        load = open("/proc/loadavg").read().split()[:3]  # noqa: SIM115
        for round_ in range(args.rounds):
            for name, side in sides.items():
                results[name].append(side())
            print(f"round {round_ + 1}: " + ", ".join(f"{name} {values[-1]:.0f}/s" for name, values in results.items()))
    finally:
        for server in (gunicorn, raw):
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)

    best = {name: max(values) for name, values in results.items()}
    print(
        f"\n{args.connections} connections, gunicorn {args.workers} sync workers, {args.seconds}s a side, "
        f"{args.rounds} rounds (load average {' '.join(load)} at the start, {os.cpu_count()} cores):"
    )
    for name, value in best.items():
        print(f"  {name:40} {value:8.0f} /s (best round)")
    endpoint = best["nearby endpoint (wrk)"]
    wsgi_ratio = endpoint / best["raw SQL behind bare WSGI (wrk)"]
    page_ratio = endpoint / best["nearby statement (pgbench)"]
    all_ratio = endpoint / best["the endpoint's statements (pgbench)"]
    print(f"endpoint / its raw SQL behind bare WSGI (both through gunicorn and wrk): {wsgi_ratio:.2f} (aim >= {AIM})")
    # The same ratio round by round (its two sides measured back to back): how much the machine moved it.
    per_round = sorted(
        app / raw
        for app, raw in zip(results["nearby endpoint (wrk)"], results["raw SQL behind bare WSGI (wrk)"], strict=True)
    )
    print(
        f"  round by round: {', '.join(f'{ratio:.2f}' for ratio in per_round)}; "
        f"median {statistics.median(per_round):.2f}"
    )
    print(f"endpoint / its page statement (pgbench): {page_ratio:.2f}; / all its statements: {all_ratio:.2f}")
    if not args.keep:
        psql(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
