"""The nearby search answers exactly what a brute-force haversine over every place answers."""

import random

import pytest

from tests import factories
from tests.geo import QUERY_POINTS, brute_force, destination, seed_places
from trucks.models import Place
from trucks.nearby import NearbyKeys, bounding_box, haversine_km, nearby_places


@pytest.fixture
def seeded_places(db):
    seed_places(random.Random(20261127))
    return list(Place.objects.values_list("id", "lat", "lng"))


def test_nearby_places_when_compared_to_brute_force_are_the_same_in_the_same_order(seeded_places):
    for lat, lng, radius in QUERY_POINTS:
        expected = brute_force(seeded_places, lat, lng, radius)

        got = list(nearby_places(lat=lat, lng=lng, radius_km=radius).values_list("id", flat=True))

        assert got == expected, (lat, lng, radius)
        assert len(expected) >= 15  # the check is not vacuous: inside points, ties and edges are there


def test_nearby_places_edges_when_10_m_inside_or_outside_are_kept_or_dropped(seeded_places):
    lat, lng, radius = QUERY_POINTS[2]  # straddles the antimeridian
    inside = destination(lat, lng, 90, radius - 0.01)
    outside = destination(lat, lng, 90, radius + 0.01)
    vendor = factories.VendorFactory()
    near = factories.PlaceFactory(vendor=vendor, lat=inside[0], lng=inside[1])
    far = factories.PlaceFactory(vendor=vendor, lat=outside[0], lng=outside[1])

    ids = set(nearby_places(lat=lat, lng=lng, radius_km=radius).values_list("id", flat=True))

    assert inside[1] < 0 < lng  # the inside point is across the antimeridian
    assert near.pk in ids
    assert far.pk not in ids


def test_nearby_places_ties_when_equal_distance_are_ordered_by_id(db):
    vendor = factories.VendorFactory()
    places = [factories.PlaceFactory(vendor=vendor, lat=40.0, lng=-74.0 + offset) for offset in (0.25, -0.25, 0.25)]

    rows = list(nearby_places(lat=40.0, lng=-74.0, radius_km=50).values_list("id", "distance_km"))

    assert [pk for pk, _ in rows] == sorted(place.pk for place in places)
    assert rows[0][1] == rows[1][1] == rows[2][1]


def test_nearby_places_when_nothing_is_near_are_empty(db):
    factories.PlaceFactory(lat=30.2672, lng=-97.7431)

    assert list(nearby_places(lat=0.0, lng=0.0, radius_km=50)) == []


def test_nearby_places_inactive_or_without_location_are_left_out(db):
    factories.PlaceFactory(lat=30.2672, lng=-97.7431, is_active=False)
    factories.PlaceFactory(lat=None, lng=None)

    assert list(nearby_places(lat=30.2672, lng=-97.7431, radius_km=5)) == []


def test_bounding_box_near_a_pole_keeps_every_longitude():
    box = bounding_box(lat=89.9, lng=40.0, radius_km=25.0)

    assert (box.lat_max, box.lng_min, box.lng_max) == (90.0, None, None)


def test_bounding_box_across_the_antimeridian_wraps():
    box = bounding_box(lat=51.88, lng=179.95, radius_km=30.0)

    assert box.crosses_antimeridian
    assert box.lng_min < 180 and -180 < box.lng_max < -179.5


def test_bounding_box_holds_every_point_of_the_circle():
    rng = random.Random(7)
    for _ in range(2000):
        lat, lng, radius = rng.uniform(-85, 85), rng.uniform(-180, 180), rng.uniform(0.1, 50)
        box = bounding_box(lat=lat, lng=lng, radius_km=radius)
        p_lat, p_lng = destination(lat, lng, rng.uniform(0, 360), radius * rng.uniform(0.9, 1.0))
        assert box.lat_min <= p_lat <= box.lat_max
        if box.lng_min is None:
            continue
        if box.crosses_antimeridian:
            assert p_lng >= box.lng_min or p_lng <= box.lng_max
        else:
            assert box.lng_min <= p_lng <= box.lng_max


@pytest.mark.parametrize("cap", [3, 10, 1000])
@pytest.mark.parametrize("page_size", [1, 4, 20])
def test_plain_nearby_keys_in_rings_with_a_capped_count_page_like_brute_force(seeded_places, cap, page_size):
    # given the seeded circles (~40 places each) and a cap below, near or above their populations
    places = list(Place.objects.values_list("id", "lat", "lng"))
    for lat, lng, radius in QUERY_POINTS:
        expected = brute_force(places, lat, lng, radius)
        keys = NearbyKeys(lat=lat, lng=lng, radius_km=radius)

        # when every page is read, each from its own first ring
        got, offset = [], 0
        while True:
            page = keys.page_rows(offset=offset, limit=page_size, cap=cap)
            got += [row["id"] for row in page.rows]
            assert (page.count, page.count_is_capped) == (min(len(expected), cap), len(expected) > cap)
            if not page.has_next:
                break
            offset += page_size

        # then the same places in the same order as brute force, however small the first ring
        assert got == expected


def test_plain_nearby_first_ring_is_the_circle_unless_the_count_is_capped():
    keys = NearbyKeys(lat=40.75, lng=-73.99, radius_km=5.0)

    assert keys.first_ring_km(count=900, cap=1000, needed=21) == 5.0
    assert keys.first_ring_km(count=1001, cap=1000, needed=21) == pytest.approx(5.0 * (42 / 1000) ** 0.5)
    assert keys.first_ring_km(count=1001, cap=1000, needed=2000) == 5.0


def test_plain_nearby_a_ring_too_small_is_widened_until_the_page_is_full(db):
    # given 30 places 4 km away and 1 place 100 m away: the circle is crowded, but not near its centre
    vendor = factories.VendorFactory()
    near = factories.PlaceFactory(vendor=vendor, lat=destination(40.0, -74.0, 0, 0.1)[0], lng=-74.0)
    far = [
        factories.PlaceFactory(vendor=vendor, lat=lat, lng=lng)
        for lat, lng in (destination(40.0, -74.0, bearing * 12, 4.0) for bearing in range(30))
    ]

    # when the count is capped at 20 and a page of 2 is asked (3 places needed, to know a page follows):
    # the first ring is 5 km · sqrt(2 · 3 / 20) = 2.7 km
    page = NearbyKeys(lat=40.0, lng=-74.0, radius_km=5.0).page_rows(offset=0, limit=2, cap=20)

    # then the ring of 2.7 km (1 place) was widened to 5 km, and the page is the two nearest
    expected = sorted(far, key=lambda p: (haversine_km(40.0, -74.0, p.lat, p.lng), p.pk))[0]
    assert [row["id"] for row in page.rows] == [near.pk, expected.pk]
    assert (page.count, page.count_is_capped, page.has_next) == (20, True, True)
