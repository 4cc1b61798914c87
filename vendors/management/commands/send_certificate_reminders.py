"""Send the certificate expiry reminders due today (or on --date): the twin of the daily beat job."""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from vendors.reminders import certificate_reminders_send


class Command(BaseCommand):
    help = "Email owners about certificates expiring in 30, 7 or 1 days; each threshold is sent once."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, default=None, help="Act as of this day (ISO).")

    def handle(self, *args, date, **options):
        sent = certificate_reminders_send(today=date or timezone.localdate())
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} certificate reminder(s)."))
