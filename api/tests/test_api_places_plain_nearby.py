"""The plain nearby search's fast path (one statement, no FilterSet, cards built from the statement's own
rows) answers exactly what the general path and the serializer would, for many varied places.

The reference for each card is computed apart from the fast path: the places read through the ORM
(hours and exceptions as model instances, the detail's rule trucks.schedule.next_opening), rendered
through PlaceCardSerializer; the keys and their order from a brute-force haversine; pages and counts
from the general path (a query with a filter that narrows nothing, which the FilterSet validates).
"""

import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.renderers import JSONRenderer

from api.places.serializers import PlaceCardSerializer
from api.places.views import plain_nearby_point
from tests import factories
from tests.images import png_bytes
from trucks.models import ExceptionKind, LocationSource, Photo, Place, PlaceKind, ScheduleException
from trucks.nearby import haversine_km
from trucks.schedule import next_opening
from trucks.search import location_status

URL = "/api/v1/places/"
CENTER = (41.8781, -87.6298)
ZONES = ["America/Chicago", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Auckland", "UTC"]
# Moments around the clock changes of 2026 (US: March 8 and November 1; Europe: March 29, October 25;
# Lord Howe's half hour: April 5 and October 4), local midnights and an ordinary afternoon.
MOMENTS = [
    datetime(2026, 3, 8, 7, 30, tzinfo=UTC),  # 01:30 CST, half an hour before Chicago skips to 03:00
    datetime(2026, 3, 8, 8, 30, tzinfo=UTC),  # 03:30 CDT, just after
    datetime(2026, 11, 1, 6, 30, tzinfo=UTC),  # 01:30 CDT, the first of Chicago's two 01:30s
    datetime(2026, 11, 1, 7, 30, tzinfo=UTC),  # 01:30 CST, the second
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # London, a minute before 01:00 GMT becomes 02:00 BST
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # London's repeated hour
    datetime(2026, 4, 4, 14, 45, tzinfo=UTC),  # Lord Howe, the half hour before its clocks go back
    datetime(2026, 6, 1, 5, 0, tzinfo=UTC),  # midnight in Chicago
    datetime(2026, 6, 3, 19, 17, tzinfo=UTC),
]


def _photo(place, *, position: int, size: tuple[int, int] | None):
    image = SimpleUploadedFile("p.png", png_bytes((8, 6)), content_type="image/png")
    width, height = size or (None, None)
    return Photo.objects.create(place=place, image=image, position=position, width=width, height=height)


def _varied_places(rng: random.Random, *, count: int, now: datetime) -> list[Place]:
    """Places around CENTER with every kind of card: photos or none, addresses, freshness, zones, hours
    over midnight and across clock changes, own stop addresses, exceptions of every kind, categories."""
    categories = [factories.CategoryFactory(position=rng.randrange(3)) for _ in range(5)]
    places = []
    for index in range(count):
        kind = rng.choice([PlaceKind.TRUCK, PlaceKind.TRUCK, PlaceKind.STAND])
        source = rng.choice([LocationSource.ADDRESS, LocationSource.API, LocationSource.PORTAL, "device"])
        updated = rng.choice([None, now - timedelta(minutes=rng.randrange(0, 600)), now - timedelta(days=3)])
        place = factories.PlaceFactory(
            kind=kind,
            name=f"Place {index:03d}",
            lat=CENTER[0] + rng.uniform(-0.05, 0.05),
            lng=CENTER[1] + rng.uniform(-0.05, 0.05),
            time_zone=rng.choice(ZONES),
            address=rng.choice(["", f"{index} Main St"]),
            address_source=rng.choice(["vendor", "geocoder", "none"]),
            location_source=source,
            location_updated_at=updated,
            is_open=rng.random() < 0.5,
            rating_avg=Decimal(rng.randrange(0, 501)) / 100,
            rating_count=rng.randrange(0, 40),
        )
        if rng.random() < 0.2:  # two places at one spot: ties by id
            place.lat, place.lng = places[-1].lat if places else place.lat, places[-1].lng if places else place.lng
            place.save(update_fields=["lat", "lng"])
        place.categories.add(*rng.sample(categories, rng.randrange(0, 4)))
        if rng.random() < 0.4:
            _photo(place, position=rng.randrange(5), size=rng.choice([None, (640, 480)]))
            _photo(place, position=rng.randrange(5), size=(100, 50))
        for _ in range(rng.randrange(0, 9)):
            opens = time(rng.randrange(24), rng.choice([0, 15, 30, 45]))
            closes = time(rng.randrange(24), rng.choice([0, 30]))
            if opens == closes:
                continue
            own = rng.random() < 0.3
            factories.OpeningHoursFactory._meta.model.objects.get_or_create(
                place=place,
                weekday=rng.randrange(7),
                opens=opens,
                defaults={
                    "closes": closes,
                    "address": "Stop St" if own else "",
                    "lat": CENTER[0] + 0.1 if own else None,
                    "lng": CENTER[1] + 0.1 if own else None,
                },
            )
        for day in rng.sample(range(-3, 18), rng.randrange(0, 4)):
            exception_kind = rng.choice(list(ExceptionKind))
            hours = {}
            if exception_kind != ExceptionKind.CLOSED:
                hours = {"opens": time(rng.randrange(24)), "closes": time(rng.randrange(24), 30)}
            moved = exception_kind == ExceptionKind.MOVED
            ScheduleException.objects.create(
                place=place,
                date=now.date() + timedelta(days=day),
                kind=exception_kind,
                address="Moved Ave" if moved else "",
                lat=CENTER[0] - 0.1 if moved else None,
                lng=CENTER[1] - 0.1 if moved else None,
                **hours,
            )
        places.append(place)
    return places


def _reference_cards(point: tuple[float, float], radius_km: float, now: datetime) -> list[dict]:
    """Every card of the circle, nearest first (ties by id), computed through the ORM and rendered
    through PlaceCardSerializer as the JSON renderer writes it."""
    places = (
        Place.objects.filter(is_active=True)
        .select_related("vendor")
        .prefetch_related("categories", "opening_hours", "schedule_exceptions", "photos")
    )
    found = []
    for place in places:
        distance = haversine_km(point[0], point[1], place.lat, place.lng)
        if distance > radius_km:
            continue
        photos = sorted(place.photos.all(), key=lambda photo: (photo.position, photo.id))
        cover = None
        if photos:
            from trucks.thumbnails import image_card

            cover = image_card(photos[0].image.name, width=photos[0].width, height=photos[0].height)
        slot = next_opening(place, now)
        card = {
            "id": place.pk,
            "kind": place.kind,
            "name": place.name,
            "lat": place.lat,
            "lng": place.lng,
            "is_open": place.is_open,
            "rating_avg": place.rating_avg,
            "rating_count": place.rating_count,
            "city": place.city,
            "address": place.address,
            "address_source": place.address_source,
            "location_updated_at": place.location_updated_at,
            "location_source": place.location_source,
            "vendor": {
                "id": place.vendor_id,
                "name": place.vendor.business_name,
                "is_verified": place.vendor.verification_status == "verified",
            },
            "categories": [
                {"slug": c.slug, "name": c.name}
                for c in sorted(place.categories.all(), key=lambda c: (c.position, c.name, c.id))
            ],
            "cover_photo": cover,
            "next_opening": None
            if slot is None
            else {"starts_at": slot.starts_at, "ends_at": slot.ends_at, "address": slot.address, "lat": slot.lat}
            | {"lng": slot.lng},
            "location_status": location_status(
                kind=place.kind, source=place.location_source, updated_at=place.location_updated_at, now=now
            ),
            "distance_km": round(distance, 3),
        }
        found.append((distance, place.pk, card))
    found.sort(key=lambda item: (item[0], item[1]))
    import json

    data = PlaceCardSerializer([card for *_, card in found], many=True).data
    return json.loads(JSONRenderer().render(data))


def _differences(cards: list[dict], expected: list[dict]) -> list:
    """(position, key, card's value, expected value) of every field that differs, and lists' lengths."""
    found = [
        (position, key, card.get(key), want.get(key))
        for position, (card, want) in enumerate(zip(cards, expected, strict=False))
        for key in sorted(card.keys() | want.keys())
        if card.get(key) != want.get(key)
    ]
    return found if len(cards) == len(expected) else [*found, ("lengths", len(cards), len(expected))]


@pytest.fixture
def frozen(monkeypatch, settings):
    settings.LIVE_LOCATION_GRACE_MINUTES = 120
    moment = {"now": MOMENTS[0]}
    monkeypatch.setattr("trucks.search.timezone.now", lambda: moment["now"])
    return moment


def test_plain_nearby_cards_equal_the_serializers_for_varied_places_and_moments(db, api_client, frozen):
    # given 60 varied places around one point
    rng = random.Random(13)
    _varied_places(rng, count=60, now=MOMENTS[0])

    for moment in MOMENTS:
        frozen["now"] = moment
        # when the fast path answers the whole circle in one page
        response = api_client.get(URL, {"lat": CENTER[0], "lng": CENTER[1], "radius_km": 8, "page_size": 100})

        # then every card equals the one computed through the ORM and the serializer
        assert response.status_code == 200
        expected = _reference_cards(CENTER, 8, moment)
        assert len(expected) > 40
        assert _differences(response.json()["results"], expected) == [], moment
        assert response.json()["count"] == len(expected)


@pytest.mark.parametrize("cap", [1000, 7])
def test_plain_nearby_pages_equal_the_general_paths(db, api_client, frozen, settings, cap):
    # given 40 varied places, and a count cap below them (rings) or above
    settings.NEARBY_COUNT_CAP = cap
    rng = random.Random(7)
    _varied_places(rng, count=40, now=MOMENTS[-1])
    frozen["now"] = MOMENTS[-1]

    for radius, size in ((8, 6), (3, 4), (0.5, 5)):
        page, fast_pages, general_pages = 1, [], []
        while True:
            query = {"lat": CENTER[0], "lng": CENTER[1], "radius_km": radius, "page_size": size, "page": page}
            # when the fast path and the general path (a filter that narrows nothing) answer each page
            fast = api_client.get(URL, query)
            general = api_client.get(URL, {**query, "vegan": "false"})
            assert fast.status_code == general.status_code
            if fast.status_code == 404:
                break
            fast_pages.append(fast.json())
            general_pages.append(general.json())
            page += 1
        # then the pages, counts and links agree but for the filter in the links
        for fast, general in zip(fast_pages, general_pages, strict=True):
            for link in ("next", "previous"):
                general[link] = general[link] and general[link].replace("&vegan=false", "")
            assert fast == general
        cards = [card for body in fast_pages for card in body["results"]]
        assert cards == _reference_cards(CENTER, radius, MOMENTS[-1])
        assert fast_pages[0]["count_is_capped"] is (len(cards) > cap)
        assert fast_pages[0]["count"] == min(len(cards), cap)


@pytest.mark.parametrize(
    "query",
    [
        {"lat": "41.9"},
        {"lat": "41.9", "lng": "-87.6", "radius_km": "0"},
        {"lat": "41.9", "lng": "-87.6", "radius_km": "51"},
        {"lat": "91", "lng": "-87.6"},
        {"lat": "41.9", "lng": "-180.5"},
        {"lat": "north", "lng": "-87.6"},
        {"lat": "41.9", "lng": "-87.6", "page": "0"},
        {"lat": "41.9", "lng": "-87.6", "page_size": "x"},
        {"lat": "41.9", "lng": "-87.6", "page": "-1", "radius_km": "nan"},
        {"lat": "1e1", "lng": "-87.6"},
        {"lat": "41.9", "lng": "-87.6", "ordering": "name"},
        {"lng": "-87.6", "radius_km": "3"},
    ],
)
def test_plain_nearby_leaves_any_other_query_to_the_general_path(db, api_client, query):
    # given a query the fast path does not take as plainly valid
    from django.http import QueryDict

    params = QueryDict(mutable=True)
    params.update(query)

    # then it is the general path's: same answers and messages as before
    assert plain_nearby_point(params) is None
    response = api_client.get(URL, query)
    assert response.status_code in (200, 400)


def test_plain_nearby_reads_plain_values_as_the_serializer_does(db):
    from django.http import QueryDict

    assert plain_nearby_point(QueryDict("lat=41.87&lng=-87.6298")) == (41.87, -87.6298, 5.0)
    assert plain_nearby_point(QueryDict("lat=-90&lng=180&radius_km=50&page=2&page_size=100")) == (-90.0, 180.0, 50.0)
    assert plain_nearby_point(QueryDict("lat=1&lng=2&radius_km=0.01")) == (1.0, 2.0, 0.01)
    assert plain_nearby_point(QueryDict("lat=1&lat=2&lng=2")) is None  # repeated: the general path reads the last
    assert plain_nearby_point(QueryDict("lat=1&lng=2&page_size=")) is None


def test_plain_nearby_errors_are_the_general_paths(db, api_client):
    # a bad value answers the same 400, field by field, whichever path would have taken the query
    response = api_client.get(URL, {"lat": "91", "lng": "-87.6", "radius_km": "0"})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "lat": ["Ensure this value is less than or equal to 90."],
        "radius_km": ["Ensure this value is greater than or equal to 0.01."],
    }


