"""The nearby search: places within a radius of a point, nearest first, exact great-circle distance.

How it stays fast and exact:
1. a bounding box on (lat, lng) that provably contains the whole circle, served by the B-tree
   `place_lat_lng_idx` (an index range scan on lat, the lng band filtered inside the index);
2. the exact haversine distance (R = 6371.0088 km) as an SQL expression, `distance <= radius`,
   ordered by (distance, id).
The box is only a pre-filter, so the answer is the same as a brute-force haversine over every place.
"""

import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt

from trucks.models import Place

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180.0  # along a meridian: 111.195 km
# Widens the box by a hair so float rounding at its edge never drops a place the circle holds.
BOX_MARGIN_DEGREES = 1e-9
DEFAULT_RADIUS_KM = 5.0
MAX_RADIUS_KM = 50.0


@dataclass(frozen=True)
class BoundingBox:
    lat_min: float
    lat_max: float
    # None: every longitude (the circle holds a pole, or is wider than the globe at that latitude).
    lng_min: float | None = None
    lng_max: float | None = None

    @property
    def crosses_antimeridian(self) -> bool:
        return self.lng_min is not None and self.lng_min > self.lng_max

    def as_q(self) -> Q:
        q = Q(lat__gte=self.lat_min, lat__lte=self.lat_max)
        if self.lng_min is None:
            return q & Q(lng__isnull=False)
        if self.crosses_antimeridian:
            return q & (Q(lng__gte=self.lng_min) | Q(lng__lte=self.lng_max))
        return q & Q(lng__gte=self.lng_min, lng__lte=self.lng_max)


def bounding_box(*, lat: float, lng: float, radius_km: float) -> BoundingBox:
    """The smallest lat/lng box that holds every point within `radius_km` of (lat, lng).

    Latitude: a point farther than radius/KM_PER_DEGREE degrees north or south is farther than the
    radius. Longitude: with c = cos of the largest |lat| in the band, haversine gives
    sin(Δλ/2) <= sin(d/2R) / c, so Δλ <= 2·asin(sin(d/2R)/c) (a touch wider than d/(R·c), which is
    not a safe bound). A band that reaches a pole, or a Δλ past 180°, keeps every longitude.
    """
    dlat = radius_km / KM_PER_DEGREE + BOX_MARGIN_DEGREES
    lat_min, lat_max = lat - dlat, lat + dlat
    if lat_min <= -90.0 or lat_max >= 90.0:
        return BoundingBox(max(lat_min, -90.0), min(lat_max, 90.0))
    cos_edge = math.cos(math.radians(max(abs(lat_min), abs(lat_max))))
    ratio = math.sin(radius_km / (2.0 * EARTH_RADIUS_KM)) / cos_edge
    if ratio >= 1.0:
        return BoundingBox(lat_min, lat_max)
    dlng = math.degrees(2.0 * math.asin(ratio)) + BOX_MARGIN_DEGREES
    if dlng >= 180.0:
        return BoundingBox(lat_min, lat_max)
    lng_min, lng_max = lng - dlng, lng + dlng
    if lng_min < -180.0:
        lng_min += 360.0  # wraps: [lng_min, 180] ∪ [-180, lng_max]
    elif lng_max > 180.0:
        lng_max -= 360.0
    return BoundingBox(lat_min, lat_max, lng_min, lng_max)


def haversine_km_expression(*, lat: float, lng: float):
    """The great-circle distance in km from (lat, lng) to each row's (lat, lng), as SQL."""
    lat0 = Value(math.radians(lat), output_field=FloatField())
    lng0 = Value(math.radians(lng), output_field=FloatField())
    cos_lat0 = Value(math.cos(math.radians(lat)), output_field=FloatField())
    row_lat, row_lng = Radians(F("lat")), Radians(F("lng"))
    half_chord = Power(Sin((row_lat - lat0) / 2.0), 2) + cos_lat0 * Cos(row_lat) * Power(Sin((row_lng - lng0) / 2.0), 2)
    # Least(…, 1): rounding can push the argument a hair past 1, outside asin's domain.
    return Value(2.0 * EARTH_RADIUS_KM) * ASin(Sqrt(Least(half_chord, Value(1.0))))


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The same distance in Python (tests and scripts compare against it)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_chord = (
        math.sin((phi2 - phi1) / 2.0) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin((math.radians(lng2) - math.radians(lng1)) / 2.0) ** 2
    )
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(half_chord, 1.0)))


