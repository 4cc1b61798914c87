"""GET places/map/?bbox= (a viewport's places, or its clusters) and `bbox` on the search."""

import random

import pytest
from django.urls import reverse

from api.places.serializers import MapBoundsSerializer, MapClusterSerializer, MapClustersSerializer
from tests import factories
from trucks.models import Place

URL = "/api/v1/places/map/"
SEARCH_URL = "/api/v1/places/"
TEXAS = "25.8,-106.7,36.5,-93.5"


def scatter(rng: random.Random, count: int, *, lat: tuple[float, float], lng: tuple[float, float], **fields):
    vendor = factories.VendorFactory()
    places = factories.PlaceFactory.build_batch(count, vendor=vendor, **fields)
    for place in places:
        place.lat, place.lng = rng.uniform(*lat), rng.uniform(*lng)
    return Place.objects.bulk_create(places)


def test_map_reverse_name():
    assert reverse("api-places-map") == URL


def test_map_with_few_places_answers_them_as_cards(db, api_client):
    # given two places in Texas, one in Ohio, one inactive in Texas
    inside = [factories.PlaceFactory(lat=30.27, lng=-97.74), factories.PlaceFactory(lat=29.76, lng=-95.37)]
    factories.PlaceFactory(lat=39.96, lng=-82.99)
    factories.PlaceFactory(lat=30.0, lng=-97.0, is_active=False)

    # when
    response = api_client.get(URL, {"bbox": TEXAS})

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "places"
    assert body["count"] == 2
    assert [card["id"] for card in body["places"]] == [p.pk for p in inside]
    assert body["places"][0]["vendor"] == {
        "id": inside[0].vendor_id,
        "name": inside[0].vendor.business_name,
        "is_verified": False,
    }
    assert body["places"][0]["location_status"] == "address"


def test_map_past_the_threshold_answers_clusters_counting_every_place_once(db, api_client, settings):
    # given 400 places over the US and a threshold of 100
    settings.MAP_CLUSTER_THRESHOLD, settings.MAP_CLUSTER_GRID = 100, 16
    places = scatter(random.Random(11), 400, lat=(24.5, 49.4), lng=(-125.0, -66.9))

    # when
    response = api_client.get(URL, {"bbox": "24.5,-125,49.4,-66.9"})

    # then
    body = response.json()
    assert response.status_code == 200
    # the lattice's 2.56° cells over the box: 11 rows × 23 columns, at most 16² cells
    assert (body["type"], body["count"], body["rows"], body["columns"]) == ("clusters", 400, 11, 23)
    assert sum(cluster["count"] for cluster in body["clusters"]) == len(places)
    # built as plain dicts, in the documented shape
    assert set(body) == set(MapClustersSerializer().fields)
    assert {key for cluster in body["clusters"] for key in cluster} == set(MapClusterSerializer().fields)
    assert {key for cluster in body["clusters"] for key in cluster["bounds"]} == set(MapBoundsSerializer().fields)
    for cluster in body["clusters"]:
        bounds = cluster["bounds"]
        members = [
            p
            for p in places
            if bounds["south"] <= p.lat <= bounds["north"] and bounds["west"] <= p.lng <= bounds["east"]
        ]
        assert cluster["count"] == len(members)
        assert bounds["south"] <= cluster["lat"] <= bounds["north"]
        assert bounds["west"] <= cluster["lng"] <= bounds["east"]
        assert cluster["lat"] == pytest.approx(sum(p.lat for p in members) / len(members), abs=1e-9)


def test_map_with_a_category_clusters_on_the_viewport_grid_not_the_lattice(db, api_client, settings):
    # given 40 tacos places and 40 others, and a threshold of 20
    settings.MAP_CLUSTER_THRESHOLD, settings.MAP_CLUSTER_GRID = 20, 4
    tacos = factories.CategoryFactory(slug="tacos")
    for place in scatter(random.Random(8), 40, lat=(30.0, 31.0), lng=(-98.0, -97.0)):
        place.categories.add(tacos)
    scatter(random.Random(9), 40, lat=(30.0, 31.0), lng=(-98.0, -97.0))

    body = api_client.get(URL, {"bbox": "30,-98,31,-97", "category": "tacos"}).json()
    plain = api_client.get(URL, {"bbox": "30,-98,31,-97"}).json()

    # then 4 × 4 equal parts of the box for the category; the lattice's 0.32° cells for the plain map
    assert (body["type"], body["count"], body["rows"], body["columns"]) == ("clusters", 40, 4, 4)
    assert {c["bounds"]["north"] for c in body["clusters"]} <= {30.25, 30.5, 30.75, 31.0}
    assert (plain["type"], plain["count"], plain["rows"], plain["columns"]) == ("clusters", 80, 4, 4)
    assert {c["bounds"]["north"] for c in plain["clusters"]} <= {30.08, 30.4, 30.72, 31.0}


