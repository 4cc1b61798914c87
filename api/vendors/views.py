"""A vendor's public profile."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.vendors.serializers import VendorPublicSerializer
from foodtrucks.api_errors import error_responses
from trucks.search import place_cards_by_ids
from vendors.selectors import vendor_public_detail


class VendorPublicView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="vendors_detail",
        summary="A vendor's public profile",
        responses={200: VendorPublicSerializer, **error_responses(404)},
    )
    def get(self, request, vendor_id: int):
        vendor = vendor_public_detail(vendor_id)
        place_ids = list(vendor.places.filter(is_active=True).order_by("name", "id").values_list("id", flat=True))
        vendor.places_cards = place_cards_by_ids(place_ids)
        data = VendorPublicSerializer(vendor).data
        return Response(data)
