"""Send last week's summary to every owner who wants it: the twin of the Monday beat job."""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from analytics.summaries import weekly_summaries_send


class Command(BaseCommand):
    help = "Email each owner the week before --date (default today): once per owner and week."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, default=None, help="Act as of this day (ISO).")

    def handle(self, *args, date, **options):
        sent = weekly_summaries_send(today=date or timezone.localdate())
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} weekly summar{'y' if sent == 1 else 'ies'}."))