def test_map_across_the_antimeridian_counts_both_sides(db, api_client, settings):
    # given 60 places just west of 180° and 40 just east of it, and 10 far away
    settings.MAP_CLUSTER_THRESHOLD, settings.MAP_CLUSTER_GRID = 50, 2
    scatter(random.Random(1), 60, lat=(50.1, 51.1), lng=(178.0, 179.9))
    scatter(random.Random(2), 40, lat=(50.1, 51.1), lng=(-179.9, -178.0))
    scatter(random.Random(3), 10, lat=(50.1, 51.1), lng=(100.0, 110.0))

    # when the box runs from 176°E to 176°W
    response = api_client.get(URL, {"bbox": "50,176,53,-176"})

    # then the lattice's 10.24° cells: two columns, one each side of 180°, and only the south row
    # (40.96° to 51.2°, clipped to the box) holds places
    body = response.json()
    assert (body["type"], body["count"], body["rows"], body["columns"]) == ("clusters", 100, 2, 2)
    assert [(c["count"], c["bounds"]) for c in body["clusters"]] == [
        (60, {"south": 50.0, "west": 176.0, "north": 51.2, "east": 180.0}),
        (40, {"south": 50.0, "west": -180.0, "north": 51.2, "east": -176.0}),
    ]
    assert 178.0 < body["clusters"][0]["lng"] < 179.9
    assert -179.9 < body["clusters"][1]["lng"] < -178.0


def test_map_with_filters_and_open_now_counts_only_what_they_keep(db, api_client, settings):
    # given 30 open tacos trucks, 30 closed ones and 30 open stands, and a threshold of 20
    settings.MAP_CLUSTER_THRESHOLD = 20
    open_trucks = scatter(random.Random(4), 30, lat=(30.0, 31.0), lng=(-98.0, -97.0), is_open=True)
    scatter(random.Random(5), 30, lat=(30.0, 31.0), lng=(-98.0, -97.0), is_open=False)
    scatter(random.Random(6), 30, lat=(30.0, 31.0), lng=(-98.0, -97.0), is_open=True, kind="stand")
    tacos = factories.CategoryFactory(slug="tacos")
    for place in open_trucks[:15]:
        place.categories.add(tacos)

    # when
    crowded = api_client.get(URL, {"bbox": "30,-98,31,-97", "open_now": "true", "kind": "truck"}).json()
    few = api_client.get(URL, {"bbox": "30,-98,31,-97", "open_now": "true", "category": "tacos"}).json()

    # then
    assert (crowded["type"], crowded["count"]) == ("clusters", 30)
    assert (few["type"], few["count"]) == ("places", 15)
    assert [card["id"] for card in few["places"]] == sorted(p.pk for p in open_trucks[:15])


@pytest.mark.parametrize(
    ("bbox", "messages"),
    [
        ("", ["This field is required."]),
        ("30,-98,31", ["Give four numbers: south,west,north,east."]),
        ("north,-98,31,-97", ["south: A valid number is required."]),
        ("-95,-98,31,-97", ["south: Ensure this value is between -90 and 90."]),
        ("30,-98,31,200", ["east: Ensure this value is between -180 and 180."]),
        ("31,-98,30,-97", ["south: Ensure south is not above north."]),
    ],
)
def test_map_with_a_bad_box_answers_400_naming_bbox(db, api_client, bbox, messages):
    response = api_client.get(URL, {"bbox": bbox} if bbox else {})

    assert response.status_code == 400
    assert response.json()["errors"] == {"bbox": messages}


def test_map_with_a_bad_filter_names_it_with_the_box(db, api_client):
    response = api_client.get(URL, {"bbox": "31,-98,30,-97", "open_now": "maybe"})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "bbox": ["south: Ensure south is not above north."],
        "open_now": ["Must be a valid boolean."],
    }


def test_map_query_count_is_constant(db, api_client, settings, django_assert_num_queries):
    settings.MAP_CLUSTER_THRESHOLD = 10
    scatter(random.Random(7), 12, lat=(30.0, 31.0), lng=(-98.0, -97.0))

    # each first reads the change log's version (its ETag); clusters: the box's ids up to the
    # threshold, then one GROUP BY
    with django_assert_num_queries(1 + 2):
        clusters = api_client.get(URL, {"bbox": "30,-98,31,-97"})
    # places: the ids, the cards (with their hours and exceptions)
    with django_assert_num_queries(1 + 2):
        places = api_client.get(URL, {"bbox": "30,-98,30.5,-97"})

    assert clusters.json()["type"] == "clusters"
    assert places.json()["type"] == "places" and 0 < places.json()["count"] < 12


def test_search_with_bbox_pages_the_places_of_the_box(db, api_client):
    # given two places in Texas and one in Ohio
    austin = factories.PlaceFactory(name="A", lat=30.27, lng=-97.74)
    houston = factories.PlaceFactory(name="B", lat=29.76, lng=-95.37)
    factories.PlaceFactory(name="C", lat=39.96, lng=-82.99)

    # when
    listed = api_client.get(SEARCH_URL, {"bbox": TEXAS}).json()
    nearby = api_client.get(SEARCH_URL, {"bbox": TEXAS, "lat": 30.27, "lng": -97.74, "radius_km": 50}).json()
    bad = api_client.get(SEARCH_URL, {"bbox": "1,2,3"})

    # then
    assert [card["id"] for card in listed["results"]] == [austin.pk, houston.pk]
    assert [card["id"] for card in nearby["results"]] == [austin.pk]
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"bbox": ["Give four numbers: south,west,north,east."]}
