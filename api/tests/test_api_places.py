"""GET places/: the search, its filters and validation, and its pages."""

import random
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories
from tests.geo import QUERY_POINTS, brute_force, seed_places
from trucks.models import Place
from trucks.nearby import haversine_km
from trucks.search_document import search_documents_refresh_all

URL = "/api/v1/places/"
AUSTIN = (30.2672, -97.7431)


def all_ids(client, params: dict) -> list[int]:
    """Every id across every page, following `next`."""
    ids, url, first = [], URL, True
    while url:
        response = client.get(url, params if first else None)
        assert response.status_code == 200, response.json()
        ids += [row["id"] for row in response.json()["results"]]
        url, first = response.json()["next"], False
    return ids


def test_search_through_the_api_when_paged_matches_brute_force(db, api_client):
    seed_places(random.Random(42))
    places = list(Place.objects.values_list("id", "lat", "lng"))
    for lat, lng, radius in QUERY_POINTS:
        expected = brute_force(places, lat, lng, radius)

        got = all_ids(api_client, {"lat": lat, "lng": lng, "radius_km": radius, "page_size": 7})

        assert got == expected


def test_search_with_a_capped_count_pages_on_through_next_like_brute_force(db, api_client, settings):
    # given a count capped at 10, below the population of every seeded circle but the sparsest
    settings.NEARBY_COUNT_CAP = 10
    seed_places(random.Random(7))
    places = list(Place.objects.values_list("id", "lat", "lng"))
    for lat, lng, radius in QUERY_POINTS:
        expected = brute_force(places, lat, lng, radius)

        first = api_client.get(URL, {"lat": lat, "lng": lng, "radius_km": radius, "page_size": 3}).json()
        got = all_ids(api_client, {"lat": lat, "lng": lng, "radius_km": radius, "page_size": 3})

        assert got == expected
        assert (first["count"], first["count_is_capped"]) == (min(len(expected), 10), len(expected) > 10)


def test_search_with_a_point_answers_cards_with_distance_nearest_first(db, api_client):
    cat = factories.CategoryFactory(name="Tacos", slug="tacos")
    far = factories.PlaceFactory(name="Far", lat=30.2900, lng=-97.7431, rating_avg=Decimal("4.50"), rating_count=2)
    near = factories.PlaceFactory(name="Near", lat=30.2680, lng=-97.7431, is_open=True)
    near.categories.add(cat)
    factories.PlaceFactory(name="Dallas", lat=32.7767, lng=-96.7970)

    response = api_client.get(URL, {"lat": AUSTIN[0], "lng": AUSTIN[1]})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["next"] is None and body["previous"] is None
    first, second = body["results"]
    assert [first["id"], second["id"]] == [near.pk, far.pk]
    assert first["distance_km"] == pytest.approx(0.089, abs=0.001)
    assert second["distance_km"] == round(haversine_km(*AUSTIN, 30.2900, -97.7431), 3) == 2.535
    assert first["categories"] == [{"slug": "tacos", "name": "Tacos"}]
    assert second["rating_avg"] == "4.50" and second["rating_count"] == 2
    assert first["vendor"] == {"id": near.vendor_id, "name": near.vendor.business_name, "is_verified": False}
    assert set(first) == {
        "id",
        "kind",
        "name",
        "lat",
        "lng",
        "is_open",
        "rating_avg",
        "rating_count",
        "categories",
        "distance_km",
        "vendor",
        "city",
        "location_updated_at",
        "location_source",
        "location_status",
        "address",
        "address_source",
        "next_opening",
        "cover_photo",
    }
    assert first["is_open"] is True and first["location_source"] == "address"


