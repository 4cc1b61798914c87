"""Reads of the followers' alerts. Every lookup is scoped to the asking user: another's row is a 404."""

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from consumers.models import FavoritePlace
from notifications.fanout import followers_alerted_count
from notifications.models import Device, Notification, SavedPlace


def notifications_for_user(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_for_user_or_404(*, user, notification_id: int) -> Notification:
    return get_object_or_404(Notification, pk=notification_id, user=user)


def saved_places_for_user(*, user) -> QuerySet[SavedPlace]:
    return SavedPlace.objects.filter(user=user)


def saved_place_for_user_or_404(*, user, saved_place_id: int) -> SavedPlace:
    return get_object_or_404(SavedPlace, pk=saved_place_id, user=user)


def devices_for_user(*, user) -> QuerySet[Device]:
    return Device.objects.filter(user=user)


def device_for_user_or_404(*, user, device_id: int) -> Device:
    return get_object_or_404(Device, pk=device_id, user=user)


def follower_counts(*, place_ids) -> dict[int, int]:
    """How many consumers follow each place (one grouped query)."""
    rows = FavoritePlace.objects.filter(place_id__in=list(place_ids)).values("place_id").annotate(n=Count("id"))
    return {row["place_id"]: row["n"] for row in rows}


def followers_an_opening_would_alert(*, place) -> int:
    """How many followers the place opening now at its current position would alert (for the portal)."""
    return followers_alerted_count(kind="opened", place_id=place.pk, lat=place.lat, lng=place.lng, at=timezone.now())
