"""trucks.viewport: parsing a map's box, and its places or clusters against a brute-force count."""

import random

import pytest

from tests import factories
from trucks.models import Place
from trucks.viewport import Viewport, map_viewport, viewport_parse


def in_box(lat: float, lng: float, box: Viewport) -> bool:
    """The oracle: inside south..north, and west..east (or past west or before east when it wraps)."""
    if not box.south <= lat <= box.north:
        return False
    if box.west <= box.east:
        return box.west <= lng <= box.east
    return lng >= box.west or lng <= box.east


def scatter(rng: random.Random, count: int, *, lat: tuple[float, float], lng: tuple[float, float]) -> list[Place]:
    """`count` active places spread uniformly over the given lat and lng ranges, in one INSERT."""
    vendor = factories.VendorFactory()
    places = factories.PlaceFactory.build_batch(count, vendor=vendor)
    for place in places:
        place.lat, place.lng = rng.uniform(*lat), rng.uniform(*lng)
    return Place.objects.bulk_create(places)


def assert_clusters_match_brute_force(answer, places: list[Place], box: Viewport) -> None:
    """Every place of the box is in exactly one cluster's cell; each count and centroid is the cell's."""
    inside = [p for p in places if in_box(p.lat, p.lng, box)]
    assert answer.count == len(inside) == sum(cluster.count for cluster in answer.clusters)
    for cluster in answer.clusters:
        cell = Viewport(cluster.south, cluster.west, cluster.north, cluster.east)
        members = [p for p in inside if in_box(p.lat, p.lng, cell)]
        assert cluster.count == len(members), cluster
        assert in_box(cluster.lat, cluster.lng, cell), cluster
        # the centroid's longitude is averaged across 180° as one band
        shifted = [p.lng + 360.0 if cell.crosses_antimeridian and p.lng < cell.west else p.lng for p in members]
        expected_lng = sum(shifted) / len(shifted)
        assert cluster.lat == pytest.approx(sum(p.lat for p in members) / len(members), abs=1e-9)
        assert cluster.lng == pytest.approx(expected_lng - 360.0 if expected_lng > 180 else expected_lng, abs=1e-9)


def test_parse_reads_south_west_north_east():
    assert viewport_parse("24.5,-125,49.4,-66.9") == Viewport(24.5, -125.0, 49.4, -66.9)
    assert viewport_parse("50,170,60,-170").crosses_antimeridian is True
    assert viewport_parse("50,170,60,-170").width == 20.0


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ("1,2,3", ["Give four numbers: south,west,north,east."]),
        ("a,2,3,4", ["south: A valid number is required."]),
        ("1,nan,3,inf", ["west: A valid number is required.", "east: A valid number is required."]),
        (
            "-91,0,91,0",
            ["south: Ensure this value is between -90 and 90.", "north: Ensure this value is between -90 and 90."],
        ),
        (
            "0,-181,1,180.5",
            ["west: Ensure this value is between -180 and 180.", "east: Ensure this value is between -180 and 180."],
        ),
        ("10,0,5,1", ["south: Ensure south is not above north."]),
    ],
)
def test_parse_names_every_bad_part(text, messages):
    with pytest.raises(ValueError) as error:
        viewport_parse(text)

    assert error.value.args[0] == messages


def test_a_box_with_few_places_answers_their_ids(db, settings):
    # given 30 places, 10 of them outside the box, and a threshold above 20
    settings.MAP_CLUSTER_THRESHOLD = 20
    places = scatter(random.Random(1), 20, lat=(30.0, 31.0), lng=(-98.0, -97.0))
    scatter(random.Random(2), 10, lat=(40.0, 41.0), lng=(-98.0, -97.0))

    # when
    answer = map_viewport(viewport=Viewport(30.0, -98.0, 31.0, -97.0), queryset=Place.objects.filter(is_active=True))

    # then the ids of the box, nothing else
    assert answer.clusters is None
    assert answer.count == 20
    assert answer.place_ids == sorted(p.pk for p in places)