def nearby_places(
    *, lat: float, lng: float, radius_km: float = DEFAULT_RADIUS_KM, queryset: QuerySet[Place] | None = None
) -> QuerySet[Place]:
    """Places of `queryset` (active places by default) within `radius_km`, with `distance_km`,
    nearest first, ties by id."""
    queryset = Place.objects.filter(is_active=True) if queryset is None else queryset
    box = bounding_box(lat=lat, lng=lng, radius_km=radius_km)
    return (
        queryset.filter(box.as_q())
        .annotate(distance_km=haversine_km_expression(lat=lat, lng=lng))
        .filter(distance_km__lte=radius_km)
        .order_by("distance_km", "id")
    )


# The plain nearby search (a point and a radius, nothing else) is the hottest query of the app: it
# runs as statements written once, instead of an ORM query rebuilt and recompiled on every request
# (that cost more than the query itself). Same haversine and order as nearby_places() (the search
# with filters); tests hold both to a brute-force haversine.
#
# It reads the GiST index `place_active_point_idx` (point(lng, lat) of active places, with lat, lng
# and id included: trucks/migrations/0008), whose box condition `point(lng, lat) <@ box` reads only
# the box (a B-tree on (lat, lng) reads the whole latitude band, coast to coast). Two statements:
# 1. the capped count: the places of the circle, counted up to NEARBY_COUNT_CAP + 1 (a LIMIT under
#    the COUNT, so a dense circle stops being read after the cap);
# 2. the page in a ring: the places within a radius r <= radius_km, nearest first, OFFSET/LIMIT. When
#    the circle holds more than the cap, r starts where the circle's density says the ring holds
#    about twice the places the page needs (r = R·sqrt(2·needed / cap), an upper estimate since the
#    density is at least cap / πR²); a ring holding fewer than the page needs is widened (×2, up to
#    radius_km) and read again. A ring holds every place within r, and every place outside it is
#    farther than r, so its first `needed` places, nearest first, are exactly the search's.
_DISTANCE_SQL = (
    "%(two_r)s * ASIN(SQRT(LEAST(POWER(SIN((RADIANS(lat) - %(lat0)s) / 2.0), 2)"
    " + %(cos_lat0)s * COS(RADIANS(lat)) * POWER(SIN((RADIANS(lng) - %(lng0)s) / 2.0), 2), 1.0)))"
)
# Only constants are put in ({distance}, {in_box}); every value is a bound parameter.
_NEARBY_COUNT_SQL = (
    "SELECT COUNT(*) FROM ("  # nosec B608 - constants only
    " SELECT 1 FROM trucks_place WHERE is_active AND {in_box} AND {distance} <= %(radius_km)s LIMIT %(cap)s"
    ") AS circle"
).replace("{distance}", _DISTANCE_SQL)
_NEARBY_KEYS_SQL = (
    "SELECT id, distance_km FROM ("  # nosec B608 - constants only
    " SELECT id, {distance} AS distance_km FROM trucks_place WHERE is_active AND {in_box}"
    ") AS candidates WHERE distance_km <= %(radius_km)s ORDER BY distance_km, id LIMIT %(limit)s OFFSET %(offset)s"
).replace("{distance}", _DISTANCE_SQL)
_POINT_IN_BOX = "point(lng, lat) <@ box(point(%(w{n})s, %(s{n})s), point(%(e{n})s, %(n{n})s))"
# A circle's box, as the GiST condition: one box, or two when it crosses the antimeridian.
_IN_BOX = {
    1: _POINT_IN_BOX.replace("{n}", "0"),
    2: "(" + _POINT_IN_BOX.replace("{n}", "0") + " OR " + _POINT_IN_BOX.replace("{n}", "1") + ")",
}
# A ring grows by this factor when it holds fewer places than the page needs.
RING_GROWTH = 2.0


