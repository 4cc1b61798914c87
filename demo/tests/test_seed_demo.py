"""`seed_demo` at a small size: realistic, consistent, deterministic, and the demo logins work."""

from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Avg, Count, F, Q
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from analytics.models import DailyPlaceStats, RollupRun, UserInteraction
from consumers.models import FavoritePlace
from demo.seeder import (
    ADMIN_EMAIL,
    CITIES,
    CONSUMER_EMAIL,
    DEMO_PASSWORD,
    SMOKE_OWNER_EMAIL,
    TACO_MANAGER_EMAIL,
    TACO_OWNER_EMAIL,
    TACO_STAFF_EMAIL,
)
from ratings.models import Rating
from tests.s3 import empty_s3_buckets
from trucks.models import MenuItem, OpeningHours, Place, UpcomingStop
from vendors.models import Role, VendorMember

SIZE = {"places": 30, "users": 10, "events": 500}

pytestmark = pytest.mark.django_db


def _seed(**options) -> str:
    if options.get("flush"):
        # The test's own transaction still holds deferred foreign-key checks; TRUNCATE needs them done.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    out = StringIO()
    call_command("seed_demo", **{**SIZE, "no_progress": True, **options}, stdout=out)
    return out.getvalue()


def _snapshot() -> dict:
    """Everything that does not depend on the day of the run, keyed by natural values."""
    return {
        "places": list(
            Place.objects.order_by("name", "lat").values_list("name", "kind", "city", "time_zone", "lat", "lng")
        ),
        "items": list(
            MenuItem.objects.order_by("menu__vendor__business_name", "menu__name", "position", "name").values_list(
                "name", "price"
            )
        ),
        "ratings": list(
            Rating.objects.order_by("user__email", "place__name").values_list(
                "user__email", "place__name", "stars", "review"
            )
        ),
        "favorites": list(
            FavoritePlace.objects.order_by("user__email", "place__name").values_list("user__email", "place__name")
        ),
        "events": list(
            UserInteraction.objects.order_by("client_id").values_list(
                "client_id", "user__email", "place__name", "type", "lat", "dwell_ms"
            )
        ),
    }


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, s3_server):
    """One seed for the whole module, rolled back at its end; each test runs in a savepoint inside."""
    with django_db_blocker.unblock(), transaction.atomic():
        _seed()
        yield
        transaction.set_rollback(True)
    empty_s3_buckets(s3_server)


@pytest.fixture
def seeded(_seeded_once, db):
    return None


def test_seed_demo_small_fills_every_table(seeded):
    assert Place.objects.count() == 30
    assert User.objects.count() == 6 + 10
    assert UserInteraction.objects.count() == 500
    assert Place.objects.filter(kind="truck").exists() and Place.objects.filter(kind="stand").exists()
    assert Rating.objects.exists() and FavoritePlace.objects.exists()
    assert OpeningHours.objects.filter(closes__lt=F("opens")).exists(), "some slots run past midnight"
    assert set(UserInteraction.objects.values_list("type", flat=True)) == {
        "VIEW",
        "CLICK",
        "NEARBY_DETECTION",
        "RATING",
    }
    assert not UserInteraction.objects.filter(type="NEARBY_DETECTION", lat__isnull=True).exists()


def test_seed_demo_fills_the_upcoming_stops_of_every_place_with_hours(seeded):
    with_hours = set(OpeningHours.objects.filter(place__is_active=True).values_list("place_id", flat=True))

    with_stops = set(UpcomingStop.objects.values_list("place_id", flat=True))

    assert with_hours
    assert with_stops == with_hours


def test_seed_demo_places_sit_near_their_city_in_its_time_zone(seeded):
    cities = {city.name: city for city in CITIES}
    for place in Place.objects.all():
        city = cities[place.city]
        assert place.time_zone == city.time_zone
        assert abs(place.lat - city.lat) <= 0.25 and abs(place.lng - city.lng) <= 0.3


def test_seed_demo_menu_items_are_priced_in_decimal_and_vegan_is_vegetarian(seeded):
    assert MenuItem.objects.filter(is_vegan=True).exists()
    assert not MenuItem.objects.filter(is_vegan=True, is_vegetarian=False).exists()
    assert all(isinstance(p, Decimal) and p > 0 for p in MenuItem.objects.values_list("price", flat=True))


