"""Shared by the nearby tests of trucks and of the API: query points, a brute-force oracle, a seeded scatter."""

import math
import random

from tests import factories
from trucks.models import Place
from trucks.nearby import EARTH_RADIUS_KM, haversine_km

# (lat, lng, radius_km): a city, the Arctic, both sides of the antimeridian, next to the North Pole.
QUERY_POINTS = [
    (30.2672, -97.7431, 5.0),
    (78.2232, 15.6267, 20.0),
    (51.88, 179.95, 30.0),
    (-16.5, -179.98, 12.0),
    (89.9, 40.0, 25.0),
]


def destination(lat: float, lng: float, bearing_deg: float, km: float) -> tuple[float, float]:
    """The point `km` away from (lat, lng) on the initial bearing (great circle)."""
    phi1, lam1, theta, delta = math.radians(lat), math.radians(lng), math.radians(bearing_deg), km / EARTH_RADIUS_KM
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    lam2 = lam1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * math.sin(phi2)
    )
    lng2 = (math.degrees(lam2) + 540.0) % 360.0 - 180.0
    return math.degrees(phi2), lng2


def brute_force(places: list[tuple[int, float, float]], lat: float, lng: float, radius_km: float) -> list[int]:
    hits = [(haversine_km(lat, lng, p_lat, p_lng), pk) for pk, p_lat, p_lng in places]
    return [pk for distance, pk in sorted(hits) if distance <= radius_km]


def seed_places(rng: random.Random) -> None:
    vendor = factories.VendorFactory()
    rows = []
    for lat, lng, radius in QUERY_POINTS:
        # scattered up to twice the radius away, in every direction
        for _ in range(50):
            rows.append(destination(lat, lng, rng.uniform(0, 360), rng.uniform(0, 2 * radius)))
        # just inside and just outside the circle (10 m either side)
        for bearing in (0, 45, 90, 135, 180, 225, 270, 315):
            rows.append(destination(lat, lng, bearing, radius - 0.01))
            rows.append(destination(lat, lng, bearing, radius + 0.01))
        # equal distances: the same spot three times
        spot = destination(lat, lng, rng.uniform(0, 360), radius / 2)
        rows.extend([spot, spot, spot])
    # and a sprinkle over the whole globe
    rows.extend((rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(60))
    Place.objects.bulk_create(
        Place(vendor=vendor, name=f"P{i}", lat=round(lat, 7), lng=round(lng, 7)) for i, (lat, lng) in enumerate(rows)
    )
