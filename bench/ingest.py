"""Benchmark of event ingestion: POST /api/v1/events/ under gunicorn against a plain COPY.

Starts gunicorn (2 sync workers, loopback port) on its own PostgreSQL database, drives it from a
second process (threads, each posting batches of 100 fresh events; bounded by a count and a time),
then COPYs the same number of rows of the same shape into the same table, in the same run.

Run (heavy: hold the lock so only one heavy job uses the two cores):
    flock /tmp/bench.lock .venv/bin/python bench/ingest.py
Options: --seconds 20 --max-batches 5000 --threads 4 --keep
"""

import argparse
import http.client
import io
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchdb import ROOT, bench_url, create_database, psql, setup_django

sys.path.insert(0, str(ROOT))

BENCH_DB = "foodtrucks_analytics_bench_ingest"
BATCH = 100
NULL = "\\N"  # COPY's text format
ENV = {
    **os.environ,
    "DATABASE_URL": bench_url(BENCH_DB),
    "DJANGO_SETTINGS_MODULE": "foodtrucks.settings.local",
    "DJANGO_DEBUG": "false",
    "API_THROTTLE_EVENTS": "1000000/min",
    "API_THROTTLE_USER": "1000000/min",
    "DJANGO_LOG_LEVEL": "WARNING",
}
ENV.pop("REDIS_URL", None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(*, places: int, users: int) -> tuple[list[int], list[str]]:
    create_database(BENCH_DB, ENV)
    os.environ.update(ENV)
    setup_django(BENCH_DB)
    from rest_framework.authtoken.models import Token

    from tests.factories import PlaceFactory, UserFactory, VendorFactory

    vendor = VendorFactory()
    place_ids = [PlaceFactory(vendor=vendor).pk for _ in range(places)]
    tokens = [Token.objects.create(user=UserFactory()).key for _ in range(users)]
    from django.db import connection

    connection.close()
    return place_ids, tokens


def event(rng: random.Random, place_ids: list[int], now: datetime) -> dict:
    kind = rng.choice(["CLICK", "NEARBY_DETECTION", "VIEW"])
    item = {
        "client_id": str(uuid.UUID(int=rng.getrandbits(128))),
        "place": rng.choice(place_ids),
        "type": kind,
        "occurred_at": (now - timedelta(seconds=rng.randint(0, 3600))).isoformat(),
    }
    if kind == "VIEW":
        item["dwell_ms"] = rng.randint(1_000, 300_000)
    elif rng.random() < 0.8:
        item["lat"], item["lng"] = round(rng.uniform(25, 48), 5), round(rng.uniform(-124, -70), 5)
    return item


def load(port: int, place_ids: list[int], tokens: list[str], threads: int, seconds: float, max_batches: int, out):
    """The load generator (its own process): threads posting batches until the time or count runs out."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    totals = {"batches": 0, "accepted": 0, "duplicates": 0, "errors": 0, "latencies": []}

    def worker(n: int) -> None:
        rng = random.Random(n)
        token = tokens[n % len(tokens)]
        while time.monotonic() < deadline:
            with lock:
                if totals["batches"] >= max_batches:
                    return
                totals["batches"] += 1
            now = datetime.now(UTC)
            body = json.dumps({"events": [event(rng, place_ids, now) for _ in range(BATCH)]})
            started = time.monotonic()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request(
                "POST",
                "/api/v1/events/",
                body=body,
                headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
            )
            response = connection.getresponse()
            payload = response.read()
            connection.close()
            elapsed = time.monotonic() - started
            with lock:
                totals["latencies"].append(elapsed)
                if response.status in (200, 201):
                    answer = json.loads(payload)
                    totals["accepted"] += answer["accepted"]
                    totals["duplicates"] += answer["duplicates"]
                else:
                    totals["errors"] += 1

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    totals["elapsed"] = time.monotonic() - started
    out.put(totals)


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def copy_same_rows(count: int, place_ids: list[int]) -> float:
    """COPY `count` rows shaped like the API's into the same table; returns the seconds taken."""
    from django.db import connection

    from accounts.models import User

    user_id = User.objects.values_list("pk", flat=True).first()
    rng = random.Random(99)
    now = datetime.now(UTC)
    buffer = io.StringIO()
    for _ in range(count):
        item = event(rng, place_ids, now)
        buffer.write(
            f"{item['client_id']}\t{user_id}\t{item['place']}\t{item['type']}\t{item['occurred_at']}\t"
            f"{now.isoformat()}\t{item.get('lat', NULL)}\t{item.get('lng', NULL)}\t{item.get('dwell_ms', NULL)}\n"
        )
    data = buffer.getvalue()
    connection.ensure_connection()
    raw = connection.connection
    started = time.monotonic()
    with (
        raw.cursor() as cursor,
        cursor.copy(
            "COPY analytics_userinteraction "
            "(client_id, user_id, place_id, type, occurred_at, received_at, lat, lng, dwell_ms) FROM STDIN"
        ) as copy,
    ):
        copy.write(data)
    raw.commit()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-batches", type=int, default=5_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--places", type=int, default=200)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    place_ids, tokens = prepare(places=args.places, users=args.users)
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "foodtrucks.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        out = multiprocessing.Queue()
        generator = multiprocessing.Process(
            target=load, args=(port, place_ids, tokens, args.threads, args.seconds, args.max_batches, out)
        )
        generator.start()
        totals = out.get()
        generator.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    from django.db import connection

    from analytics.models import UserInteraction

    stored = UserInteraction.objects.count()
    latencies = sorted(totals["latencies"])
    api_rate = totals["accepted"] / totals["elapsed"]
    print(
        f"API: {totals['batches']:,} batches of {BATCH} from {args.threads} client threads in "
        f"{totals['elapsed']:.1f} s -> {totals['accepted']:,} accepted, {totals['duplicates']} duplicates, "
        f"{totals['errors']} errors; {stored:,} rows stored"
    )
    print(
        f"API: {api_rate:,.0f} events/s; batch latency p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms"
    )
    seconds = copy_same_rows(totals["accepted"], place_ids)
    copy_rate = totals["accepted"] / seconds
    print(f"COPY: {totals['accepted']:,} rows in {seconds:.2f} s -> {copy_rate:,.0f} rows/s")
    print(f"API / COPY: {api_rate / copy_rate:.3f} ({copy_rate / api_rate:.0f}x slower through the API)")
    connection.close()
    if not args.keep:
        psql(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
