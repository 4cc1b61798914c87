"""`manage.py seed_demo`: deterministic demo data and the documented demo logins (docs/demo.md)."""

import gc
import time
from contextlib import nullcontext
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from analytics.rollup import newest_complete_day, rollup_day, zones_in_use
from demo.seeder import DEFAULT_SEED, DEMO_LOGINS, DEMO_PASSWORD, EVENT_DAYS, DemoSeeder, database_has_data

PROGRESS_FROM_ROWS = 50_000
# Up to this size the whole seed is one transaction: it lands completely or not at all.
ATOMIC_UP_TO_ROWS = 1_000_000


class Command(BaseCommand):
    help = (
        "Fill the database with deterministic demo data: vendors, trucks and stands in US cities, menus, "
        "schedules, consumers, favorites, ratings, 30 days of events, and the demo logins of docs/demo.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--places", type=int, default=300, help="Trucks and stands in all (default 300).")
        parser.add_argument("--users", type=int, default=200, help="Generated consumers (default 200).")
        parser.add_argument("--events", type=int, default=20_000, help="Interaction events (default 20000).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED}).")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--if-empty", action="store_true", help="Do nothing when vendors or places already exist (make run)."
        )
        mode.add_argument(
            "--flush",
            action="store_true",
            help="Delete ALL rows of every table (users included, like `manage.py flush`) before seeding.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Never show the progress bar.")
        parser.add_argument(
            "--no-rollup",
            action="store_true",
            help="Skip rolling the seeded events up into the daily statistics (the portal's charts).",
        )

    def handle(self, *args, **options):
        for name in ("places", "users", "events"):
            if options[name] < 0:
                raise CommandError(f"--{name} must be zero or more.")
        if options["flush"]:
            call_command("flush", interactive=False, verbosity=0)
        elif database_has_data():
            if options["if_empty"]:
                self.stdout.write("Demo data: the database already has data; nothing to do (--if-empty).")
                return
            raise CommandError("The database already has data: use --flush to replace it, or --if-empty to skip.")

        seeder = DemoSeeder(
            places=options["places"], users=options["users"], events=options["events"], seed=options["seed"]
        )
        expected = seeder.expected_rows()
        bar = None
        if expected >= PROGRESS_FROM_ROWS and not options["no_progress"]:
            bar = tqdm(total=expected, unit="rows", unit_scale=True, desc="seed_demo", mininterval=1.0)
            seeder.loader.progress = bar.update
        started = time.monotonic()
        # Millions of short-lived row tuples: the cyclic GC would only rescan them.
        gc.disable()
        try:
            with transaction.atomic() if expected <= ATOMIC_UP_TO_ROWS else nullcontext():
                report = seeder.run()
        finally:
            gc.enable()
            if bar is not None:
                bar.close()
        elapsed = time.monotonic() - started

        for label, count in report.counts.items():
            self.stdout.write(f"  {label:<22} {count:>12,}")
        if options["verbosity"] >= 2:
            for phase, seconds in report.seconds.items():
                self.stdout.write(f"  {phase:<32} {seconds:>8.1f} s")
        rate = report.total / elapsed if elapsed else 0
        self.stdout.write(
            self.style.SUCCESS(f"Demo data: {report.total:,} rows in {elapsed:.1f} s ({rate:,.0f} rows/s).")
        )
        if options["events"] and not options["no_rollup"]:
            self._roll_up_seeded_days(progress=not options["no_progress"])
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, _first, _last, what in DEMO_LOGINS:
            self.stdout.write(f"  {email:<28} {what}")

    def _roll_up_seeded_days(self, *, progress: bool) -> None:
        """The nightly job's work for every seeded day, so the vendors' charts show the demo events."""
        now = timezone.now()
        last = newest_complete_day(now=now, zones=zones_in_use())
        days = [last - timedelta(days=n) for n in range(EVENT_DAYS, -1, -1)]
        rows = 0
        for day in tqdm(days, desc="roll-up", unit="day", disable=not progress, file=self.stderr):
            rows += rollup_day(day=day).stats_rows
        self.stdout.write(f"  daily statistics       {rows:>12,} place-days rolled up ({days[0]} to {days[-1]})")
