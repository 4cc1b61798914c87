"""Which stream channels a change goes to, and which channels a map's box listens to.

The world is cut into square tiles at a few sizes (TILE_SIZES, in degrees). A change of a place is
published once to the tile of each size holding the place (and, after a move, the tile it left),
and once to the place's own channel (favorites). A box listens to the tiles of the smallest size at
which at most MAX_TILES cover it, so a channel's subscribers and a box's channels both stay few.
The ASGI stream drops the events of a covering tile that fall outside the box itself; behind
Pushpin (which cannot look inside events) a box gets its covering tiles' events and the client
keeps those inside its box by the event's lat/lng (docs/live.md).
"""

import math
from dataclasses import dataclass
from urllib.parse import quote

TILE_SIZES = (0.25, 1.0, 4.0, 16.0, 90.0)
MAX_TILES = 9


def _index(value: float, origin: float, size: float, count: int) -> int:
    return min(max(math.floor((value + origin) / size), 0), count - 1)


def _tile(level: int, lat: float, lng: float) -> str:
    size = TILE_SIZES[level]
    x = _index(lng, 180.0, size, math.ceil(360.0 / size))
    y = _index(lat, 90.0, size, math.ceil(180.0 / size))
    return f"geo{level}.{x}.{y}"


def tile_channels(lat: float, lng: float) -> list[str]:
    """The channels of the tiles, one per size, that hold the point."""
    return [_tile(level, lat, lng) for level in range(len(TILE_SIZES))]


def place_channel(place_id: int) -> str:
    return f"place.{place_id}"


def user_channel(user_id: int) -> str:
    """A user's own channel: what a favorites stream with no favorites listens to."""
    return f"user.{user_id}"


@dataclass(frozen=True)
class BoundingBox:
    """south, west, north, east in degrees; west > east crosses the antimeridian."""

    south: float
    west: float
    north: float
    east: float

    @property
    def crosses_antimeridian(self) -> bool:
        return self.west > self.east

    def lng_ranges(self) -> list[tuple[float, float]]:
        if self.crosses_antimeridian:
            return [(self.west, 180.0), (-180.0, self.east)]
        return [(self.west, self.east)]

    def contains(self, lat: float, lng: float) -> bool:
        if not self.south <= lat <= self.north:
            return False
        return any(west <= lng <= east for west, east in self.lng_ranges())

    def channels(self) -> list[str]:
        """The tiles of the smallest size at which at most MAX_TILES cover the box."""
        for level, size in enumerate(TILE_SIZES):
            columns, rows = math.ceil(360.0 / size), math.ceil(180.0 / size)
            ys = range(_index(self.south, 90.0, size, rows), _index(self.north, 90.0, size, rows) + 1)
            xs: set[int] = set()
            for west, east in self.lng_ranges():
                xs.update(range(_index(west, 180.0, size, columns), _index(east, 180.0, size, columns) + 1))
            if len(xs) * len(ys) <= MAX_TILES or level == len(TILE_SIZES) - 1:
                return [f"geo{level}.{x}.{y}" for x in sorted(xs) for y in ys]
        raise AssertionError("unreachable: the largest tiles always cover the box")


def parse_bbox(raw: str | None) -> BoundingBox:
    """`south,west,north,east` → a BoundingBox; ValueError with a message a client can act on."""
    if not raw:
        raise ValueError("Give the box as south,west,north,east in degrees.")
    parts = raw.split(",")
    if len(parts) != 4:
        raise ValueError("Give four numbers: south,west,north,east.")
    try:
        south, west, north, east = (float(part) for part in parts)
    except ValueError:
        raise ValueError("Each of south,west,north,east must be a number.") from None
    if not all(math.isfinite(v) for v in (south, west, north, east)):
        raise ValueError("Each of south,west,north,east must be a finite number.")
    if not (-90.0 <= south <= 90.0 and -90.0 <= north <= 90.0):
        raise ValueError("Latitudes must be between -90 and 90.")
    if not (-180.0 <= west <= 180.0 and -180.0 <= east <= 180.0):
        raise ValueError("Longitudes must be between -180 and 180.")
    if south > north:
        raise ValueError("South must not be north of north.")
    return BoundingBox(south=south, west=west, north=north, east=east)


def resync_channel(channel: str) -> str:
    """The Pushpin channel that tells the streams held on `channel` to resync (live.publisher). Not one
    of django-eventstream's numbered channels: held without a previous id, so Pushpin passes on an
    event published there with none (on the numbered channel it would wait for the missing id)."""
    return f"resync-{quote(channel)}"
