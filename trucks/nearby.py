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
# runs as this one prepared statement, built once, instead of an ORM query rebuilt and recompiled
# on every request (that cost more than the query itself). Same box, same haversine, same order as
# nearby_places() (the search with filters); tests hold both to a brute-force haversine.
_DISTANCE_SQL = (
    "%(two_r)s * ASIN(SQRT(LEAST(POWER(SIN((RADIANS(lat) - %(lat0)s) / 2.0), 2)"
    " + %(cos_lat0)s * COS(RADIANS(lat)) * POWER(SIN((RADIANS(lng) - %(lng0)s) / 2.0), 2), 1.0)))"
)
# Only constants are put in ({distance}, {lng_condition}); every value is a bound parameter.
_NEARBY_KEYS_SQL = (
    "SELECT id, distance_km, COUNT(*) OVER () AS total_count FROM ("  # nosec B608 - constants only
    " SELECT id, {distance} AS distance_km FROM trucks_place"
    " WHERE is_active AND lat >= %(lat_min)s AND lat <= %(lat_max)s AND {lng_condition}"
    ") AS candidates WHERE distance_km <= %(radius_km)s ORDER BY distance_km, id LIMIT %(limit)s OFFSET %(offset)s"
).replace("{distance}", _DISTANCE_SQL)
_LNG_CONDITIONS = {
    "all": "lng IS NOT NULL",
    "band": "lng >= %(lng_min)s AND lng <= %(lng_max)s",
    "wrapped": "(lng >= %(lng_min)s OR lng <= %(lng_max)s)",
}


@dataclass(frozen=True)
class NearbyKeys:
    """Keys (id, distance_km) of the active places within `radius_km`, nearest first, ties by id."""

    lat: float
    lng: float
    radius_km: float

    def page_sql(self, *, offset: int, limit: int) -> tuple[str, dict]:
        box = bounding_box(lat=self.lat, lng=self.lng, radius_km=self.radius_km)
        shape = "all" if box.lng_min is None else "wrapped" if box.crosses_antimeridian else "band"
        params = {
            "two_r": 2.0 * EARTH_RADIUS_KM,
            "lat0": math.radians(self.lat),
            "lng0": math.radians(self.lng),
            "cos_lat0": math.cos(math.radians(self.lat)),
            "lat_min": box.lat_min,
            "lat_max": box.lat_max,
            "lng_min": box.lng_min,
            "lng_max": box.lng_max,
            "radius_km": float(self.radius_km),
            "limit": limit,
            "offset": offset,
        }
        return _NEARBY_KEYS_SQL.replace("{lng_condition}", _LNG_CONDITIONS[shape]), params

    def page_rows(self, *, offset: int, limit: int) -> list[dict]:
        """One page of keys, each with the total (`total_count`) of the whole search."""
        sql, params = self.page_sql(offset=offset, limit=limit)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [{"id": pk, "distance_km": distance, "total_count": total} for pk, distance, total in cursor]