def test_search_without_a_point_has_no_distance_and_orders_by_name(db, api_client):
    factories.PlaceFactory(name="Zeta")
    factories.PlaceFactory(name="Alpha")
    factories.PlaceFactory(name="Hidden", is_active=False)

    response = api_client.get(URL)

    assert [row["name"] for row in response.json()["results"]] == ["Alpha", "Zeta"]
    assert "distance_km" not in response.json()["results"][0]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"lat": "30"}, "lng", "Give lat and lng together."),
        ({"lng": "-97"}, "lat", "Give lat and lng together."),
        ({"lat": "91", "lng": "0"}, "lat", "Ensure this value is less than or equal to 90."),
        ({"lat": "0", "lng": "-181"}, "lng", "Ensure this value is greater than or equal to -180."),
        ({"lat": "north", "lng": "0"}, "lat", "A valid number is required."),
        ({"lat": "0", "lng": "0", "radius_km": "51"}, "radius_km", "Ensure this value is less than or equal to 50.0."),
        (
            {"lat": "0", "lng": "0", "radius_km": "0"},
            "radius_km",
            "Ensure this value is greater than or equal to 0.01.",
        ),
        ({"radius_km": "3"}, "radius_km", "A radius needs a point: give lat and lng."),
        ({"ordering": "distance"}, "ordering", "Ordering by distance needs lat and lng."),
        ({"ordering": "id; drop table"}, "ordering", '"id; drop table" is not a valid choice.'),
        ({"kind": "boat"}, "kind", '"boat" is not a valid choice.'),
        ({"open_now": "maybe"}, "open_now", "Must be a valid boolean."),
        ({"vegan": "2"}, "vegan", "Must be a valid boolean."),
        ({"category": "not a slug"}, "category", None),
        ({"page_size": "0"}, "page_size", "Ensure this value is greater than or equal to 1."),
    ],
)
def test_search_when_a_parameter_is_invalid_answers_400_with_its_message(db, api_client, params, field, message):
    response = api_client.get(URL, params)

    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"]
    if message is not None:
        assert body["errors"][field] == [message]
        assert body["detail"] == message


def test_search_when_a_filter_and_the_point_are_invalid_names_both_in_one_400(db, api_client):
    response = api_client.get(URL, {"kind": "boat", "lat": "91", "lng": "0", "open_now": "maybe"})

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Some fields are not valid.",
        "errors": {
            "kind": ['"boat" is not a valid choice.'],
            "open_now": ["Must be a valid boolean."],
            "lat": ["Ensure this value is less than or equal to 90."],
        },
    }


def test_search_with_empty_filters_treats_them_as_not_given(db, api_client):
    place = factories.PlaceFactory()

    response = api_client.get(URL, {"kind": "", "city": "", "q": "", "category": "", "open_now": ""})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [place.pk]


def test_search_filters_kind_category_open_city_and_text(db, api_client):
    tacos = factories.CategoryFactory(name="Tacos", slug="tacos")
    bbq = factories.CategoryFactory(name="Barbecue", slug="bbq")
    a = factories.PlaceFactory(name="Taco Uno", kind="truck", is_open=True, city="Austin")
    a.categories.add(tacos)
    b = factories.PlaceFactory(name="Smokehouse", kind="stand", is_open=False, city="austin", description="brisket")
    b.categories.add(bbq)
    c = factories.PlaceFactory(name="Noodle Cart", kind="truck", is_open=True, city="Dallas")
    search_documents_refresh_all()  # the factories write past the services that keep the documents

    def ids(params):
        return sorted(row["id"] for row in api_client.get(URL, params).json()["results"])

    assert ids({"kind": "stand"}) == [b.pk]
    assert ids({"category": ["tacos", "bbq"]}) == sorted([a.pk, b.pk])
    assert ids({"category": "bbq"}) == [b.pk]
    assert ids({"open_now": "true"}) == sorted([a.pk, c.pk])
    assert ids({"open_now": "false"}) == [b.pk]
    assert ids({"city": "AUSTIN"}) == sorted([a.pk, b.pk])
    assert ids({"q": "BRISKET"}) == [b.pk]
    assert ids({"q": "barbecue"}) == [b.pk]
    assert ids({"q": "noodle"}) == [c.pk]
    assert ids({"q": "nothing like it"}) == []


