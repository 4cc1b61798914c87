"""Benchmark of the signed-in place detail read: the view written in the read (PLACE_VIEW_BUFFER off)
against the view buffered in Redis (on), in the same run, then the flush's throughput.

Seeds its own PostgreSQL database with seed_demo (places with menus, hours, photos, ratings; users;
raw events, so the inserts go into an indexed table of realistic size), then reads random places
as random signed-in users through Django's full request path (middleware, token auth, throttles
in Redis, serializers), in process, alternating blocks of synchronous and buffered reads so a busy
machine weighs on both sides alike. Last, it fills the buffer to --backlog views and times the
flush (`consumers.view_buffer.views_flush`, the worker's code) writing them.

Run (heavy: hold the lock so only one heavy job uses the two cores):
    flock /tmp/bench.lock .venv/bin/python bench/detail_read.py
Options: --reads 2000 --block 100 --places 2000 --users 500 --events 200000 --backlog 20000 --keep
Needs REDIS_URL (a database of yours); only the buffer's own keys are written and removed there.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time

from benchdb import ROOT, bench_url, create_database, psql, setup_django

sys.path.insert(0, str(ROOT))

BENCH_DB = "foodtrucks_bench_detail_read"


def environment(redis_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": bench_url(BENCH_DB),
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "foodtrucks.settings.local",
        "DJANGO_DEBUG": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "API_THROTTLE_USER": "1000000/min",
        "API_THROTTLE_ANON": "1000000/min",
        # The read's wake-up enqueues to an in-memory broker: no worker runs during the reads.
        "CELERY_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }


def prepare(args, env: dict) -> None:
    create_database(BENCH_DB, env)
    run = {"cwd": ROOT, "env": env, "check": True}
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "seed_demo",
            "--places",
            str(args.places),
            "--users",
            str(args.users),
            "--events",
            str(args.events),
            "--no-progress",
        ],
        **run,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(["psql", bench_url(BENCH_DB), "-qc", "VACUUM ANALYZE"], check=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reads", type=int, default=2000, help="detail reads per side")
    parser.add_argument("--block", type=int, default=100, help="reads per block; the sides alternate by block")
    parser.add_argument("--places", type=int, default=2000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--backlog", type=int, default=20_000, help="buffered views the flush writes")
    parser.add_argument("--keep", action="store_true", help="keep the database (and reuse it with --reuse)")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        sys.exit("REDIS_URL must name a Redis database of yours (the buffer writes its keys there).")
    env = environment(redis_url)
    if not args.reuse:
        started = time.monotonic()
        prepare(args, env)
        seconds = time.monotonic() - started
        print(f"seeded {args.places} places, {args.users} users, {args.events} events in {seconds:.0f}s")
    os.environ.update(env)
    setup_django(BENCH_DB, keep_redis=True)
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from accounts.models import User
    from analytics.models import InteractionType, UserInteraction
    from consumers import services, view_buffer
    from trucks.models import Place

    settings.ALLOWED_HOSTS = ["testserver"]
    redis_client = view_buffer.client()
    redis_client.delete(view_buffer.STREAM)
    place_ids = list(Place.objects.filter(is_active=True).values_list("pk", flat=True))
    users = list(User.objects.filter(is_staff=False).order_by("pk")[:200])
    clients = []
    for user in users:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        clients.append(client)
    rng = random.Random(7)

    def read_block(buffered: bool, latencies: list[float]) -> None:
        with override_settings(PLACE_VIEW_BUFFER=buffered):
            for _ in range(args.block):
                client, place_id = rng.choice(clients), rng.choice(place_ids)
                started = time.perf_counter()
                response = client.get(f"/api/v1/places/{place_id}/")
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code

    # Warm up both paths (imports, connections, caches).
    read_block(False, [])
    read_block(True, [])
    sync, buffered = [], []
    while len(sync) < args.reads:
        read_block(False, sync)
        read_block(True, buffered)

    print(f"\ndetail read, signed in ({args.reads} reads a side, blocks of {args.block}, alternating; in process):")
    print(f"{'':28} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for name, values in (("view written in the read", sync), ("view buffered in Redis", buffered)):
        ms = [value * 1000 for value in values]
        print(
            f"{name:28} {statistics.median(ms):8.2f} {percentile(ms, 0.9):8.2f} {percentile(ms, 0.99):8.2f} "
            f"{statistics.fmean(ms):8.2f}"
        )
    ratio50 = statistics.median(buffered) / statistics.median(sync)
    ratio99 = percentile(buffered, 0.99) / percentile(sync, 0.99)
    print(f"buffered / written: p50 {ratio50:.2f}, p99 {ratio99:.2f}")

    # The flush: the reads' entries plus a backlog of views by many users.
    user_ids = list(User.objects.values_list("pk", flat=True))
    from django.utils import timezone

    while redis_client.xlen(view_buffer.STREAM) < args.backlog:
        view_buffer.view_append(user_id=rng.choice(user_ids), place_id=rng.choice(place_ids), viewed_at=timezone.now())
    entries = redis_client.xlen(view_buffer.STREAM)
    before = UserInteraction.objects.filter(type=InteractionType.VIEW).count()
    result = view_buffer.views_flush(write=services.place_views_write, max_seconds=600)
    after = UserInteraction.objects.filter(type=InteractionType.VIEW).count()
    print(
        f"\nflush: {result.views} views of {entries} entries in {result.batches} batches of "
        f"{settings.PLACE_VIEW_BUFFER_BATCH} in {result.seconds:.2f}s = {result.views / result.seconds:,.0f} views/s "
        f"(VIEW events +{after - before})"
    )
    second = view_buffer.views_flush(write=services.place_views_write, max_seconds=60)
    print(f"flush again: {second.views} views (the stream is empty)")
    connection.close()
    if not args.keep:
        psql(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
