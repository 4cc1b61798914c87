"""Make the thumbnails of photos stored before thumbnails existed (or whose task was lost): the twin of
the `trucks.make_thumbnails` task."""

from django.core.management.base import BaseCommand

from trucks.thumbnails import thumbnails_backfill


class Command(BaseCommand):
    help = (
        "Make the two WebP thumbnails (and record the size) of every place photo and item photo that has none "
        "yet, in this process. Running it again does nothing more; a missing or unreadable file is left and counted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200, help="Rows read per query.")

    def handle(self, *args, batch_size, **options):
        made = thumbnails_backfill(batch_size=batch_size)
        self.stdout.write(
            f"Made the thumbnails of {made['photo']} photo(s) and {made['item']} item photo(s); {made['left']} left."
        )
