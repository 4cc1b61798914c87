"""Write what the load test needs from a seeded database: consumer tokens, places, categories, cities.

    python bench/load/export_fixtures.py OUT.json [--users 200] [--places 2000]

Tokens are made here (not through the login endpoint) so the run measures the app, not 200 logins.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foodtrucks.settings.local")

import django

django.setup()

from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.models import User  # noqa: E402
from trucks.models import Category, Place  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--places", type=int, default=2000)
    args = parser.parse_args()

    users = list(User.objects.filter(is_staff=False, is_active=True).order_by("id")[: args.users])
    tokens = [Token.objects.get_or_create(user=user)[0].key for user in users]
    places = list(
        Place.objects.filter(is_active=True, lat__isnull=False, lng__isnull=False)
        .order_by("?")
        .values("id", "lat", "lng", "city")[: args.places]
    )
    fixtures = {
        "tokens": tokens,
        "places": places,
        "categories": list(Category.objects.values_list("slug", flat=True)),
        "cities": sorted({place["city"] for place in places if place["city"]}),
    }
    if not tokens or not places:
        sys.exit(f"nothing to load-test with: {len(tokens)} consumers, {len(places)} places (seed first)")
    Path(args.out).write_text(json.dumps(fixtures))
    print(f"fixtures: {len(tokens)} tokens, {len(places)} places, {len(fixtures['cities'])} cities -> {args.out}")


if __name__ == "__main__":
    main()