def test_a_crowded_box_answers_clusters_counting_every_place_once(db, settings):
    # given 600 places over the continental US and beyond, a threshold of 50, a 16 × 16 grid
    settings.MAP_CLUSTER_THRESHOLD, settings.MAP_CLUSTER_GRID = 50, 16
    places = scatter(random.Random(7), 600, lat=(20.0, 55.0), lng=(-130.0, -60.0))
    box = Viewport(24.5, -125.0, 49.4, -66.9)

    # when
    answer = map_viewport(viewport=box, queryset=Place.objects.filter(is_active=True))

    # then
    assert answer.place_ids is None and (answer.rows, answer.columns) == (16, 16)
    assert answer.count > 50
    assert len(answer.clusters) <= 256
    assert_clusters_match_brute_force(answer, places, box)


def test_a_box_across_the_antimeridian_clusters_both_sides(db, settings):
    # given places from 160°E to 160°W around Fiji's latitude, and a box from 170°E to 170°W
    settings.MAP_CLUSTER_THRESHOLD, settings.MAP_CLUSTER_GRID = 10, 4
    east_side = scatter(random.Random(3), 120, lat=(-20.0, -15.0), lng=(160.0, 180.0))
    west_side = scatter(random.Random(4), 120, lat=(-20.0, -15.0), lng=(-180.0, -160.0))
    box = Viewport(-19.0, 170.0, -16.0, -170.0)

    # when
    answer = map_viewport(viewport=box, queryset=Place.objects.filter(is_active=True))

    # then both sides of 180° are in, the cells west of it and east of it
    assert_clusters_match_brute_force(answer, east_side + west_side, box)
    assert {cluster.west for cluster in answer.clusters} == {170.0, 175.0, -180.0, -175.0}
    assert sum(c.count for c in answer.clusters if c.lng > 0) == sum(in_box(p.lat, p.lng, box) for p in east_side)
    assert sum(c.count for c in answer.clusters if c.lng < 0) == sum(in_box(p.lat, p.lng, box) for p in west_side)


def test_a_box_on_one_side_of_the_antimeridian_keeps_to_it(db, settings):
    # given the same places, a box from 175°E to 180° only
    settings.MAP_CLUSTER_THRESHOLD, settings.MAP_CLUSTER_GRID = 10, 4
    places = scatter(random.Random(3), 120, lat=(-20.0, -15.0), lng=(160.0, 180.0)) + scatter(
        random.Random(4), 120, lat=(-20.0, -15.0), lng=(-180.0, -160.0)
    )
    box = Viewport(-20.0, 175.0, -15.0, 180.0)

    answer = map_viewport(viewport=box, queryset=Place.objects.filter(is_active=True))

    assert_clusters_match_brute_force(answer, places, box)
    assert all(cluster.lng >= 175.0 for cluster in answer.clusters)


def test_clusters_count_only_what_the_queryset_keeps(db, settings):
    # given 100 open and 100 closed places in the box, and one inactive
    settings.MAP_CLUSTER_THRESHOLD, settings.MAP_CLUSTER_GRID = 10, 8
    open_places = scatter(random.Random(5), 100, lat=(30.0, 31.0), lng=(-98.0, -97.0))
    Place.objects.filter(pk__in=[p.pk for p in open_places]).update(is_open=True)
    scatter(random.Random(6), 100, lat=(30.0, 31.0), lng=(-98.0, -97.0))
    Place.objects.filter(pk=open_places[0].pk).update(is_active=False)
    box = Viewport(30.0, -98.0, 31.0, -97.0)

    answer = map_viewport(viewport=box, queryset=Place.objects.filter(is_active=True, is_open=True))

    assert answer.count == 99
    assert_clusters_match_brute_force(answer, open_places[1:], box)
