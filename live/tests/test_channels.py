"""Tiles and boxes: a change is published where every box that holds it listens."""

import pytest

from live.channels import MAX_TILES, BoundingBox, parse_bbox, tile_channels


@pytest.mark.parametrize(
    "box",
    [
        BoundingBox(30.0, -98.0, 30.5, -97.5),
        BoundingBox(-20.0, 170.0, -10.0, -170.0),  # across the antimeridian
        BoundingBox(-90.0, -180.0, 90.0, 180.0),  # the world
        BoundingBox(10.0, 179.9, 10.1, -179.9),
    ],
)
def test_every_point_of_a_box_is_published_to_one_of_its_channels(box):
    channels = set(box.channels())
    assert len(channels) <= MAX_TILES
    lats = [box.south + (box.north - box.south) * i / 4 for i in range(5)]
    lngs = [lng for west, east in box.lng_ranges() for lng in (west, (west + east) / 2, east)]
    for lat in lats:
        for lng in lngs:
            assert box.contains(lat, lng)
            assert channels & set(tile_channels(lat, lng)), (lat, lng)


def test_antimeridian_box_contains_both_sides_and_not_the_middle():
    box = parse_bbox("-20,170,-10,-170")
    assert box.contains(-15, 179) and box.contains(-15, -175)
    assert not box.contains(-15, 0)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (None, "Give the box"),
        ("1,2,3", "four numbers"),
        ("a,b,c,d", "must be a number"),
        ("nan,0,1,1", "finite"),
        ("-91,0,1,1", "Latitudes"),
        ("0,-181,1,1", "Longitudes"),
        ("10,0,5,1", "South"),
    ],
)
def test_bad_boxes_are_refused_with_a_reason(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_bbox(raw)


@pytest.mark.django_db
def test_bad_box_is_a_400_with_the_field_error(api_client):
    response = api_client.get("/api/v1/live/places/?bbox=1,2,3", HTTP_ACCEPT="text/event-stream")
    assert response.status_code == 400
    assert response.json()["errors"] == {"bbox": ["Give four numbers: south,west,north,east."]}
