"""Shapes of the events endpoint: a batch in, counts out, errors per item and field."""

from django.utils import timezone
from rest_framework import serializers

from analytics.ingest import CLIENT_TYPES, MAX_BATCH, MAX_DWELL_MS, ClientEvent, active_place_ids, occurred_at_bounds
from analytics.models import InteractionType


class EventInputSerializer(serializers.Serializer):
    client_id = serializers.UUIDField(help_text="Made by the app; a retried upload with the same id is stored once.")
    place = serializers.IntegerField(min_value=1, help_text="An active place's id.")
    type = serializers.ChoiceField(
        choices=[(choice.value, choice.label) for choice in CLIENT_TYPES],
        help_text="CLICK, NEARBY_DETECTION, or VIEW to report the dwell time of a detail view (dwell_ms required).",
    )
    occurred_at = serializers.DateTimeField(help_text="ISO 8601 with offset; at most 7 days old, 5 minutes ahead.")
    lat = serializers.FloatField(min_value=-90.0, max_value=90.0, required=False, allow_null=True)
    lng = serializers.FloatField(min_value=-180.0, max_value=180.0, required=False, allow_null=True)
    dwell_ms = serializers.IntegerField(
        min_value=0, max_value=MAX_DWELL_MS, required=False, allow_null=True, help_text="Only with type VIEW."
    )

    def validate_place(self, value: int) -> int:
        if value not in self.context["active_place_ids"]:
            raise serializers.ValidationError("Unknown or inactive place.")
        return value

    def validate_occurred_at(self, value):
        earliest, latest = self.context["occurred_at_bounds"]
        if value > latest:
            raise serializers.ValidationError("The event time is in the future.")
        if value < earliest:
            raise serializers.ValidationError("The event is too old to be accepted.")
        return value

    def validate(self, attrs):
        errors = {}
        lat, lng = attrs.get("lat"), attrs.get("lng")
        if (lat is None) != (lng is None):
            errors["lng" if lng is None else "lat"] = ["Give both latitude and longitude, or neither."]
        dwell_ms = attrs.get("dwell_ms")
        if attrs["type"] == InteractionType.VIEW and dwell_ms is None:
            errors["dwell_ms"] = ["A VIEW event reports a dwell time: dwell_ms is required."]
        elif attrs["type"] != InteractionType.VIEW and dwell_ms is not None:
            errors["dwell_ms"] = ["Only VIEW events carry a dwell time."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class EventBatchInputSerializer(serializers.Serializer):
    events = EventInputSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)

    @staticmethod
    def context_for(data) -> dict:
        """What item validation needs, read once per batch: the active places and the time window."""
        items = data.get("events") if isinstance(data, dict) else None
        place_ids = []
        if isinstance(items, list):
            place_ids = [item.get("place") for item in items[: MAX_BATCH + 1] if isinstance(item, dict)]
        return {
            "active_place_ids": active_place_ids(place_ids),
            "occurred_at_bounds": occurred_at_bounds(now=timezone.now()),
        }

    def client_events(self) -> list[ClientEvent]:
        return [
            ClientEvent(
                client_id=item["client_id"],
                place_id=item["place"],
                type=item["type"],
                occurred_at=item["occurred_at"],
                lat=item.get("lat"),
                lng=item.get("lng"),
                dwell_ms=item.get("dwell_ms"),
            )
            for item in self.validated_data["events"]
        ]


class EventBatchOutputSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="Events stored by this request.")
    duplicates = serializers.IntegerField(help_text="Events already stored (a retry) or repeated in the batch.")
