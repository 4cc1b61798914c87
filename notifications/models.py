"""Followers' alerts: what a consumer wants to be told, where they are, their inbox and their devices.

A consumer's favorites (consumers.FavoritePlace) are the places they follow. An alert is one
`Notification` row per (change, user): the unique constraint makes a retried fan-out harmless.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trucks.models import LAT_VALIDATORS, LNG_VALIDATORS, validate_timezone

DEFAULT_RADIUS_KM = 5.0
MAX_RADIUS_KM = 50.0
DEFAULT_COOLDOWN = timedelta(hours=4)
MAX_COOLDOWN_MINUTES = 7 * 24 * 60
SAVED_PLACES_MAX = 5


class AlertPreferences(models.Model):
    """One row per user who changed a default; a user without one has the defaults below."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preferences")
    opens_nearby = models.BooleanField(default=True, help_text="A followed place opens within the radius.")
    radius_km = models.FloatField(
        default=DEFAULT_RADIUS_KM, validators=[MinValueValidator(0.1), MaxValueValidator(MAX_RADIUS_KM)]
    )
    near_me = models.BooleanField(default=True, help_text="Measure from my last known location.")
    near_saved_places = models.BooleanField(default=True, help_text="Measure from each of my saved places.")
    stop_today = models.BooleanField(default=True, help_text="A followed place announces a stop for today.")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    quiet_start = models.TimeField(null=True, blank=True, help_text="Local time; quiet hours may cross midnight.")
    quiet_end = models.TimeField(null=True, blank=True)
    cooldown_minutes = models.PositiveIntegerField(
        default=int(DEFAULT_COOLDOWN.total_seconds() // 60),
        validators=[MaxValueValidator(MAX_COOLDOWN_MINUTES)],
        help_text="At most one alert per followed place in this time.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "alert preferences"
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="alert_quiet_hours_both_or_none",
            ),
            models.CheckConstraint(
                condition=Q(radius_km__gt=0, radius_km__lte=MAX_RADIUS_KM), name="alert_radius_range"
            ),
        ]

    def __str__(self):
        return f"alert preferences of {self.user}"


class LastLocation(models.Model):
    """The consumer's last known location, as the app last reported it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="last_location")
    lat = models.FloatField(validators=LAT_VALIDATORS)
    lng = models.FloatField(validators=LNG_VALIDATORS)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180), name="last_location_on_globe"
            ),
        ]

    def __str__(self):
        return f"{self.user} at {self.lat},{self.lng}"


class SavedPlace(models.Model):
    """A spot the consumer cares about (home, work): alerts measure from it too."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_places")
    name = models.CharField(max_length=60)
    lat = models.FloatField(validators=LAT_VALIDATORS)
    lng = models.FloatField(validators=LNG_VALIDATORS)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180), name="saved_place_on_globe"
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.name}"


class AlertKind(models.TextChoices):
    OPENED_NEARBY = "opened_nearby", "A followed place opened nearby"
    STOP_TODAY = "stop_today", "A followed place announced a stop for today"


class Notification(models.Model):
    """One alert in a user's inbox. `change_id` is the change bus's id: one row per (change, user)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    place = models.ForeignKey("trucks.Place", on_delete=models.CASCADE, related_name="+")
    change_id = models.UUIDField()
    kind = models.CharField(max_length=16, choices=AlertKind.choices)
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # False: written during the user's quiet hours, kept in the inbox, never pushed.
    push = models.BooleanField(default=True)
    pushed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["change_id", "user"], name="notification_once_per_change_and_user"),
        ]
        indexes = [
            # the inbox, newest first
            models.Index(fields=["user", "-created_at"], name="notification_inbox_idx"),
            # the unread count
            models.Index(fields=["user"], name="notification_unread_idx", condition=Q(read_at__isnull=True)),
            # the cooldown: this user's latest alert about this place
            models.Index(fields=["user", "place", "-created_at"], name="notification_cooldown_idx"),
        ]

    def __str__(self):
        return f"{self.user}: {self.title}"


class DeviceKind(models.TextChoices):
    WEB_PUSH = "webpush", "Web Push subscription"
    FCM = "fcm", "Firebase Cloud Messaging token"
    APNS = "apns", "Apple Push Notification service token"


class Device(models.Model):
    """Where a user's pushes go. Web Push: `token` is the subscription's endpoint, with its keys."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(max_length=8, choices=DeviceKind.choices)
    token = models.CharField(max_length=1000)
    p256dh = models.CharField(max_length=200, blank=True, help_text="Web Push: the subscription's public key.")
    auth = models.CharField(max_length=100, blank=True, help_text="Web Push: the subscription's auth secret.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # a token belongs to one device, hence one user: registering it again moves it
            models.UniqueConstraint(fields=["kind", "token"], name="device_token_once"),
        ]

    def __str__(self):
        return f"{self.kind} device of {self.user}"