def test_plain_nearby_keeps_the_etag_and_answers_304(db, api_client):
    factories.PlaceFactory(lat=CENTER[0], lng=CENTER[1])
    query = {"lat": CENTER[0], "lng": CENTER[1]}

    first = api_client.get(URL, query)
    again = api_client.get(URL, query, HTTP_IF_NONE_MATCH=first["ETag"])
    general = api_client.get(URL, {**query, "vegan": "false"})

    assert first["Cache-Control"] == "no-cache" and first["ETag"].startswith('W/"')
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", first["ETag"])
    assert general.json() == first.json()


def test_the_page_statement_is_prepared_once_per_connection_but_never_behind_pgbouncer(db, settings):
    from django.db import connection

    from trucks.nearby import NearbyKeys
    from trucks.search import PlainNearbySearch

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%trucks_placechangerecord%"]
            )
            return cursor.fetchone()[0]

    factories.PlaceFactory(lat=CENTER[0], lng=CENTER[1])
    search = PlainNearbySearch(NearbyKeys(lat=CENTER[0], lng=CENTER[1], radius_km=5.0))
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")

    # behind PgBouncer in transaction mode: as Django runs every statement
    settings.DATABASE_POOLER = "pgbouncer"
    assert search.capped_page(offset=0, limit=20).count == 1
    assert prepared() == 0

    # otherwise: prepared on the first run, reused after
    settings.DATABASE_POOLER = ""
    pages = [search.capped_page(offset=0, limit=20) for _ in range(3)]
    assert [page.count for page in pages] == [1, 1, 1]
    assert prepared() == 1
