"""Fault drill: SIGKILL a worker inside a day's re-roll; measure how long until the day is right again.

The issue's scenario, under the production settings (a prefork worker as in the Procfile, Redis as
broker, PostgreSQL), in a database of its own:
  1. a New York day is rolled up with 97 views; then 800,000 late views of that day are uploaded;
  2. the beat's task runs on the worker and queues the day's re-roll; as soon as the roll-up
     statement is running (pg_stat_activity), the worker's whole process group gets SIGKILL, as
     when its container is OOM-killed, and a new worker is started at once, as an orchestrator would;
  3. twice a second the drill reads the day's views, its runs and GET /healthz/analytics, and prints
     when each thing happened, counted from the kill.

With the production limits nothing but the broker brings the day back before the next night's beat:
the lost task is redelivered once it has been unacknowledged for the visibility timeout. `--beat-every`
also sends the beat's task every so many seconds, to rehearse the beat's recovery with short limits.

Run (light: one worker, ~1 GB of events; the broker is Redis database --redis-db, flushed):
    .venv/bin/python bench/rollup_kill_drill.py                                  # production limits, ~17 min
    .venv/bin/python bench/rollup_kill_drill.py --hard-limit 60 --beat-every 30  # the beat's path, ~2 min
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchdb import ROOT, bench_url, copy_rows, create_database, psql, setup_django

sys.path.insert(0, str(ROOT))

DRILL_DB = "foodtrucks_kill_drill"
ZONE = "America/New_York"


def environment(args) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "foodtrucks.settings.production",
        "DJANGO_SECRET_KEY": "kill-drill-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": bench_url(DRILL_DB),
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
    }
    if args.hard_limit:
        env["ANALYTICS_ROLLUP_TIME_LIMIT"] = str(args.hard_limit)
        env["ANALYTICS_ROLLUP_SOFT_TIME_LIMIT"] = str(max(1, args.hard_limit * 9 // 10))
    if args.visibility_timeout:
        env["CELERY_BROKER_VISIBILITY_TIMEOUT"] = str(args.visibility_timeout)
    return env


def seed(*, places: int, users: int, first_views: int, late_views: int):
    """The day rolled up with `first_views`, its 8 days before rolled up, then `late_views` uploaded."""
    from django.db import connection
    from django.utils import timezone

    from analytics import rollup
    from analytics.models import LateEventScan, RollupRun, RollupStatus
    from tests.factories import VendorFactory

    rng = random.Random(20261127)
    day = rollup.newest_complete_day(now=timezone.now(), zones=[ZONE])
    start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(ZONE)).astimezone(UTC)
    vendor_id = VendorFactory(business_name="Drill vendor").pk
    raw = connection.connection
    with raw.cursor() as cursor:
        copy_rows(
            cursor,
            "accounts_user",
            "password, is_superuser, email, phone_number, first_name, last_name, primary_city, is_active, "
            "is_staff, date_joined",
            (
                f"!\tf\tuser{n}@drill.example\t+1300{n:07d}\tU\tD\t\tt\tf\t2026-01-01 00:00:00+00\n"
                for n in range(users)
            ),
        )
        copy_rows(
            cursor,
            "trucks_place",
            "vendor_id, kind, name, description, time_zone, address, city, state, lat, lng, location_source, "
            "is_open, is_active, rating_avg, rating_count, created_at, updated_at",
            (
                f"{vendor_id}\ttruck\tTruck {n}\t\t{ZONE}\t\tNew York\tNY\t40.7\t-74.0\taddress\tf\tt\t0\t0\t"
                "2026-01-01 00:00:00+00\t2026-01-01 00:00:00+00\n"
                for n in range(places)
            ),
        )
        cursor.execute("SELECT min(id), max(id) FROM trucks_place")
        first_place, last_place = cursor.fetchone()
        cursor.execute("SELECT min(id), max(id) FROM accounts_user")
        first_user, last_user = cursor.fetchone()

        def views(count: int, received: datetime):
            for _ in range(count):
                occurred = start + timedelta(seconds=rng.randint(0, 23 * 3600))
                yield (
                    f"{rng.getrandbits(128):032x}\t{rng.randint(first_user, last_user)}\t"
                    f"{rng.randint(first_place, last_place)}\tVIEW\t{occurred.isoformat()}\t{received.isoformat()}\n"
                )

        columns = "client_id, user_id, place_id, type, occurred_at, received_at"
        copy_rows(cursor, "analytics_userinteraction", columns, views(first_views, timezone.now()))
        raw.commit()
    for offset in range(1, 9):
        RollupRun.objects.create(
            day=day - timedelta(days=offset), status=RollupStatus.SUCCEEDED, started_at=timezone.now()
        )
    rollup.rollup_day(day=day)
    LateEventScan.objects.create(scanned_until=timezone.now())  # last night's scan saw the first views
    started = time.monotonic()
    with raw.cursor() as cursor:
        copy_rows(cursor, "analytics_userinteraction", columns, views(late_views, timezone.now()))
        raw.commit()
        raw.autocommit = True
        cursor.execute("VACUUM ANALYZE analytics_userinteraction")
    print(
        f"day {day}: {first_views} views rolled up, {late_views:,} late views uploaded "
        f"in {time.monotonic() - started:.1f} s",
        flush=True,
    )
    connection.close()
    return day


def start_worker(env: dict[str, str], name: str, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "foodtrucks", "worker", "--concurrency=1", "--loglevel=info"]
    command += ["-n", f"{name}@%h"]
    with log.open("a") as output:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def send_beat(broker: str) -> None:
    from foodtrucks.celery import app

    with app.connection_for_write(broker) as connection:
        app.send_task("analytics.rollup_due_days", connection=connection, soft_time_limit=None, time_limit=None)


def rollup_statement_running() -> int | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'"
            " AND pid <> pg_backend_pid() AND query LIKE '%%WITH segment AS%%'"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--places", type=int, default=2_000)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--first-views", type=int, default=97)
    parser.add_argument("--late-views", type=int, default=800_000)
    parser.add_argument("--redis-db", type=int, default=13, help="the drill's broker database (flushed)")
    parser.add_argument("--hard-limit", type=int, help="ANALYTICS_ROLLUP_TIME_LIMIT (default: the settings')")
    parser.add_argument("--visibility-timeout", type=int, help="CELERY_BROKER_VISIBILITY_TIMEOUT")
    parser.add_argument("--beat-every", type=int, default=0, help="also send the beat's task every N s")
    parser.add_argument("--timeout", type=int, default=45 * 60, help="give up after this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    env = environment(args)
    create_database(DRILL_DB, env)
    os.environ.update(env)
    setup_django(DRILL_DB, settings="foodtrucks.settings.production", keep_redis=True)
    import redis
    from django.conf import settings
    from django.test import RequestFactory

    from analytics.health import analytics_health
    from analytics.models import DailyPlaceStats, RollupRun, RollupStatus

    broker = env["REDIS_URL"]
    redis.Redis.from_url(broker).flushdb()
    day = seed(places=args.places, users=args.users, first_views=args.first_views, late_views=args.late_views)
    expected = args.first_views + args.late_views
    log = Path(tempfile.gettempdir()) / f"{DRILL_DB}-worker.log"
    log.unlink(missing_ok=True)
    print(
        f"limits: roll-up soft {settings.ANALYTICS_ROLLUP_SOFT_TIME_LIMIT} s, hard "
        f"{settings.ANALYTICS_ROLLUP_TIME_LIMIT} s; visibility timeout "
        f"{settings.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout']} s; worker log {log}",
        flush=True,
    )

    def health() -> tuple[int, str, list[str]]:
        response = analytics_health(RequestFactory().get("/healthz/analytics"))
        body = json.loads(response.content)
        return response.status_code, body["status"], body["stuck_days"]

    def views() -> int:
        return sum(DailyPlaceStats.objects.filter(date=day).values_list("views", flat=True))

    worker = start_worker(env, "first", log)
    workers = [worker]
    try:
        send_beat(broker)
        deadline = time.monotonic() + 120
        while (backend := rollup_statement_running()) is None:
            if time.monotonic() > deadline or views() == expected:
                raise SystemExit("the re-roll finished (or never started) before it could be killed: add --late-views")
            time.sleep(0.01)
        dead = RollupRun.objects.filter(day=day).latest("started_at")
        assert dead.status == RollupStatus.RUNNING, dead
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        killed = time.monotonic()
        print(
            f"   0.0 s  worker killed {(time.time() - dead.started_at.timestamp()):.2f} s into the re-roll "
            f"(backend {backend}); views {views():,}; health {health()}",
            flush=True,
        )
        workers.append(start_worker(env, "restarted", log))
        print("   0.0 s  worker restarted (as an orchestrator would)", flush=True)
        seen: dict[str, float] = {}
        next_beat = killed + args.beat_every if args.beat_every else None

        def mark(key: str, what: str) -> None:
            if key not in seen:
                seen[key] = time.monotonic() - killed
                print(f"{seen[key]:6.1f} s  {what}", flush=True)

        while time.monotonic() - killed < args.timeout:
            if next_beat and time.monotonic() >= next_beat:
                send_beat(broker)
                next_beat += args.beat_every
            status, word, stuck = health()
            if word == "degraded":
                mark("degraded", f"health degraded (HTTP {status}, stuck days {stuck})")
            if not _backend_alive(backend):
                mark("lock_released", "the killed worker's backend is gone: the day's lock is free")
            dead.refresh_from_db()
            if dead.status != RollupStatus.RUNNING:
                mark("abandoned", f"dead run marked {dead.status}: {dead.error}")
            newer = RollupRun.objects.filter(day=day, started_at__gt=dead.started_at).order_by("started_at").first()
            if newer is not None:
                mark("rerun_started", f"the day's roll-up started again (run {newer.pk})")
            count = views()
            if count == expected:
                mark("right", f"the day is right again: {count:,} views")
            if word == "ok" and "right" in seen:
                mark("ok", f"health ok (HTTP {status})")
                break
            time.sleep(0.5)
        runs = list(RollupRun.objects.filter(day=day).order_by("started_at").values_list("status", "duration_ms"))
        print(f"runs of {day}: {runs}", flush=True)
        print("RESULT " + " ".join(f"{key}={value:.0f}s" for key, value in seen.items()), flush=True)
    finally:
        for process in workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=60)
        from django.db import connection

        connection.close()
        redis.Redis.from_url(broker).flushdb()
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {DRILL_DB}")


def _backend_alive(pid: int) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 1


if __name__ == "__main__":
    main()