def test_seed_demo_rating_summaries_match_visible_ratings(seeded):
    visible = Q(ratings__is_hidden=False)
    places = Place.objects.annotate(n=Count("ratings", filter=visible), avg=Avg("ratings__stars", filter=visible))
    assert places.filter(n__gt=0).exists()
    for place in places:
        expected = Decimal(place.avg or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert (place.rating_count, place.rating_avg) == (place.n, expected)


def test_seed_demo_verified_summaries_match_visible_verified_ratings(seeded):
    verified = Q(ratings__is_hidden=False, ratings__verified_visit=True)
    places = Place.objects.annotate(n=Count("ratings", filter=verified), avg=Avg("ratings__stars", filter=verified))
    for place in places:
        expected = Decimal(place.avg or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert (place.rating_verified_count, place.rating_verified_avg) == (place.n, expected)


def test_seed_demo_builds_every_place_search_document(seeded, api_client):
    # given a seeded place's name (the COPY loads bypass the services that keep the documents)
    place = Place.objects.filter(kind="truck").order_by("id").first()

    # when
    response = api_client.get("/api/v1/places/", {"q": place.name, "page_size": 100})

    # then
    assert not Place.objects.filter(search_document__isnull=True).exists()
    assert place.pk in [row["id"] for row in response.json()["results"]]


def test_seed_demo_same_seed_gives_same_rows(seeded):
    first = _snapshot()

    _seed(flush=True)

    assert _snapshot() == first


def test_seed_demo_other_seed_gives_other_rows(seeded):
    first = _snapshot()

    _seed(flush=True, seed=7)

    assert _snapshot()["places"] != first["places"]


def test_seed_demo_if_empty_when_data_exists_does_nothing(seeded):
    before = (Place.objects.count(), UserInteraction.objects.count(), User.objects.count())

    output = _seed(if_empty=True)

    assert "nothing to do" in output
    assert (Place.objects.count(), UserInteraction.objects.count(), User.objects.count()) == before


def test_seed_demo_without_flag_when_data_exists_refuses(seeded):
    with pytest.raises(CommandError, match="--flush"):
        _seed()


def test_seed_demo_admin_login_opens_the_admin(seeded, client):
    assert client.login(email=ADMIN_EMAIL, password=DEMO_PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200


def test_seed_demo_consumer_has_a_working_api_token(seeded):
    consumer = User.objects.get(email=CONSUMER_EMAIL)
    assert consumer.check_password(DEMO_PASSWORD)
    assert not consumer.is_staff
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=consumer).key}")
    assert api.get("/api/v1/schema/").status_code == 200


def test_seed_demo_vendor_logins_have_their_roles(seeded):
    roles = dict(VendorMember.objects.values_list("user__email", "role"))
    assert roles[TACO_OWNER_EMAIL] == Role.OWNER
    assert roles[TACO_MANAGER_EMAIL] == Role.MANAGER
    assert roles[TACO_STAFF_EMAIL] == Role.STAFF
    assert roles[SMOKE_OWNER_EMAIL] == Role.OWNER
    for email in (TACO_OWNER_EMAIL, SMOKE_OWNER_EMAIL):
        owner = User.objects.get(email=email)
        assert owner.check_password(DEMO_PASSWORD)
        kinds = set(Place.objects.filter(vendor__memberships__user=owner).values_list("kind", flat=True))
        assert kinds == {"truck", "stand"}


def test_seed_demo_rolls_up_its_events_so_the_charts_have_figures():
    # given a seeded database (the roll-up of every seeded day runs at the end)
    _seed(flush=True)

    # when the daily statistics are compared with the raw events they were made from
    rolled_days = set(RollupRun.objects.filter(status="succeeded").values_list("day", flat=True))
    stats_views = sum(DailyPlaceStats.objects.values_list("views", flat=True))

    # then every seeded day was rolled up and the charts have figures
    assert len(rolled_days) == 31
    assert stats_views > 0
    assert DailyPlaceStats.objects.filter(date__in=rolled_days).count() == DailyPlaceStats.objects.count()


def test_seed_demo_no_rollup_leaves_the_statistics_empty():
    _seed(flush=True, no_rollup=True)

    assert DailyPlaceStats.objects.count() == 0
    assert UserInteraction.objects.count() > 0
