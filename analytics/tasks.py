"""Celery tasks of the analytics pipeline: thin wrappers that take dates and call the services."""

from datetime import date

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from analytics import partitions, rollup, summaries

# A transient database error (failover, restart, dropped connection) is retried with backoff;
# every task here is idempotent, so a retry after a half-done attempt is safe.
RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


# Every other task has the default time limits (CELERY_TASK_SOFT_TIME_LIMIT / CELERY_TASK_TIME_LIMIT);
# a day's roll-up gets its own, longer pair. The hard one is also the age at which the beat presumes a
# "running" run dead (rollup_runs_abandon_stale), and the broker's visibility timeout is above it.
@shared_task(
    name="analytics.rollup_day",
    soft_time_limit=settings.ANALYTICS_ROLLUP_SOFT_TIME_LIMIT,
    time_limit=settings.ANALYTICS_ROLLUP_TIME_LIMIT,
    **RETRY,
)
def rollup_day(day: str) -> dict:
    """Roll up one local day (ISO date): recompute and overwrite its statistics."""
    run = rollup.rollup_day(day=date.fromisoformat(day))
    return {"day": day, "stats_rows": run.stats_rows, "cell_rows": run.cell_rows, "duration_ms": run.duration_ms}


@shared_task(name="analytics.rollup_due_days", **RETRY)
def rollup_due_days() -> dict[str, str]:
    """Beat job: mark runs whose worker died (running past the hard limit) abandoned, then queue one
    roll-up per due day (the newest complete day, missed, failed and abandoned days, days with late
    events); each day is its own task, so a retry redoes one day only. Answers day -> task id."""
    now = timezone.now()
    rollup.rollup_runs_abandon_stale(now=now)
    due = rollup.days_due(now=now)
    queued = {day.isoformat(): rollup_day.delay(day.isoformat()).id for day in due.days}
    rollup.late_event_scan_record(due=due)
    return queued


@shared_task(name="analytics.purge_expired_events", **RETRY)
def purge_expired_events() -> dict:
    """Beat job: drop raw events past the retention period whose days are rolled up (whole days)."""
    result = rollup.events_purge_expired(now=timezone.now())
    return {"days_dropped": [day.isoformat() for day in result.days_dropped], "rows_deleted": result.rows_deleted}


@shared_task(name="analytics.create_event_partitions", **RETRY)
def create_event_partitions() -> list[str]:
    """Beat job (hourly): the raw events' day partitions exist ahead; idempotent. Answers those created."""
    return partitions.event_partitions_ahead(now=timezone.now())


@shared_task(name="analytics.send_weekly_summaries", **RETRY)
def send_weekly_summaries() -> int:
    """Beat job, Mondays: last week's figures to every owner who wants them (once per owner and week)."""
    return summaries.weekly_summaries_send(today=timezone.localdate())