def test_search_diet_filters_need_an_available_item_on_an_active_attached_menu(db, api_client):
    vegan_place = factories.PlaceFactory(name="Green")
    menu = factories.MenuFactory(vendor=vegan_place.vendor)
    menu.places.add(vegan_place)
    factories.MenuItemFactory(menu=menu, is_vegan=True, is_vegetarian=True)
    sold_out = factories.PlaceFactory(name="Sold out")
    menu2 = factories.MenuFactory(vendor=sold_out.vendor)
    menu2.places.add(sold_out)
    factories.MenuItemFactory(menu=menu2, is_vegan=True, is_available=False, is_gluten_free=True)
    inactive_menu = factories.PlaceFactory(name="Old menu")
    menu3 = factories.MenuFactory(vendor=inactive_menu.vendor, is_active=False)
    menu3.places.add(inactive_menu)
    factories.MenuItemFactory(menu=menu3, is_gluten_free=True)
    unattached = factories.PlaceFactory(name="Not attached")
    factories.MenuItemFactory(menu=factories.MenuFactory(vendor=unattached.vendor), is_vegetarian=True)

    def ids(params):
        return [row["id"] for row in api_client.get(URL, params).json()["results"]]

    assert ids({"vegan": "true"}) == [vegan_place.pk]
    assert ids({"vegetarian": "true"}) == [vegan_place.pk]  # vegan counts as vegetarian
    assert ids({"gluten_free": "true"}) == []


def test_search_ordering_by_rating_and_name(db, api_client):
    low = factories.PlaceFactory(name="B low", rating_avg=Decimal("3.00"), rating_count=9)
    high_few = factories.PlaceFactory(name="C high few", rating_avg=Decimal("4.50"), rating_count=2)
    high_many = factories.PlaceFactory(name="A high many", rating_avg=Decimal("4.50"), rating_count=8)

    by_rating = [row["id"] for row in api_client.get(URL, {"ordering": "-rating"}).json()["results"]]
    by_name = [row["id"] for row in api_client.get(URL, {"ordering": "name"}).json()["results"]]

    assert by_rating == [high_many.pk, high_few.pk, low.pk]
    assert by_name == [high_many.pk, low.pk, high_few.pk]


def test_search_pages_are_capped_and_linked(db, api_client, settings):
    factories.PlaceFactory.create_batch(5)

    page1 = api_client.get(URL, {"page_size": 2}).json()
    page3 = api_client.get(URL, {"page_size": 2, "page": 3}).json()
    capped = api_client.get(URL, {"page_size": 10_000}).json()
    beyond = api_client.get(URL, {"page_size": 2, "page": 4})

    assert page1["count"] == 5 and len(page1["results"]) == 2 and "page=2" in page1["next"]
    assert page3["next"] is None and len(page3["results"]) == 1 and "page=2" in page3["previous"]
    assert len(capped["results"]) == 5 and capped["count"] == 5
    assert beyond.status_code == 404
    assert beyond.json() == {"detail": "Invalid page: that page contains no results.", "errors": {}}


def test_search_empty_result_answers_an_empty_page(db, api_client):
    response = api_client.get(URL, {"lat": 0, "lng": 0})

    assert response.json() == {"count": 0, "count_is_capped": False, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("size", [3, 12])
def test_search_query_count_is_constant(db, api_client, django_assert_num_queries, size):
    cats = [factories.CategoryFactory(), factories.CategoryFactory()]
    for place in factories.PlaceFactory.create_batch(size):
        place.categories.add(*cats)
    search_documents_refresh_all()  # the factories write past the services that keep the documents

    # the plain nearby search answers in one statement: the change log's version (its ETag), the capped
    # count, the page's cards with their categories, hours and exceptions (every card's next opening)
    with django_assert_num_queries(1):
        response = api_client.get(URL, {"lat": AUSTIN[0], "lng": AUSTIN[1], "page_size": 100})
    # with filters: the version, one query for the page's keys and the count, one for the page's cards
    with django_assert_num_queries(3):
        filtered = api_client.get(URL, {"lat": AUSTIN[0], "lng": AUSTIN[1], "kind": "truck", "page_size": 100})
    with django_assert_num_queries(3):
        texts = api_client.get(URL, {"q": "place", "vegan": "false", "category": cats[0].slug})
    # a diet switch set to false narrows nothing: the version (read before the filters' path knows it is
    # plain), then the plain statement
    with django_assert_num_queries(2):
        switched_off = api_client.get(URL, {"lat": AUSTIN[0], "lng": AUSTIN[1], "vegan": "false", "page_size": 100})

    assert response.json()["count"] == filtered.json()["count"] == texts.json()["count"] == size
    assert response.json()["results"] == filtered.json()["results"] == switched_off.json()["results"]
    assert len(response.json()["results"][0]["categories"]) == 2


def test_search_uses_the_lat_lng_index_bounding_box(db):
    from trucks.filters import PlaceSearchFilter
    from trucks.search import places_search

    trucks_only = PlaceSearchFilter({"kind": "truck"})
    orm_sql = str(places_search(lat=30.0, lng=-97.0, radius_km=5, filters=trucks_only).query)
    plain_sql, params = places_search(lat=30.0, lng=-97.0, radius_km=5).keys.page_sql(offset=0, limit=20)

    assert '"trucks_place"."lat" >= ' in orm_sql and '"trucks_place"."lat" <= ' in orm_sql
    assert "ASIN" in orm_sql.upper()
    assert "point(lng, lat) <@ box(point(%(w0)s, %(s0)s), point(%(e0)s, %(n0)s))" in plain_sql and "ASIN" in plain_sql
    assert params["s0"] < 30.0 < params["n0"] and params["w0"] < -97.0 < params["e0"]


def test_reverse_names():
    assert reverse("api-places") == URL


def test_search_repeated_category_with_a_bad_item_names_the_item(db, api_client):
    response = api_client.get(URL, {"category": ["tacos", "no slug!"]})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "category": ['Item 2: Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.']
    }


