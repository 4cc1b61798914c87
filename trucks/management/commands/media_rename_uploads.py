"""Rename photo files stored under their uploader's name: re-encoded, under a random key with their real type."""

from django.core.management.base import BaseCommand

from trucks.services import stored_images_rename


class Command(BaseCommand):
    help = (
        "Re-encode every stored place photo and item photo whose name is not a random key with its real "
        "type (e.g. photos/2025/03/x.html), store it under a new key, point the row at it and delete the "
        "old file once the row is saved. Files that are missing or not images are listed and left for staff. "
        "Running it again does nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Read and check the files; change nothing.")
        parser.add_argument("--batch-size", type=int, default=500, help="Rows read per query.")

    def handle(self, *args, dry_run, batch_size, **options):
        renamed = left = 0
        for outcome in stored_images_rename(dry_run=dry_run, batch_size=batch_size):
            if outcome.problem:
                left += 1
                self.stderr.write(self.style.WARNING(f"{outcome.row}: {outcome.old} left for staff: {outcome.problem}"))
            else:
                renamed += 1
                arrow = "would be stored as" if dry_run else "->"
                self.stdout.write(f"{outcome.row}: {outcome.old} {arrow} {outcome.new}")
        verb = "Would rename" if dry_run else "Renamed"
        summary = f"{verb} {renamed} stored image(s); {left} left for staff."
        self.stdout.write(self.style.SUCCESS(summary) if not left else self.style.WARNING(summary))
