"""Drop raw events past ANALYTICS_RETENTION_DAYS whose days are rolled up: the twin of the beat job."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from analytics.rollup import events_purge_expired


class Command(BaseCommand):
    help = "Drop raw interaction events older than the retention period (only days already rolled up)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=10_000)

    def handle(self, *args, batch_size, **options):
        result = events_purge_expired(now=timezone.now(), batch_size=batch_size)
        self.stdout.write(
            self.style.SUCCESS(
                f"Dropped {len(result.days_dropped)} day partition(s); "
                f"deleted {result.rows_deleted} raw event(s) of days without a partition."
            )
        )
