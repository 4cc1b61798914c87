"""Benchmark of the followers' alerts fan-out: one place opens, N followers (default 100,000).

Seeds, set-based (INSERT … SELECT generate_series), in its own database `ft_bench_alerts`:
N users following one place in Austin; 60 % with a last known location scattered 0–20 km around it,
20 % with a saved place as far, 30 % with preferences (radius 2–10 km, a third of them in quiet hours
right now, cooldowns), plus 1,000 earlier alerts about the place inside the cooldown. Then it runs the
fan-out the Celery task runs (`notifications.fanout.fan_out`) for one opening, queuing each chunk's
push batches on the real broker (Redis, CELERY_TASK_ALWAYS_EAGER off; the queue is purged after), and
prints the time until every inbox row and push task exists, the rows written, the chunks, and the
time of a re-run of the same change (the retried task: nothing written). `--kind schedule_changed`
(a stop announced for today: no distance filter) alerts nearly every follower: the worst case.
Run it under the bench lock:

    flock /tmp/bench.lock .venv/bin/python bench/alerts_fanout.py --followers 100000
    flock /tmp/bench.lock .venv/bin/python bench/alerts_fanout.py --followers 100000 --kind schedule_changed
"""

import argparse
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from nearby import _env, create_database, drop_database  # noqa: E402 - shared bench helpers

DB_NAME = "ft_bench_alerts"
AUSTIN = (30.2672, -97.7431)


def seed(followers: int) -> int:
    """The users, their favorites of one place, locations, saved places and preferences. Returns the place id."""
    from django.db import connection

    from tests import factories

    place = factories.PlaceFactory(name="Bench Tacos", lat=AUSTIN[0], lng=AUSTIN[1], is_open=False)
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO accounts_user (password, is_superuser, email, first_name, last_name, primary_city,"
            " is_active, is_staff, date_joined)"
            " SELECT '!', false, 'follower' || g || '@bench.example', '', '', '', true, false, now()"
            " FROM generate_series(1, %s) g",
            [followers],
        )
        cur.execute(
            "INSERT INTO accounts_favoriteplace (user_id, place_id, created_at)"
            " SELECT id, %s, now() FROM accounts_user WHERE email LIKE '%%@bench.example'",
            [place.pk],
        )
        # 0-20 km north-east-ish of the place: 1 degree of latitude is 111.2 km
        cur.execute(
            "INSERT INTO notifications_lastlocation (user_id, lat, lng, updated_at)"
            " SELECT id, %s + (random() * 20 / 111.2) * cos(a), %s + (random() * 20 / 96.1) * sin(a), now()"
            " FROM (SELECT id, random() * 2 * pi() AS a FROM accounts_user WHERE id %% 10 < 6) u",
            [AUSTIN[0], AUSTIN[1]],
        )
        cur.execute(
            "INSERT INTO notifications_savedplace (user_id, name, lat, lng, created_at)"
            " SELECT id, 'Work', %s + random() * 20 / 111.2, %s, now() FROM accounts_user WHERE id %% 10 >= 8",
            [AUSTIN[0], AUSTIN[1]],
        )
        cur.execute(
            "INSERT INTO notifications_alertpreferences (user_id, opens_nearby, radius_km, near_me,"
            " near_saved_places, stop_today, time_zone, quiet_start, quiet_end, cooldown_minutes, updated_at)"
            " SELECT id, true, 2 + (id %% 9), true, true, true,"
            "  CASE WHEN id %% 3 = 0 THEN 'Asia/Tokyo' ELSE 'America/Chicago' END,"
            "  CASE WHEN id %% 3 = 0 THEN (now() AT TIME ZONE 'Asia/Tokyo')::time - interval '1 hour' END,"
            "  CASE WHEN id %% 3 = 0 THEN (now() AT TIME ZONE 'Asia/Tokyo')::time + interval '1 hour' END,"
            "  60 + (id %% 4) * 60, now()"
            " FROM accounts_user WHERE id %% 10 IN (1, 4, 7)",
            [],
        )
        cur.execute(
            "INSERT INTO notifications_notification (user_id, place_id, change_id, kind, title, body, created_at,"
            " push) SELECT id, %s, gen_random_uuid(), 'opened_nearby', 'earlier', '', now() - interval '30 minutes',"
            " true FROM accounts_user WHERE id %% 10 < 6 ORDER BY id LIMIT 1000",
            [place.pk],
        )
        cur.execute("VACUUM ANALYZE")
    return place.pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=None, help="followers per statement (FAN_OUT_CHUNK)")
    parser.add_argument(
        "--kind",
        choices=["opened", "schedule_changed"],
        default="opened",
        help="opened: the distance filter applies; schedule_changed (a stop today): every follower",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    os.environ.update(_env(DB_NAME))
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    drop_database(DB_NAME)
    create_database(DB_NAME)

    import django

    django.setup()
    from django.core.management import call_command

    from foodtrucks.celery import app
    from notifications import fanout
    from notifications.models import Notification
    from notifications.tasks import push_notifications

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    place_id = seed(args.followers)
    print(f"seeded {args.followers:,} followers in {time.perf_counter() - started:.1f} s")

    queued = []

    def enqueue(ids):
        push_notifications.delay(ids)
        queued.append(len(ids))

    change = {
        "change_id": str(uuid.uuid4()),
        "kind": args.kind,
        "place_id": place_id,
        "lat": AUSTIN[0],
        "lng": AUSTIN[1],
        "at": datetime.now(UTC),
    }
    chunk = {"chunk": args.chunk} if args.chunk else {}
    try:
        started = time.perf_counter()
        result = fanout.fan_out(**change, enqueue_push=enqueue, **chunk)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = fanout.fan_out(**change, enqueue_push=enqueue, **chunk)
        rerun = time.perf_counter() - started
        rows = Notification.objects.filter(change_id=change["change_id"]).count()
    finally:
        app.control.purge()

    print(
        f"change: {args.kind}; followers {result.followers:,} "
        f"in {result.chunks} chunks of {args.chunk or fanout.FAN_OUT_CHUNK:,}"
    )
    print(
        f"fan-out: {first:.2f} s until {result.notified:,} inbox rows and {len(queued):,} push tasks "
        f"({result.to_push:,} pushes; {result.notified - result.to_push:,} quiet) existed"
    )
    print(f"re-run of the same change: {rerun:.2f} s, {again.notified} rows written; rows of the change: {rows:,}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        drop_database(DB_NAME)


if __name__ == "__main__":
    main()
