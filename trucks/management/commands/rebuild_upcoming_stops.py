"""Rebuild the upcoming stops that search ahead reads: the twin of the nightly beat job."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from trucks.upcoming import REBUILD_BATCH, upcoming_stops_rebuild, upcoming_stops_rebuild_all


class Command(BaseCommand):
    help = "Rebuild every place's upcoming stops (or only --place ids) from its schedule, from today on."

    def add_arguments(self, parser):
        parser.add_argument("--place", type=int, action="append", default=[], help="Only this place (repeatable).")
        parser.add_argument("--batch-size", type=int, default=REBUILD_BATCH, help="Places per transaction.")

    def handle(self, *args, place, batch_size, **options):
        now = timezone.now()
        if place:
            made = upcoming_stops_rebuild(place_ids=place, now=now)
        else:
            made = upcoming_stops_rebuild_all(now=now, batch=batch_size)
        self.stdout.write(self.style.SUCCESS(f"Made {made} upcoming stop(s)."))
