"""Shapes of a vendor's public profile."""

from rest_framework import serializers

from api.places.serializers import PlaceCardSerializer
from vendors.models import VerificationStatus


class VendorPublicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="business_name")
    description = serializers.CharField()
    website = serializers.URLField(allow_blank=True)
    primary_city = serializers.CharField()
    is_verified = serializers.SerializerMethodField(help_text="Staff checked the business.")
    places = PlaceCardSerializer(
        many=True, source="places_cards", help_text="The vendor's active trucks and stands, by name."
    )

    def get_is_verified(self, vendor) -> bool:
        return vendor.verification_status == VerificationStatus.VERIFIED
