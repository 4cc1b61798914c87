"""trucks.map_lattice: the lattice kept by the triggers, and its clusters against a brute-force count."""

import random

import pytest
from django.db import connection

from tests import factories
from trucks.map_lattice import CELL_DEGREES, LEVELS, lattice_map
from trucks.models import Place
from trucks.viewport import Viewport


def in_box(lat: float, lng: float, box: Viewport) -> bool:
    if not box.south <= lat <= box.north:
        return False
    if box.west <= box.east:
        return box.west <= lng <= box.east
    return lng >= box.west or lng <= box.east


def lattice_rows() -> dict:
    """The lattice as {(level, row, col, kind, is_open): (places, lat_sum, lng_sum)}, empty cells left out."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT level, cell_row, cell_col, kind, is_open, places, lat_sum, lng_sum FROM trucks_map_cell"
            " WHERE places <> 0"
        )
        return {tuple(row[:5]): tuple(row[5:]) for row in cursor.fetchall()}


def expected_lattice() -> dict:
    """The lattice computed in Python from the active places."""
    cells: dict = {}
    for place in Place.objects.filter(is_active=True, lat__isnull=False):
        row0, col0 = int(place.lat // CELL_DEGREES), int(place.lng // CELL_DEGREES)
        for level in range(LEVELS):
            key = (level, row0 // 2**level, col0 // 2**level, place.kind, place.is_open)
            places, lat_sum, lng_sum = cells.get(key, (0, 0.0, 0.0))
            cells[key] = (places + 1, lat_sum + place.lat, lng_sum + place.lng)
    return cells


def assert_lattice_is_the_places() -> None:
    got, expected = lattice_rows(), expected_lattice()
    assert got.keys() == expected.keys()
    for key, (places, lat_sum, lng_sum) in expected.items():
        assert got[key][0] == places, key
        assert got[key][1] == pytest.approx(lat_sum, abs=1e-6) and got[key][2] == pytest.approx(lng_sum, abs=1e-6)


def scatter(rng: random.Random, count: int, *, lat, lng, **fields) -> list[Place]:
    vendor = factories.VendorFactory()
    places = factories.PlaceFactory.build_batch(count, vendor=vendor, **fields)
    for place in places:
        place.lat, place.lng = rng.uniform(*lat), rng.uniform(*lng)
    return Place.objects.bulk_create(places)


def test_lattice_follows_every_write_to_the_places(db):
    rng = random.Random(5)
    # inserted in bulk (one statement), and one by one
    places = scatter(rng, 80, lat=(30.0, 31.0), lng=(-98.0, -97.0))
    places += [factories.PlaceFactory(lat=40.7, lng=-74.0, is_open=True), factories.PlaceFactory(kind="stand")]
    assert_lattice_is_the_places()

    # moved, switched open, turned into a stand, deactivated, all in one bulk update
    for place in places[:20]:
        place.lat, place.lng = rng.uniform(45, 46), rng.uniform(-120, -119)
    for place in places[20:30]:
        place.is_open = True
    for place in places[30:35]:
        place.is_active = False
    for place in places[35:40]:
        place.kind = "stand"
    Place.objects.bulk_update(places[:40], ["lat", "lng", "is_open", "is_active", "kind"])
    assert_lattice_is_the_places()

    # a queryset update, an update that does not touch the map, a location removed, deletes
    Place.objects.filter(pk__in=[p.pk for p in places[40:50]]).update(is_active=False)
    Place.objects.filter(pk__in=[p.pk for p in places[50:60]]).update(rating_count=3)
    Place.objects.filter(pk=places[60].pk).update(lat=None, lng=None)
    Place.objects.filter(pk__in=[p.pk for p in places[61:70]]).delete()
    assert_lattice_is_the_places()


def brute_force_clusters(places: list[Place], box: Viewport, **filters) -> list:
    return [
        p
        for p in places
        if p.is_active
        and p.lat is not None
        and in_box(p.lat, p.lng, box)
        and all(getattr(p, field) == value for field, value in filters.items())
    ]


BOXES = [
    Viewport(24.5, -125.0, 49.4, -66.9),  # the continental US
    Viewport(29.9, -98.3, 31.05, -96.71),  # a region, edges through the places
    Viewport(30.2, -97.8, 30.31, -97.69),  # a city
    Viewport(50.0, 176.0, 53.0, -176.0),  # across the antimeridian
    Viewport(-89.0, -179.0, 89.0, 179.0),  # nearly the globe
    Viewport(30.4013, -97.4017, 30.4013, -97.4017),  # a point, holding one place
]


@pytest.mark.parametrize("box", BOXES)
@pytest.mark.parametrize("max_cells", [4, 16, 256])
def test_lattice_clusters_count_every_place_of_the_box_once(db, box, max_cells):
    # given places over the US, Austin crowded, both sides of 180°, and some inactive or open
    rng = random.Random(11)
    scatter(rng, 150, lat=(24.5, 49.4), lng=(-125.0, -66.9))
    scatter(rng, 150, lat=(30.0, 31.0), lng=(-98.0, -97.0), is_open=True)
    scatter(rng, 60, lat=(29.0, 32.0), lng=(-99.0, -96.0), kind="stand")
    scatter(rng, 40, lat=(50.1, 52.9), lng=(176.0, 179.99))
    scatter(rng, 40, lat=(50.1, 52.9), lng=(-179.99, -176.0))
    scatter(rng, 10, lat=(30.0, 31.0), lng=(-98.0, -97.0), is_active=False)
    factories.PlaceFactory(lat=30.4013, lng=-97.4017)  # the point box below
    places = list(Place.objects.all())

    for filters in ({}, {"kind": "stand"}, {"is_open": True}, {"kind": "truck", "is_open": False}):
        # when
        answer = lattice_map(viewport=box, max_cells=max_cells, **filters)

        # then every place of the box is in exactly one cluster, whose bounds hold it, and the centroids
        inside = brute_force_clusters(places, box, **filters)
        if answer is None:  # too wide for the coarsest cells (20.48°) on so few: the map's GROUP BY answers
            assert max_cells <= 16 and (box.width > 40 or box.height > 40)
            continue
        assert answer.rows * answer.columns <= max_cells
        assert answer.count == len(inside) == sum(cluster.count for cluster in answer.clusters)
        for cluster in answer.clusters:
            cell = Viewport(cluster.south, cluster.west, cluster.north, cluster.east)
            members = [p for p in inside if in_box(p.lat, p.lng, cell)]
            assert cluster.count == len(members), (cluster, filters)
            assert cluster.lat == pytest.approx(sum(p.lat for p in members) / len(members), abs=1e-9)
            assert cluster.lng == pytest.approx(sum(p.lng for p in members) / len(members), abs=1e-9)
            assert box.south <= cell.south <= cell.north <= box.north


def test_lattice_map_has_no_level_for_a_box_wider_than_its_coarsest_grid(db):
    assert lattice_map(viewport=Viewport(-89.0, -179.0, 89.0, 179.0), max_cells=4) is None
