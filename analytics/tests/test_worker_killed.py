"""Fault drill: a real worker is SIGKILLed in the middle of the roll-up statement.

The worker (`celery -A foodtrucks worker --pool=solo`, production settings, a Redis database of
its own as broker, the test database) is stopped inside the statement deterministically: the test
holds a row lock the statement needs, waits until pg_stat_activity shows the worker's backend
waiting for it, and kills the worker. Then the beat, run by a second worker, has to find the dead
run, record it abandoned and roll the day up again, while /healthz/analytics tells the operator;
or the broker hands the lost task to another worker once its visibility timeout has passed. A
prefork worker (the production pool) shows the soft time limit stopping a roll-up that overruns.
"""

import re
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import redis
from django.db import connection
from django.db.models import F
from django.utils import timezone

from analytics import rollup
from analytics.models import DailyPlaceStats, LateEventScan, RollupRun, RollupStatus
from foodtrucks.celery import app
from tests import factories
from tests.celery_worker import (
    broker_url,
    database_url,
    flush_broker,
    kill,
    wait_until,
    worker_environment,
    worker_process,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

HEALTH = "/healthz/analytics"
# The drill's time limits (seconds): the workers get them, and so do this process's settings
# (the health view's "stuck past its limit"). Solo workers do not enforce them; the test kills.
SOFT_LIMIT, HARD_LIMIT = 50, 60
ZONE = "America/New_York"


@pytest.fixture
def broker():
    """The drill's own Redis database as broker, empty before and after; tasks are sent to it."""
    url = broker_url()
    flush_broker(url)
    eager = app.conf.task_always_eager
    app.conf.update(task_always_eager=False)  # send_task always publishes; this spares its warning
    try:
        yield url
    finally:
        app.conf.update(task_always_eager=eager)
        flush_broker(url)


@pytest.fixture
def limits(settings):
    settings.ANALYTICS_ROLLUP_SOFT_TIME_LIMIT = SOFT_LIMIT
    settings.ANALYTICS_ROLLUP_TIME_LIMIT = HARD_LIMIT


def _worker_env(broker: str, **extra: str) -> dict[str, str]:
    limits = {"ANALYTICS_ROLLUP_SOFT_TIME_LIMIT": str(SOFT_LIMIT), "ANALYTICS_ROLLUP_TIME_LIMIT": str(HARD_LIMIT)}
    return worker_environment(broker=broker, **limits, **extra)


def _send(broker: str, task: str, *args: str) -> None:
    """Publish a task by name, as beat does. The sender's time limits travel in the message; None
    leaves the worker's own (its environment's) in force, not this process's."""
    with app.connection_for_write(broker) as broker_connection:
        app.send_task(task, args=list(args), connection=broker_connection, soft_time_limit=None, time_limit=None)


def _views(place, day) -> tuple[int, int, int] | None:
    row = DailyPlaceStats.objects.filter(place=place, date=day).first()
    return None if row is None else (row.views, row.unique_viewers, row.views_by_hour[12])


def _statuses(day) -> list[str]:
    return list(RollupRun.objects.filter(day=day).order_by("started_at", "id").values_list("status", flat=True))


def _blocked_rollup_backend(holder: psycopg.Connection) -> int | None:
    """The pid of a backend stopped inside the roll-up statement, waiting for the holder's lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'
              AND query LIKE '%%WITH segment AS%%'  -- the statement's start (its text is cut at 1 kB here)
              AND %s = ANY(pg_blocking_pids(pid))
            """,
            [holder.info.backend_pid],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 1


def _hold_the_days_stats_row(holder: psycopg.Connection, *, place, day, exists: bool) -> None:
    """Take a row lock the roll-up's upsert of (place, day) must wait for, in an open transaction."""
    if exists:
        holder.execute(
            "SELECT 1 FROM analytics_dailyplacestats WHERE place_id = %s AND date = %s FOR UPDATE", [place.pk, day]
        )
    else:  # an uncommitted row with the same key: the upsert waits to see whether it commits
        holder.execute(
            "INSERT INTO analytics_dailyplacestats (place_id, date, views, unique_viewers, clicks, ratings,"
            " nearby_users, views_by_hour, cells, computed_at) VALUES (%s, %s, 0, 0, 0, 0, 0, '[]', '[]', now())",
            [place.pk, day],
        )


def _kill_the_worker_inside_the_statement(*, broker, env, log, place, day, reroll: bool, task: str, args=()):
    """Start a worker, send `task`, SIGKILL the worker while its roll-up statement waits for our lock.

    Returns once the worker is dead, its backend gone (the day's lock given back) and the lock released.
    """
    with psycopg.connect(database_url()) as holder:
        _hold_the_days_stats_row(holder, place=place, day=day, exists=reroll)
        with worker_process(name="doomed", env=env, log=log) as worker:
            _send(broker, task, *args)
            backend = wait_until(
                lambda: _blocked_rollup_backend(holder), what="the worker's roll-up waiting for the lock", log=log
            )
            kill(worker)
        # The orphaned backend notices its client is gone (client_connection_check_interval) and rolls
        # back while still waiting: it gives the day's advisory lock back without our lock released.
        wait_until(lambda: not _backend_alive(backend), what="the killed worker's backend ending", seconds=15)
        holder.rollback()


@pytest.fixture
def new_york_day(db):
    """A place in New York, yesterday there (the newest complete day), and the 8 days before rolled up."""
    place = factories.PlaceFactory(time_zone=ZONE)
    day = rollup.newest_complete_day(now=timezone.now(), zones=[ZONE])
    for offset in range(1, 9):
        RollupRun.objects.create(
            day=day - timedelta(days=offset),
            status=RollupStatus.SUCCEEDED,
            started_at=timezone.now() - timedelta(days=offset),
        )
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=place.tzinfo).astimezone(UTC)
    return place, day, noon


