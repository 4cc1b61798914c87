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
    # Every 3 seconds: write the place views buffered by detail reads (reads also wake it when a
    # full batch waits). An empty stream costs two Redis calls.
    "consumers-flush-place-views": {
        "task": "consumers.flush_place_views",
        "schedule": 3.0,
    },
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
    # Daily at 15:00 UTC (morning in US zones): owners are told 30, 7 and 1 days before a certificate
    # expires, each threshold once (vendors.CertificateReminder).
    "vendors-send-certificate-reminders": {
        "task": "vendors.send_certificate_reminders",
        "schedule": crontab(hour=15, minute=0),
    },
    # Mondays at 14:00 UTC, after Sunday's roll-up in every US zone: last week's summary to each owner
    # who wants it, once per owner and week (vendors.WeeklySummarySent).
    "analytics-send-weekly-summaries": {
        "task": "analytics.send_weekly_summaries",
        "schedule": crontab(hour=14, minute=0, day_of_week="mon"),
    },
    # Hourly: the raw events' day partitions exist a week ahead (idempotent; an hour that fails,
    # say on a lock timeout, is made up by the next).
    "analytics-create-event-partitions": {
        "task": "analytics.create_event_partitions",
        "schedule": crontab(minute=5),
    },
    # Nightly at 11:00 UTC (after the stops' rebuild): every vendor's subscribed calendar re-synced.
    "trucks-sync-all-calendars": {
        "task": "trucks.sync_all_calendars",
        "schedule": crontab(hour=11, minute=0),
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
