"""Roll up a range of local days (a backfill, or a re-run after a fix): the twin of analytics.rollup_day."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from analytics.rollup import rollup_day


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"“{value}” is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Recompute DailyPlaceStats (with the heat-map cells) for each local day from --from to --to (both included)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", required=True, help="first local day, YYYY-MM-DD")
        parser.add_argument("--to", dest="last", help="last local day, YYYY-MM-DD (default: --from)")

    def handle(self, *args, first, last=None, **options):
        first_day = _date(first)
        last_day = _date(last) if last else first_day
        if last_day < first_day:
            raise CommandError("--to is before --from.")
        days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
        stats_rows = cell_rows = 0
        for day in tqdm(days, desc="roll-up", unit="day", disable=options["verbosity"] < 1, file=self.stderr):
            run = rollup_day(day=day)
            stats_rows += run.stats_rows
            cell_rows += run.cell_rows
        self.stdout.write(
            self.style.SUCCESS(f"Rolled up {len(days)} day(s): {stats_rows} place-day rows, {cell_rows} cells.")
        )
