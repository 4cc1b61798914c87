"""Benchmark of the portal's analytics page (a script, not a test).

Seeds its own PostgreSQL database with a busy vendor: 20 places in two zones, 90 days of rolled-up
daily rows and heat-map cells, raw events over the same 90 days (the funnel, dwell and audience
read them) and today's raw events so far, 5,000 app users with a date of birth and a city; plus
other vendors' events in the same table. Then times, for 7 / 30 / 90 days, all places:
  * analytics.report.portal_analytics (every query behind the page), median of a few runs,
  * the whole page (GET /portal/analytics/ through Django's test client, logged in), and the CSV.

Run (hold the lock so only one heavy job uses the two cores):
    flock /tmp/bench.lock .venv/bin/python bench/portal_analytics.py
Options: --per-day N (raw events per place and day, default 250) --repeat N --keep.
"""

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from benchdb import ROOT, copy_rows, create_database, psql, setup_django

sys.path.insert(0, str(ROOT))

BENCH_DB = "foodtrucks_portal_analytics_bench"
PLACES = 20
DAYS = 90
USERS = 5_000
OTHER_PLACES = 200
CITIES = ["Austin", "Houston", "Dallas", "San Antonio", "Denver", "Boulder", "El Paso", "Waco"]


def seed(*, per_day: int):
    """The vendor, its owner, the places, users, raw events, daily rows and cells. Returns the owner."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from tests.factories import PlaceFactory, UserFactory, VendorFactory, VendorMemberFactory
    from vendors.models import Role

    rng = random.Random(20261207)
    vendor = VendorFactory(business_name="Bench Tacos")
    owner = UserFactory(email="owner@bench.example")
    VendorMemberFactory(vendor=vendor, user=owner, role=Role.OWNER)
    zones = ["America/Chicago", "America/Denver"]
    places = [
        PlaceFactory(vendor=vendor, name=f"Truck {n:02d}", time_zone=zones[n % 2], lat=30.2 + n / 100, lng=-97.7)
        for n in range(PLACES)
    ]
    other_vendor = VendorFactory(business_name="Everyone else")
    others = [PlaceFactory(vendor=other_vendor, time_zone="America/New_York") for _ in range(OTHER_PLACES)]
    now = timezone.now()
    today = now.astimezone(ZoneInfo("America/Chicago")).date()
    User.objects.bulk_create(
        User(
            email=f"bench{n}@example.com",
            phone_number=f"+1512{n:07d}",
            password="!",  # nosec B106 - an unusable password
            date_of_birth=(date(1950, 1, 1) + timedelta(days=rng.randint(0, 20_000))) if rng.random() < 0.8 else None,
            primary_city=rng.choice(CITIES) if rng.random() < 0.9 else "",
        )
        for n in range(USERS)
    )
    user_ids = list(User.objects.filter(email__startswith="bench").values_list("id", flat=True))
    start = now - timedelta(days=DAYS)
    types = ["VIEW"] * 45 + ["VIEW+dwell"] * 10 + ["CLICK"] * 20 + ["NEARBY_DETECTION"] * 22 + ["RATING"] * 3

    def events(place_ids, count):
        for _ in range(count):
            place = rng.choice(place_ids)
            kind = rng.choice(types)
            moment = start + (now - start) * rng.random()
            dwell = str(rng.randint(2_000, 120_000)) if kind == "VIEW+dwell" else "\\N"
            kind = "VIEW" if kind == "VIEW+dwell" else kind
            located = kind in ("CLICK", "NEARBY_DETECTION")
            lat = f"{30.2 + rng.random() / 5:.5f}" if located else "\\N"
            lng = f"{-97.8 + rng.random() / 5:.5f}" if located else "\\N"
            yield (
                f"{uuid.uuid4()}\t{rng.choice(user_ids)}\t{place}\t{kind}\t{moment.isoformat()}\t"
                f"{moment.isoformat()}\t{lat}\t{lng}\t{dwell}\n"
            )

    columns = "client_id, user_id, place_id, type, occurred_at, received_at, lat, lng, dwell_ms"
    with connection.connection.cursor() as cursor:
        ours = copy_rows(
            cursor, "analytics_userinteraction", columns, events([p.pk for p in places], per_day * PLACES * DAYS)
        )
        theirs = copy_rows(
            cursor, "analytics_userinteraction", columns, events([p.pk for p in others], per_day * OTHER_PLACES * 5)
        )

        # the roll-up's rows of the 90 past days, 25 heat-map cells each (made directly: their values do
        # not change the reads)
        def day_cells() -> str:
            picked = sorted(rng.sample(range(400), 25))
            return json.dumps(
                [[3020 + c // 20, -9780 + c % 20, rng.randint(1, 40), rng.randint(1, 20)] for c in picked]
            )

        stats = copy_rows(
            cursor,
            "analytics_dailyplacestats",
            "place_id, date, views, unique_viewers, clicks, ratings, nearby_users, avg_dwell_ms, views_by_hour, "
            "cells, computed_at",
            (
                f"{p.pk}\t{today - timedelta(days=back)}\t{per_day // 2}\t{per_day // 3}\t{per_day // 5}\t"
                f"{per_day // 30}\t{per_day // 5}\t31000\t[{','.join(['5'] * 24)}]\t{day_cells()}\t"
                f"{now.isoformat()}\n"
                for p in places
                for back in range(1, DAYS + 1)
            ),
        )
        cells = stats * 25
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"seeded: {PLACES} places of the vendor, {ours:,} of its raw events over {DAYS} days "
        f"({per_day}/place/day), {theirs:,} other vendors' events, {stats:,} daily rows, {cells:,} cells, "
        f"{USERS:,} users"
    )
    return owner


def timed(function, repeat: int) -> float:
    durations = []
    for _ in range(repeat):
        clock = time.perf_counter()
        function()
        durations.append((time.perf_counter() - clock) * 1000)
    return statistics.median(durations)


def measure(owner, repeat: int) -> None:
    from django.db import connection
    from django.test import Client

    from analytics.report import portal_analytics
    from trucks.models import Place

    places = list(Place.objects.filter(vendor__business_name="Bench Tacos").order_by("name"))
    client = Client()
    client.force_login(owner)
    print(f"{'days':>5} {'selectors ms':>13} {'queries':>8} {'page ms':>8} {'csv ms':>7}")
    breakdowns = {}
    for days in (7, 30, 90):
        statements: list[tuple[float, str]] = []

        def count(execute, sql, params, many, context, statements=statements):
            clock = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                statements.append(((time.perf_counter() - clock) * 1000, sql))

        with connection.execute_wrapper(count):
            portal_analytics(places=places, days=days, rating_distribution={})
        selectors = timed(lambda days=days: portal_analytics(places=places, days=days, rating_distribution={}), repeat)
        page = timed(lambda days=days: client.get("/portal/analytics/", {"days": days}), repeat)
        export = timed(lambda days=days: client.get("/portal/analytics/export.csv", {"days": days}), repeat)
        status = client.get("/portal/analytics/", {"days": days}).status_code
        assert status == 200, status
        print(f"{days:>5} {selectors:>13.0f} {len(statements):>8} {page:>8.0f} {export:>7.0f}")
        breakdowns[days] = statements
    for days, statements in breakdowns.items():
        parts = ", ".join(f"{ms:.0f} {_what(sql)}" for ms, sql in statements)
        print(f"statements of {days} days (ms, first run): {parts}")


def _what(sql: str) -> str:
    """A short name for a statement of the page."""
    for needle, name in [
        ("jsonb_array_elements", "cells"),
        ("accounts_user", "audience"),
        ("EXTRACT", "today"),
        ("COUNT(DISTINCT", "funnel"),
        ("MIN(", "first day"),
        ("analytics_dailyplacestats", "daily rows"),
    ]:
        if needle in sql:
            return name
    return sql[:30]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-day", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    create_database(BENCH_DB)
    # no query log, as in production; the host of Django's test client
    setup_django(BENCH_DB, DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="testserver")
    try:
        owner = seed(per_day=args.per_day)
        measure(owner, args.repeat)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