def _views_at(place, noon, users) -> None:
    for user in users:
        factories.UserInteractionFactory(place=place, user=user, occurred_at=noon)


@pytest.mark.parametrize("reroll", [False, True], ids=["first-rollup", "reroll-after-late-events"])
def test_worker_killed_mid_rollup_is_abandoned_by_the_beat_and_the_day_rolled_up_again(
    new_york_day, broker, limits, client, tmp_path, reroll
):
    # given: yesterday's views in New York
    place, day, noon = new_york_day
    viewers = factories.UserFactory.create_batch(3)
    if reroll:
        # rolled up last night (2 views), then 3 late views uploaded after that night's scan
        _views_at(place, noon, viewers[:2])
        rollup.rollup_day(day=day)
        LateEventScan.objects.create(scanned_until=timezone.now())
        _views_at(place, noon, [viewers[2]] * 3)
        expected_before, expected_after = (2, 2, 2), (5, 3, 5)
    else:
        _views_at(place, noon, [viewers[0], viewers[0], viewers[1]])
        expected_before, expected_after = None, (3, 2, 3)
    assert client.get(HEALTH).json()["status"] == "ok"

    # when: the beat's task runs on a worker, which queues the day and is killed inside its roll-up
    _kill_the_worker_inside_the_statement(
        broker=broker,
        env=_worker_env(broker),
        log=tmp_path / "doomed.log",
        place=place,
        day=day,
        reroll=reroll,
        task="analytics.rollup_due_days",
    )

    # then: the run says "running", the day is unchanged; within the hard limit that is not alarming
    dead = RollupRun.objects.filter(day=day).latest("started_at")
    assert dead.status == RollupStatus.RUNNING
    assert _views(place, day) == expected_before
    if reroll:  # the watermark has moved past the late uploads: the scan's late day carries them
        assert LateEventScan.objects.latest().late_days == [day.isoformat()]
    assert rollup.rollup_runs_abandon_stale(now=timezone.now()) == []
    response = client.get(HEALTH)
    assert (response.status_code, response.json()["stuck_days"]) == (200, [])

    # when: the hard limit passes (the day's runs are moved back by it, in order) ...
    RollupRun.objects.filter(day=day).update(started_at=F("started_at") - timedelta(seconds=HARD_LIMIT))
    dead.refresh_from_db()
    # then: the operator's view says which day is stuck
    response = client.get(HEALTH)
    assert response.status_code == 503
    assert (response.json()["status"], response.json()["stuck_days"]) == ("degraded", [day.isoformat()])

    # when: ... and the next beat tick runs, on a second worker
    log = tmp_path / "second.log"
    with worker_process(name="second", env=_worker_env(broker), log=log):
        _send(broker, "analytics.rollup_due_days")
        wait_until(
            lambda: RollupRun.objects.filter(
                day=day, status=RollupStatus.SUCCEEDED, started_at__gt=dead.started_at
            ).exists(),
            what="the day rolled up again",
            log=log,
        )

    # then: the dead run is recorded as abandoned, the day has every event once, health is ok again
    dead.refresh_from_db()
    assert dead.status == RollupStatus.ABANDONED
    assert dead.finished_at is not None
    assert re.fullmatch(
        rf"Abandoned: still running \d+ s after it started, past the roll-up's hard time limit \({HARD_LIMIT} s\): "
        r"its worker was lost before recording an outcome\.",
        dead.error,
    )
    assert _views(place, day) == expected_after
    reroll_statuses = [RollupStatus.SUCCEEDED] if reroll else []
    assert _statuses(day) == [*reroll_statuses, RollupStatus.ABANDONED, RollupStatus.SUCCEEDED]
    response = client.get(HEALTH)
    assert (response.status_code, response.json()["status"], response.json()["stuck_days"]) == (200, "ok", [])


