"""Where a request's time goes between /healthz and an API endpoint: the WSGI app as gunicorn calls it,
in one process, timed and (optionally) profiled with pyinstrument.

Each path is requested --requests times through `foodtrucks.wsgi.application` with a WSGI environ like
gunicorn's (production settings, Redis cache and throttles, a real PostgreSQL database), so the figures
are the app's own cost per request without the HTTP server. Prints the mean CPU and wall time per
request, and with --profile the pyinstrument tree of each endpoint (pyinstrument is a dev tool, not in
requirements.txt: `pip install --target /tmp/pyi pyinstrument` and PYTHONPATH=/tmp/pyi).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/foodtrucks_load REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/profile_requests.py [--requests 500] [--profile]
"""

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foodtrucks.settings.production")
os.environ.setdefault("DJANGO_SECRET_KEY", "profile-requests-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("API_THROTTLE_ANON", "1000000/min")
os.environ.setdefault("API_THROTTLE_USER", "1000000/min")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")


def environ_for(path: str, headers: dict[str, str]) -> dict:
    """A WSGI environ as gunicorn builds it for a GET from 127.0.0.1."""
    path_info, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "application/json",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    environ.update({f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()})
    return environ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--profile", action="store_true", help="print pyinstrument's tree for each endpoint")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from foodtrucks.wsgi import application
    from trucks.models import Place

    rng = random.Random(3)
    places = list(Place.objects.filter(is_active=True).values("lat", "lng")[:2000])
    nearby = [
        f"/api/v1/places/?lat={p['lat'] + rng.uniform(-0.03, 0.03):.6f}&lng={p['lng'] + rng.uniform(-0.03, 0.03):.6f}"
        f"&radius_km={rng.choice([2, 5, 5, 10])}"
        for p in (rng.choice(places) for _ in range(args.requests))
    ]
    endpoints = {
        "/healthz": ["/healthz"] * args.requests,
        "/api/v1/categories/": ["/api/v1/categories/"] * args.requests,
        "nearby (anonymous)": nearby,
    }

    def call(path: str) -> int:
        status = []
        body = application(environ_for(path, {}), lambda code, headers, exc_info=None: status.append(code))
        for _ in body:
            pass
        body.close()
        return int(status[0].split()[0])

    for paths in endpoints.values():  # warm up: imports, connections, caches
        for path in paths[:20]:
            assert call(path) == 200, path

    print(f"{'endpoint':24} {'CPU ms/req':>10} {'wall ms/req':>11}  ({args.requests} requests each, in process)")
    for name, paths in endpoints.items():
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
            profiler.start()
        cpu, wall = time.process_time(), time.perf_counter()
        for path in paths:
            call(path)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if profiler:
            profiler.stop()
        print(f"{name:24} {1000 * cpu / len(paths):10.2f} {1000 * wall / len(paths):11.2f}")
        if profiler:
            print(profiler.output_text(unicode=False, color=False, show_all=False))
    connection.close()


if __name__ == "__main__":
    main()
