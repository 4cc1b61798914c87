"""Writes to places: the live check-in (location + open switch) shared by the API and the portal."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trucks.models import LocationSource, Place


def _validate_coordinates(lat: float, lng: float) -> None:
    errors = {}
    if not -90.0 <= lat <= 90.0:
        errors["lat"] = "Latitude must be between -90 and 90."
    if not -180.0 <= lng <= 180.0:
        errors["lng"] = "Longitude must be between -180 and 180."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def place_check_in(
    *,
    place: Place,
    lat: float | None,
    lng: float | None,
    is_open: bool,
    source: str = LocationSource.PORTAL,
) -> Place:
    """Set a place's live location (when given) and open switch; the time is the server's."""
    now = timezone.now()
    update_fields = ["is_open", "open_changed_at", "updated_at"]
    if lat is not None and lng is not None:
        _validate_coordinates(lat, lng)
        place.lat, place.lng = float(lat), float(lng)
        place.location_source = source
        place.location_updated_at = now
        update_fields += ["lat", "lng", "location_source", "location_updated_at"]
    elif (lat is None) != (lng is None):
        raise ValidationError({"lat": "Give both latitude and longitude, or neither."})
    place.is_open = bool(is_open)
    place.open_changed_at = now
    place.save(update_fields=update_fields)
    return place