def _box_params(box: BoundingBox) -> dict:
    """The box as one or two (south, west, north, east) parameter sets for _IN_BOX."""
    if box.lng_min is None:
        parts = [(-180.0, 180.0)]
    elif box.crosses_antimeridian:
        parts = [(box.lng_min, 180.0), (-180.0, box.lng_max)]
    else:
        parts = [(box.lng_min, box.lng_max)]
    params = {}
    for number, (west, east) in enumerate(parts):
        params.update({f"s{number}": box.lat_min, f"n{number}": box.lat_max, f"w{number}": west, f"e{number}": east})
    return params


@dataclass(frozen=True)
class NearbyPage:
    """One page of the plain nearby search: its rows, the count (exact up to the cap), whether the
    circle holds more than the cap (`count_is_capped`), and whether a page follows."""

    rows: list
    count: int
    count_is_capped: bool
    has_next: bool


@dataclass(frozen=True)
class NearbyKeys:
    """Keys (id, distance_km) of the active places within `radius_km`, nearest first, ties by id."""

    lat: float
    lng: float
    radius_km: float

    def _params(self, radius_km: float) -> tuple[str, dict]:
        box = bounding_box(lat=self.lat, lng=self.lng, radius_km=radius_km)
        params = {
            "two_r": 2.0 * EARTH_RADIUS_KM,
            "lat0": math.radians(self.lat),
            "lng0": math.radians(self.lng),
            "cos_lat0": math.cos(math.radians(self.lat)),
            "radius_km": float(radius_km),
            **_box_params(box),
        }
        return _IN_BOX[2 if box.crosses_antimeridian else 1], params

    def count_sql(self, *, cap: int) -> tuple[str, dict]:
        """The places of the circle, counted up to cap + 1."""
        in_box, params = self._params(self.radius_km)
        return _NEARBY_COUNT_SQL.replace("{in_box}", in_box), {**params, "cap": cap + 1}

    def page_sql(self, *, offset: int, limit: int, radius_km: float | None = None) -> tuple[str, dict]:
        """Keys (id, distance_km) of the places within `radius_km` (the search's by default), nearest
        first, `limit` of them after `offset`."""
        in_box, params = self._params(self.radius_km if radius_km is None else min(radius_km, self.radius_km))
        return _NEARBY_KEYS_SQL.replace("{in_box}", in_box), {**params, "limit": limit, "offset": offset}

    def first_ring_km(self, *, count: int, cap: int, needed: int) -> float:
        """The first ring's radius: the whole circle when it holds at most `cap` places; otherwise the
        radius where the circle's (at least) cap places per πR² put about 2 × needed places."""
        if count <= cap:
            return self.radius_km
        return min(self.radius_km, self.radius_km * math.sqrt(2.0 * needed / cap))

    def page(self, *, offset: int, limit: int, cap: int, fetch, count: int | None = None) -> NearbyPage:
        """One page: `fetch(sql, params)` runs the keys' statement (or one wrapping it) and returns
        its rows, nearest first; one row more than `limit` is asked to know whether a page follows.
        `count`: the circle's count up to cap + 1 when already read (count_sql)."""
        if count is None:
            sql, params = self.count_sql(cap=cap)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                (count,) = cursor.fetchone()
        radius = self.first_ring_km(count=count, cap=cap, needed=offset + limit + 1)
        while True:
            rows = fetch(*self.page_sql(offset=offset, limit=limit + 1, radius_km=radius))
            if len(rows) > limit or radius >= self.radius_km:
                break
            radius = min(self.radius_km, radius * RING_GROWTH)
        return NearbyPage(
            rows=rows[:limit], count=min(count, cap), count_is_capped=count > cap, has_next=len(rows) > limit
        )

    def page_rows(self, *, offset: int, limit: int, cap: int) -> NearbyPage:
        """One page of keys, as {"id", "distance_km"} rows."""

        def fetch(sql: str, params: dict) -> list[dict]:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return [{"id": pk, "distance_km": distance} for pk, distance in cursor]

        return self.page(offset=offset, limit=limit, cap=cap, fetch=fetch)
