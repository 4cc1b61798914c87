"""Write the buffered place views now (the twin of the beat's consumers.flush_place_views)."""

from django.core.management.base import BaseCommand

from consumers import services, view_buffer


class Command(BaseCommand):
    help = "Write the place views buffered in Redis (VIEW events and recently viewed) to the database."

    def add_arguments(self, parser):
        parser.add_argument("--max-seconds", type=float, default=60.0)

    def handle(self, *args, **options):
        result = view_buffer.views_flush(write=services.place_views_write, max_seconds=options["max_seconds"])
        self.stdout.write(
            f"{result.views} views in {result.batches} batches ({result.claimed} claimed from dead workers) "
            f"in {result.seconds:.2f}s"
        )