def _unacknowledged_for(broker: str) -> float | None:
    """Seconds since the oldest unacknowledged delivery in the broker (kombu's unacked_index)."""
    oldest = redis.Redis.from_url(broker).zrange("unacked_index", 0, 0, withscores=True)
    return datetime.now(UTC).timestamp() - oldest[0][1] if oldest else None


def test_killed_workers_rollup_is_redelivered_once_its_visibility_timeout_passed(
    new_york_day, broker, limits, client, tmp_path
):
    # given: yesterday's views; a worker killed inside that day's roll-up
    place, day, noon = new_york_day
    viewers = factories.UserFactory.create_batch(2)
    _views_at(place, noon, [viewers[0], viewers[1], viewers[1], viewers[1]])
    visibility_timeout = 2
    env = _worker_env(broker, CELERY_BROKER_VISIBILITY_TIMEOUT=str(visibility_timeout))
    _kill_the_worker_inside_the_statement(
        broker=broker,
        env=env,
        log=tmp_path / "doomed.log",
        place=place,
        day=day,
        reroll=False,
        task="analytics.rollup_day",
        args=[day.isoformat()],
    )
    # the task waits in the broker's unacknowledged set
    wait_until(
        lambda: (_unacknowledged_for(broker) or 0) > visibility_timeout, what="the visibility timeout", seconds=15
    )

    # when: another worker starts (it restores deliveries older than the visibility timeout)
    log = tmp_path / "second.log"
    with worker_process(name="second", env=env, log=log):
        wait_until(
            lambda: RollupRun.objects.filter(day=day, status=RollupStatus.SUCCEEDED).exists(),
            what="the redelivered roll-up",
            log=log,
        )

    # then: the same task ran again, no beat involved; the day is right and redone
    assert _views(place, day) == (4, 2, 4)
    assert _unacknowledged_for(broker) is None
    assert _statuses(day) == [RollupStatus.RUNNING, RollupStatus.SUCCEEDED]
    RollupRun.objects.filter(day=day, status=RollupStatus.RUNNING).update(
        started_at=F("started_at") - timedelta(seconds=HARD_LIMIT)
    )
    response = client.get(HEALTH)
    assert (response.status_code, response.json()["stuck_days"]) == (200, [])


def test_rollup_past_its_soft_time_limit_on_a_prefork_worker_is_recorded_failed_and_due_again(
    new_york_day, broker, tmp_path
):
    # given: yesterday's views; a prefork worker (the production pool, which enforces time limits)
    # with a 3 s soft limit
    place, day, noon = new_york_day
    _views_at(place, noon, factories.UserFactory.create_batch(2))
    env = worker_environment(broker=broker, ANALYTICS_ROLLUP_SOFT_TIME_LIMIT="3", ANALYTICS_ROLLUP_TIME_LIMIT="30")
    log = tmp_path / "prefork.log"
    with psycopg.connect(database_url()) as holder:
        _hold_the_days_stats_row(holder, place=place, day=day, exists=False)
        with worker_process(name="prefork", env=env, log=log, pool="prefork"):
            _send(broker, "analytics.rollup_day", day.isoformat())
            backend = wait_until(lambda: _blocked_rollup_backend(holder), what="the roll-up waiting", log=log)
            # when: the statement is still waiting at the soft limit
            failed = wait_until(
                lambda: RollupRun.objects.filter(day=day, status=RollupStatus.FAILED).first(),
                what="the run recorded failed",
                log=log,
            )
            # then: its backend rolls back and gives the day's lock back, though our lock is still held
            wait_until(lambda: not _backend_alive(backend), what="the statement's backend ending", seconds=15)
        holder.rollback()
    assert failed.error == "SoftTimeLimitExceeded: SoftTimeLimitExceeded()"
    assert 3_000 <= failed.duration_ms < 30_000
    assert _views(place, day) is None
    assert _statuses(day) == [RollupStatus.FAILED]
    assert rollup.days_due(now=timezone.now()).days == [day]
