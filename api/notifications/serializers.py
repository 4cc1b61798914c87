"""Shapes of the followers' alerts: preferences, location, saved places, the inbox, devices."""

import zoneinfo

from rest_framework import serializers

from notifications.models import (
    DEFAULT_COOLDOWN,
    DEFAULT_RADIUS_KM,
    MAX_COOLDOWN_MINUTES,
    MAX_RADIUS_KM,
    AlertKind,
    DeviceKind,
)
from notifications.push import web_push_endpoint_allowed


class AlertPreferencesSerializer(serializers.Serializer):
    """PUT replaces the whole set: a field left out takes its default."""

    opens_nearby = serializers.BooleanField(default=True, help_text="Alert when a followed place opens nearby.")
    radius_km = serializers.FloatField(
        default=DEFAULT_RADIUS_KM, min_value=0.1, max_value=MAX_RADIUS_KM, help_text="What 'nearby' means, in km."
    )
    near_me = serializers.BooleanField(default=True, help_text="Measure from my last known location.")
    near_saved_places = serializers.BooleanField(default=True, help_text="Measure from each of my saved places.")
    stop_today = serializers.BooleanField(default=True, help_text="Alert when a followed place announces a stop today.")
    time_zone = serializers.CharField(default="UTC", max_length=64, help_text="IANA zone of the quiet hours.")
    quiet_start = serializers.TimeField(
        default=None, allow_null=True, help_text="Local HH:MM; quiet hours may cross midnight (22:00 to 07:00)."
    )
    quiet_end = serializers.TimeField(default=None, allow_null=True)
    cooldown_minutes = serializers.IntegerField(
        default=int(DEFAULT_COOLDOWN.total_seconds() // 60),
        min_value=0,
        max_value=MAX_COOLDOWN_MINUTES,
        help_text="At most one alert per followed place in this many minutes.",
    )

    def validate_time_zone(self, value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise serializers.ValidationError(f"“{value}” is not a known IANA time zone.")
        return value

    def validate(self, attrs):
        start, end = attrs.get("quiet_start"), attrs.get("quiet_end")
        if (start is None) != (end is None):
            missing = "quiet_end" if end is None else "quiet_start"
            raise serializers.ValidationError({missing: ["Give both ends of the quiet hours, or neither."]})
        if start is not None and start == end:
            raise serializers.ValidationError({"quiet_end": ["The quiet hours cannot start and end at once."]})
        return attrs


class LocationSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    updated_at = serializers.DateTimeField(read_only=True)


class SavedPlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=60, help_text="Home, work …")
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    created_at = serializers.DateTimeField(read_only=True)


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AlertKind.choices)
    place = serializers.IntegerField(source="place_id", help_text="The place's id.")
    title = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread.")


class WebPushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=100)


class DeviceInputSerializer(serializers.Serializer):
    """A Web Push subscription (`endpoint` and `keys`, as PushSubscription.toJSON() gives them) or a native token."""

    kind = serializers.ChoiceField(choices=DeviceKind.choices)
    endpoint = serializers.URLField(required=False, max_length=1000, help_text="Web Push: the subscription endpoint.")
    keys = WebPushKeysSerializer(required=False, help_text="Web Push: the subscription's keys.")
    token = serializers.CharField(required=False, max_length=1000, help_text="FCM or APNs: the device token.")

    def validate(self, attrs):
        if attrs["kind"] == DeviceKind.WEB_PUSH:
            errors = {}
            if not attrs.get("endpoint"):
                errors["endpoint"] = ["A Web Push subscription needs its endpoint."]
            elif not attrs["endpoint"].startswith("https://"):
                errors["endpoint"] = ["A Web Push endpoint is an https:// URL."]
            elif not web_push_endpoint_allowed(attrs["endpoint"]):
                errors["endpoint"] = ["A Web Push endpoint must be on a browser's push service."]
            if not attrs.get("keys"):
                errors["keys"] = ["A Web Push subscription needs its keys (p256dh and auth)."]
            if errors:
                raise serializers.ValidationError(errors)
            return {"kind": attrs["kind"], "token": attrs["endpoint"], **attrs["keys"]}
        if not attrs.get("token"):
            raise serializers.ValidationError({"token": ["An FCM or APNs device needs its token."]})
        return {"kind": attrs["kind"], "token": attrs["token"]}


class DeviceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DeviceKind.choices)
    created_at = serializers.DateTimeField()
