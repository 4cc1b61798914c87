"""Writes of the followers' alerts: preferences, location, saved places, devices, the inbox's read marks."""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import (
    SAVED_PLACES_MAX,
    AlertPreferences,
    Device,
    DeviceKind,
    LastLocation,
    Notification,
    SavedPlace,
)

PREFERENCE_FIELDS = (
    "opens_nearby",
    "radius_km",
    "near_me",
    "near_saved_places",
    "stop_today",
    "time_zone",
    "quiet_start",
    "quiet_end",
    "cooldown_minutes",
)


def alert_preferences_get(*, user) -> AlertPreferences:
    """The user's preferences; the defaults (unsaved) when they never changed one."""
    return AlertPreferences.objects.filter(user=user).first() or AlertPreferences(user=user)


def alert_preferences_replace(*, user, **values) -> AlertPreferences:
    """Replace the user's preferences with `values` (already validated); fields left out take their default."""
    unknown = set(values) - set(PREFERENCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown preferences: {sorted(unknown)}")
    if "time_zone" in values and not _database_knows_zone(values["time_zone"]):
        # The fan-out reads local times in SQL (AT TIME ZONE): one unknown zone would fail a whole chunk.
        raise ValidationError({"time_zone": f"“{values['time_zone']}” is not a time zone the database knows."})
    defaults = {name: AlertPreferences._meta.get_field(name).get_default() for name in PREFERENCE_FIELDS}
    preferences, _ = AlertPreferences.objects.update_or_create(user=user, defaults={**defaults, **values})
    return preferences


def _database_knows_zone(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = %s)", [name])
        return cursor.fetchone()[0]


def last_location_set(*, user, lat: float, lng: float) -> LastLocation:
    location, _ = LastLocation.objects.update_or_create(
        user=user, defaults={"lat": lat, "lng": lng, "updated_at": timezone.now()}
    )
    return location


def saved_place_create(*, user, name: str, lat: float, lng: float) -> SavedPlace:
    with transaction.atomic():
        # One user's saved places are counted under a lock on the user's row: two parallel posts
        # cannot both pass the limit.
        type(user).objects.select_for_update().filter(pk=user.pk).first()
        if SavedPlace.objects.filter(user=user).count() >= SAVED_PLACES_MAX:
            raise ValidationError({"name": f"You can save at most {SAVED_PLACES_MAX} places."})
        return SavedPlace.objects.create(user=user, name=name, lat=lat, lng=lng)


def saved_place_update(*, saved_place: SavedPlace, name: str, lat: float, lng: float) -> SavedPlace:
    saved_place.name, saved_place.lat, saved_place.lng = name, lat, lng
    saved_place.save(update_fields=["name", "lat", "lng"])
    return saved_place


def saved_place_delete(*, saved_place: SavedPlace) -> None:
    saved_place.delete()


def device_register(*, user, kind: str, token: str, p256dh: str = "", auth: str = "") -> tuple[Device, bool]:
    """Register a device for `user`; a token already known (e.g. another account on the same phone) moves to them."""
    if kind != DeviceKind.WEB_PUSH:
        p256dh = auth = ""
    device, created = Device.objects.update_or_create(
        kind=kind, token=token, defaults={"user": user, "p256dh": p256dh, "auth": auth}
    )
    return device, created


def device_remove(*, device: Device) -> None:
    device.delete()


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