def _expected_card(place: Place, categories: list[dict], distance_km: float | None = None) -> dict:
    card = {
        "id": place.pk,
        "kind": place.kind,
        "name": place.name,
        "lat": place.lat,
        "lng": place.lng,
        "is_open": place.is_open,
        "rating_avg": str(place.rating_avg),
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
        "categories": categories,
        "next_opening": None,
        # the portal check-ins of 2026-03-08 are long past the grace window
        "location_status": "address" if place.kind == "stand" or place.location_source == "address" else "last_seen",
        "cover_photo": None,
    }
    if distance_km is not None:
        card["distance_km"] = round(distance_km, 3)
    return card


def test_plain_nearby_search_answers_the_brute_force_places_as_exact_cards(db):
    from trucks.search import PlainNearbySearch, place_cards_by_ids, places_search

    # given places around every query point; some of them stands, open, rated, with two categories
    seed_places(random.Random(3))
    first_40 = list(Place.objects.order_by("id").values_list("id", flat=True)[:40])
    Place.objects.filter(pk__in=first_40[::2]).update(
        kind="stand",
        is_open=True,
        city="Austin",
        rating_avg=Decimal("4.50"),
        rating_count=2,
        location_source="portal",
        location_updated_at=datetime(2026, 3, 8, 18, tzinfo=UTC),
    )
    cats = [factories.CategoryFactory(name="B", slug="b", position=2), factories.CategoryFactory(name="A", position=1)]
    for place in Place.objects.filter(pk__in=first_40):
        place.categories.add(*cats)
    places = {place.pk: place for place in Place.objects.select_related("vendor")}
    by_position = [{"slug": cats[1].slug, "name": "A"}, {"slug": "b", "name": "B"}]
    for lat, lng, radius in QUERY_POINTS:
        expected_ids = brute_force([(p.pk, p.lat, p.lng) for p in places.values()], lat, lng, radius)
        distances = {pk: haversine_km(lat, lng, places[pk].lat, places[pk].lng) for pk in expected_ids}
        expected_cards = [
            _expected_card(places[pk], by_position if pk in first_40 else [], distances[pk]) for pk in expected_ids
        ]

        # when
        search = places_search(lat=lat, lng=lng, radius_km=radius)
        keys = search.keys.page_rows(offset=0, limit=500, cap=1000)
        cards = search.capped_page(offset=0, limit=500)

        # then
        assert isinstance(search, PlainNearbySearch)
        assert [key["id"] for key in keys.rows] == expected_ids
        for key in keys.rows:
            assert key["distance_km"] == pytest.approx(distances[key["id"]], abs=1e-9)
        assert (keys.count, cards.count) == (len(expected_ids), len(expected_ids))
        assert (keys.count_is_capped, cards.has_next) == (False, False)
        assert cards.rows == expected_cards
        assert place_cards_by_ids(expected_ids) == [
            {k: v for k, v in card.items() if k != "distance_km"} for card in expected_cards
        ]
