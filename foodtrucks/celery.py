"""The Celery app: Redis as broker when REDIS_URL is set, tasks in-process otherwise.

The beat schedule lives here, in version control (docs/analytics.md explains each entry).
Times are UTC (CELERY_TIMEZONE).
"""

import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.schedules import crontab
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foodtrucks.settings.local")


class Task(DjangoTask):
    """Celery's Django task, with a `delay_on_commit` that cannot turn a finished request into an error."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        """`delay()` once the transaction commits (never inside it: a worker could run before the rows exist).

        Robust: by then the request's writes are committed, so a failure to enqueue (the broker is down;
        with in-process eager tasks, the task's own error) is logged by Django, not raised into the request.
        """

        def enqueue() -> None:
            self.delay(*args, **kwargs)

        # Django's log line names the callback by its __qualname__ (a functools.partial has none).
        enqueue.__qualname__ = f"{self.name}.delay"
        transaction.on_commit(enqueue, robust=True)


# foodtrucks is no installed app: its tasks module is named here, the apps' are discovered.
app = Celery("foodtrucks", task_cls=Task, include=["foodtrucks.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Nightly at 10:15 UTC, just after the last US zone's midnight (Hawaii, UTC-10): roll up the
    # newest local day that has ended in every place's zone, re-roll the recent days that got late
    # events since their run, and catch up days a stopped beat missed.
    "analytics-rollup-due-days": {
        "task": "analytics.rollup_due_days",
        "schedule": crontab(hour=10, minute=15),
    },
    # Every 5 minutes: switch off "open" places past their closing time (+ grace) without a check-in.
    "trucks-switch-off-stale-open-places": {
        "task": "trucks.switch_off_stale_open_places",
        "schedule": crontab(minute="*/5"),
    },
    # Every 5 minutes (rankings are cached for 10): every city's top-places list stays warm.
    "trucks-warm-top-places": {
        "task": "trucks.warm_top_places",
        "schedule": crontab(minute="*/5"),
    },
    # Nightly at 10:45 UTC (after the last US zone's midnight): every place's upcoming stops rebuilt
    # from its new local today, so search ahead keeps its 14 days.
    "trucks-rebuild-upcoming-stops": {
        "task": "trucks.rebuild_upcoming_stops",
        "schedule": crontab(hour=10, minute=45),
    },
    # Daily: the catch-up feed's change log keeps CATCH_UP_RETENTION_DAYS (older cursors answer 410).
    "trucks-prune-change-log": {
        "task": "trucks.prune_change_log",
        "schedule": crontab(hour=11, minute=5),
    },
    # Daily, after the roll-up of the previous day: drop raw events past the retention period.
    "analytics-purge-expired-events": {
        "task": "analytics.purge_expired_events",
        "schedule": crontab(hour=11, minute=30),
    },
}
