"""Reverse geocoding (coordinates to a street address), pluggable and off by default.

`REVERSE_GEOCODER_URL` names a Nominatim-compatible service (its `/reverse?format=jsonv2&lat=&lon=`);
empty, nothing is looked up and a moved place simply has no address until a vendor types one. The
lookup runs in a Celery task after the check-in commits, so a slow or failing geocoder never fails or
delays a check-in, and it writes only if the place still sits where it was looked up, with no address.
"""

import json
import logging
import urllib.parse
import urllib.request

from django.conf import settings
from django.db import transaction

from trucks.models import AddressSource, Place
from trucks.upcoming import upcoming_stops_rebuild

logger = logging.getLogger(__name__)


def address_lookup_after_commit(*, place_id: int, lat: float, lng: float) -> None:
    """Queue the lookup of a moved place's address, once the check-in commits (no-op when turned off)."""
    if not settings.REVERSE_GEOCODER_URL:
        return
    from trucks.tasks import reverse_geocode_place  # the tasks module imports this one

    reverse_geocode_place.delay_on_commit(place_id, lat, lng)


def _street(answer: dict) -> str:
    """A short street address from a jsonv2 answer: "12 Main Street, Austin", else its display name."""
    parts = answer.get("address") or {}
    street = " ".join(part for part in (parts.get("house_number"), parts.get("road")) if part)
    town = next((parts[key] for key in ("city", "town", "village", "hamlet", "suburb") if parts.get(key)), "")
    text = ", ".join(part for part in (street, town) if part) if street else answer.get("display_name", "")
    return str(text).strip()[:255]


def reverse_geocode(lat: float, lng: float) -> str:
    """The address at (lat, lng) from the configured service; "" when it has none or cannot answer."""
    base = settings.REVERSE_GEOCODER_URL.rstrip("/")
    if not base.startswith(("http://", "https://")):
        return ""
    query = urllib.parse.urlencode({"format": "jsonv2", "lat": f"{lat:.6f}", "lon": f"{lng:.6f}"})
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        f"{base}/reverse?{query}", headers={"User-Agent": settings.REVERSE_GEOCODER_USER_AGENT}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.REVERSE_GEOCODER_TIMEOUT) as response:  # noqa: S310 # nosec B310
            answer = json.loads(response.read(256 * 1024))
    except (OSError, ValueError) as error:  # timeouts, refused connections, HTTP errors, bad JSON
        logger.warning("Reverse geocoder failed for %.6f,%.6f: %s", lat, lng, error)
        return ""
    return _street(answer) if isinstance(answer, dict) and "error" not in answer else ""


@transaction.atomic
def place_address_from_geocoder(*, place_id: int, lat: float, lng: float) -> bool:
    """Write the geocoder's address on the place if it still sits at (lat, lng) with no address.

    Idempotent: a rerun finds the address set (or the place moved on) and writes nothing.
    """
    if not Place.objects.filter(pk=place_id, lat=lat, lng=lng, address="").exists():
        return False
    address = reverse_geocode(lat, lng)
    if not address:
        return False
    written = Place.objects.filter(pk=place_id, lat=lat, lng=lng, address="").update(
        address=address, address_source=AddressSource.GEOCODER
    )
    if written:
        upcoming_stops_rebuild(place_ids=[place_id])
    return bool(written)
