"""Shapes of the rating endpoints."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ratings.models import REVIEW_MAX_LENGTH, Rating

STARS_HELP = '1.0 to 5.0 in half steps, as a string, e.g. "4.5".'


class RatingInputSerializer(serializers.Serializer):
    stars = serializers.DecimalField(max_digits=2, decimal_places=1, min_value=1, max_value=5, help_text=STARS_HELP)
    review = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REVIEW_MAX_LENGTH,
        help_text='Optional review text. Left out when rating again, the earlier text stays; "" clears it.',
    )


class RatingUpdateInputSerializer(serializers.Serializer):
    stars = serializers.DecimalField(
        required=False, max_digits=2, decimal_places=1, min_value=1, max_value=5, help_text=STARS_HELP
    )
    review = serializers.CharField(required=False, allow_blank=True, max_length=REVIEW_MAX_LENGTH)


VERIFIED_VISIT_HELP = (
    "A verified visit: the author's app detected them near this place (a NEARBY_DETECTION event) "
    "in the 14 days before they made or last changed this rating."
)


class ReviewReplySerializer(serializers.Serializer):
    text = serializers.CharField()
    vendor = serializers.CharField(source="rating.place.vendor.business_name", help_text="Who replied.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class RatingSerializer(serializers.ModelSerializer):
    reply = serializers.SerializerMethodField(help_text="The vendor's public reply, or null.")
    verified_visit = serializers.BooleanField(read_only=True, help_text=VERIFIED_VISIT_HELP)
    author = serializers.SerializerMethodField(help_text="The author's first name and last initial.")
    is_mine = serializers.SerializerMethodField()

    class Meta:
        model = Rating
        fields = [
            "id",
            "place",
            "stars",
            "review",
            "reply",
            "verified_visit",
            "author",
            "is_mine",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(ReviewReplySerializer(allow_null=True))
    def get_reply(self, rating) -> dict | None:
        reply = getattr(rating, "reply", None)
        return ReviewReplySerializer(reply).data if reply is not None else None

    def get_author(self, rating) -> str:
        user = rating.user
        initial = f" {user.last_name[:1]}." if user.last_name else ""
        return f"{user.first_name}{initial}".strip() or "Anonymous"

    def get_is_mine(self, rating) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.is_authenticated and rating.user_id == request.user.pk)
