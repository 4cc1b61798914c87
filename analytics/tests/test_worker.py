"""A real Celery worker, fed through the real Redis broker, runs the scheduled roll-up by name."""

from datetime import UTC, datetime, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from analytics.models import DailyPlaceStats, RollupRun, RollupStatus
from foodtrucks.celery import app
from tests import factories


def _forget_backend() -> None:
    """The app caches its result backend; drop it so the next use reads the configuration again."""
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def redis_celery():
    """Tasks go through the Redis broker (not in-process), results come back through Redis."""
    import celery.contrib.testing.tasks  # noqa: F401 - registers celery.ping for the start-up check

    saved = {key: app.conf[key] for key in ("task_always_eager", "result_backend", "broker_url")}
    app.conf.update(task_always_eager=False, result_backend=settings.REDIS_URL, broker_url=settings.REDIS_URL)
    _forget_backend()
    try:
        with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=30):
            yield app
    finally:
        app.conf.update(saved)
        _forget_backend()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_scheduled_rollup_through_redis_and_writes_the_statistics(redis_celery):
    # given: yesterday's views in New York, the week before rolled up
    place = factories.PlaceFactory(time_zone="America/New_York")
    users = factories.UserFactory.create_batch(2)
    yesterday = datetime.now(UTC).astimezone(place.tzinfo).date() - timedelta(days=1)
    noon_utc = datetime(yesterday.year, yesterday.month, yesterday.day, 12, tzinfo=place.tzinfo).astimezone(UTC)
    for user in [*users, users[0]]:
        factories.UserInteractionFactory(place=place, user=user, occurred_at=noon_utc)
    for offset in range(1, 9):
        RollupRun.objects.create(day=yesterday - timedelta(days=offset), status=RollupStatus.SUCCEEDED)
    entry = next(e for e in app.conf.beat_schedule.values() if e["task"] == "analytics.rollup_due_days")
    # when: the beat entry's task is sent by name, as beat sends it
    queued = redis_celery.send_task(entry["task"]).get(timeout=60)
    results = {day: redis_celery.AsyncResult(task_id).get(timeout=60) for day, task_id in queued.items()}
    # then
    assert yesterday.isoformat() in results
    row = DailyPlaceStats.objects.get(place=place, date=yesterday)
    assert (row.views, row.unique_viewers, row.views_by_hour[12]) == (3, 2, 3)
    run = RollupRun.objects.filter(day=yesterday).latest("started_at")
    assert (run.status, run.stats_rows) == (RollupStatus.SUCCEEDED, 1)
    assert results[yesterday.isoformat()]["stats_rows"] == 1
