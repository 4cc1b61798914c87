"""Shapes of the place endpoints: a point and a page in (the filters are trucks.filters'), place cards and
details out."""

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.ratings.serializers import VERIFIED_VISIT_HELP, RatingSerializer
from trucks.models import (
    AddressSource,
    Category,
    ExceptionKind,
    LocationSource,
    Menu,
    MenuItem,
    MenuType,
    OpeningHours,
    Photo,
    Place,
    PlaceKind,
    ScheduleException,
    StopSource,
)
from trucks.nearby import DEFAULT_RADIUS_KM, MAX_RADIUS_KM
from trucks.search import LocationStatus
from trucks.thumbnails import image_card
from trucks.upcoming import OPEN_WITHIN_MAX_MINUTES, SEARCH_HORIZON_DAYS


class PageParamsSerializer(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, help_text="Page number, from 1.")
    page_size = serializers.IntegerField(
        required=False, min_value=1, help_text=f"Results per page (at most {settings.API_MAX_PAGE_SIZE})."
    )


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 moment that must carry its UTC offset: a bare "18:00" is ambiguous nationwide."""

    default_error_messages = {"naive": "Give the moment with its UTC offset, e.g. 2026-06-06T18:00:00-05:00."}

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return value


class PlaceSearchPointSerializer(PageParamsSerializer):
    """The search's point and page; its filters are trucks.filters.PlaceSearchFilter's."""

    lat = serializers.FloatField(
        required=False, min_value=-90, max_value=90, help_text="Latitude of the point to search around (with lng)."
    )
    lng = serializers.FloatField(
        required=False, min_value=-180, max_value=180, help_text="Longitude of the point to search around (with lat)."
    )
    radius_km = serializers.FloatField(
        required=False,
        min_value=0.01,
        max_value=MAX_RADIUS_KM,
        help_text=f"Search radius in km around lat/lng (default {DEFAULT_RADIUS_KM:g}, at most {MAX_RADIUS_KM:g}).",
    )

    open_at = AwareDateTimeField(
        required=False,
        help_text="ISO 8601 moment with its UTC offset (e.g. 2026-06-06T18:00:00-05:00): only places whose "
        "schedule (weekly hours, overnight slots and dated exceptions, in each place's own time zone) has them "
        "open at that moment, at that stop's location (radius_km is measured to it). From now to "
        f"{SEARCH_HORIZON_DAYS} days ahead. Each card then carries its `stop`.",
    )
    open_within = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=OPEN_WITHIN_MAX_MINUTES,
        help_text="Minutes from now: only places whose schedule has them open at some moment from now to now + "
        "open_within (a stop that starts by then and has not ended by now), as open_at otherwise. Not with "
        "open_at.",
    )

    def validate(self, attrs):
        if "open_at" in attrs and "open_within" in attrs:
            raise serializers.ValidationError({"open_within": "Give open_at or open_within, not both."})
        has_lat, has_lng = "lat" in attrs, "lng" in attrs
        if has_lat != has_lng:
            missing = "lng" if has_lat else "lat"
            raise serializers.ValidationError({missing: "Give lat and lng together."})
        if has_lat:
            attrs.setdefault("radius_km", DEFAULT_RADIUS_KM)
        elif "radius_km" in attrs:
            raise serializers.ValidationError({"radius_km": "A radius needs a point: give lat and lng."})
        return attrs


class MapParamsSerializer(serializers.Serializer):
    """The map takes no parameter besides its filters (trucks.filters.PlaceMapFilter)."""


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "slug", "name"]


class PlaceCategorySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class VendorRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_verified = serializers.BooleanField(
        help_text="Staff verified the vendor. A new vendor's places are listed while pending (docs/portal.md)."
    )


class LocalDateTimeField(serializers.DateTimeField):
    """An aware datetime shown in its own zone (ISO 8601 with offset), not converted to UTC; a card's
    times come already written so (trucks.search), and pass as they are."""

    def to_representation(self, value):
        return value if value is None or isinstance(value, str) else value.isoformat()


class SlotSerializer(serializers.Serializer):
    starts_at = LocalDateTimeField()
    ends_at = LocalDateTimeField()
    address = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lng = serializers.FloatField(allow_null=True)


class StopSerializer(serializers.Serializer):
    """A scheduled stop (search ahead): when, in the place's own zone, and where."""

    starts_at = LocalDateTimeField()
    ends_at = LocalDateTimeField()
    address = serializers.CharField(help_text="The stop's own address, else the place's.")
    lat = serializers.FloatField(allow_null=True, help_text="The stop's own position, else the place's.")
    lng = serializers.FloatField(allow_null=True)
    source = serializers.ChoiceField(
        choices=StopSource.choices, help_text="Weekly hours, or the dated exception of that day."
    )


ADDRESS_HELP = (
    "The street address at lat/lng, or empty: a check-in that moves a place replaces it with the one typed "
    "with it, or clears it, so it never names an older position."
)
ADDRESS_SOURCE_HELP = "Who wrote the address: vendor (typed), geocoder (reverse geocoding), none (no address)."


class ImageCardSerializer(serializers.Serializer):
    """A stored photo with its thumbnails (trucks.thumbnails.image_card)."""

    thumb_url = serializers.CharField(
        allow_null=True, help_text="160 px (longest side) WebP; null until made shortly after upload: show `url`."
    )
    large_thumb_url = serializers.CharField(allow_null=True, help_text="480 px (longest side) WebP; null until made.")
    url = serializers.CharField(help_text="The photo itself (JPEG or PNG).")
    width = serializers.IntegerField(allow_null=True, help_text="The photo's width in pixels; null until known.")
    height = serializers.IntegerField(allow_null=True, help_text="The photo's height in pixels; null until known.")


class PlaceCardSerializer(serializers.Serializer):
    """A place in any list (reads card dicts from trucks.search)."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PlaceKind.choices)
    name = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lng = serializers.FloatField(allow_null=True)
    is_open = serializers.BooleanField(help_text="The live open switch.")
    rating_avg = serializers.DecimalField(max_digits=3, decimal_places=2)
    rating_count = serializers.IntegerField()
    categories = PlaceCategorySerializer(many=True)
    distance_km = serializers.FloatField(
        required=False, help_text="Great-circle distance from the point searched around (only with lat/lng)."
    )
    vendor = VendorRefSerializer()
    city = serializers.CharField()
    location_updated_at = serializers.DateTimeField(
        allow_null=True, help_text="When the location was last confirmed: older than a few hours means stale."
    )
    location_source = serializers.ChoiceField(
        choices=LocationSource.choices, help_text="Where the location came from: the address or a check-in."
    )
    location_status = serializers.ChoiceField(
        choices=LocationStatus.choices,
        help_text="live: a truck's check-in within its grace window; last_seen: older (show it as "
        '"last seen" with location_updated_at, not as live); address: a stand, or a truck at its address.',
    )
    stop = StopSerializer(
        required=False,
        help_text="Only with open_at or open_within: the scheduled stop that has the place open then "
        "(with a point, the nearest one; else the earliest).",
    )
    address = serializers.CharField(help_text=ADDRESS_HELP)
    address_source = serializers.ChoiceField(choices=AddressSource.choices, help_text=ADDRESS_SOURCE_HELP)
    cover_photo = ImageCardSerializer(allow_null=True, help_text="The place's first photo; null without photos.")
    next_opening = SlotSerializer(
        allow_null=True,
        help_text="The slot the place is in now, or the next one within two weeks (local time with offset).",
    )


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", "example": "11:30:00"}
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the place's own zone ("11:30:00"): no offset, so not JSON Schema's `time`."""


class OpeningHoursSerializer(serializers.ModelSerializer):
    weekday_name = serializers.CharField(source="get_weekday_display")
    opens = LocalTimeField()
    closes = LocalTimeField()

    class Meta:
        model = OpeningHours
        fields = ["weekday", "weekday_name", "opens", "closes", "address", "lat", "lng"]


class ScheduleExceptionSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ExceptionKind.choices)
    opens = LocalTimeField(allow_null=True)
    closes = LocalTimeField(allow_null=True)

    class Meta:
        model = ScheduleException
        fields = ["date", "kind", "opens", "closes", "address", "lat", "lng", "note"]


class MenuItemSerializer(serializers.ModelSerializer):
    photo_url = serializers.SerializerMethodField()
    photo = serializers.SerializerMethodField()

    class Meta:
        model = MenuItem
        fields = [
            "id",
            "name",
            "description",
            "price",
            "is_vegan",
            "is_vegetarian",
            "is_gluten_free",
            "is_available",
            "photo_url",
            "photo",
        ]

    def get_photo_url(self, item) -> str | None:
        if not item.photo:
            return None
        return self.context["request"].build_absolute_uri(item.photo.url)

    @extend_schema_field(ImageCardSerializer(allow_null=True))
    def get_photo(self, item) -> dict | None:
        """The item's photo with its thumbnails, or null without one."""
        return image_card(item.photo.name or "", width=item.photo_width, height=item.photo_height)


class MenuSerializer(serializers.ModelSerializer):
    menu_type = serializers.ChoiceField(choices=MenuType.choices)
    items = MenuItemSerializer(many=True)

    class Meta:
        model = Menu
        fields = ["id", "name", "menu_type", "description", "items"]


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnails = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "url", "caption", "thumbnails"]

    def get_url(self, photo) -> str:
        return self.context["request"].build_absolute_uri(photo.image.url)

    @extend_schema_field(ImageCardSerializer)
    def get_thumbnails(self, photo) -> dict | None:
        """The photo with its thumbnails and size (thumbnail URLs null until made)."""
        return image_card(photo.image.name, width=photo.width, height=photo.height)


class RatingSummarySerializer(serializers.Serializer):
    average = serializers.DecimalField(max_digits=3, decimal_places=2, help_text="Average of all visible ratings.")
    count = serializers.IntegerField(help_text="Visible ratings.")
    verified_average = serializers.DecimalField(
        max_digits=3,
        decimal_places=2,
        help_text="Average of the visible ratings that are verified visits (0 without any). " + VERIFIED_VISIT_HELP,
    )
    verified_count = serializers.IntegerField(help_text="Visible ratings that are verified visits.")
    distribution = serializers.DictField(
        child=serializers.IntegerField(), help_text='Visible ratings per star value, "1.0" … "5.0" (zeros included).'
    )


class PlaceVendorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="business_name")
    is_verified = serializers.SerializerMethodField()

    def get_is_verified(self, vendor) -> bool:
        return vendor.verification_status == "verified"


class PlaceDetailSerializer(serializers.ModelSerializer):
    """A place with everything the place page shows (reads a prefetched Place)."""

    categories = PlaceCategorySerializer(many=True, source="categories.all")
    vendor = PlaceVendorSerializer()
    kind = serializers.ChoiceField(choices=PlaceKind.choices)
    location_source = serializers.ChoiceField(choices=LocationSource.choices)
    address = serializers.CharField(help_text=ADDRESS_HELP)
    address_source = serializers.ChoiceField(choices=AddressSource.choices, help_text=ADDRESS_SOURCE_HELP)
    menus = MenuSerializer(many=True, source="active_menus")
    hours = OpeningHoursSerializer(many=True, source="opening_hours.all")
    next_opening = SlotSerializer(
        allow_null=True,
        help_text="The slot the place is in now, or the next one within two weeks (local time with offset).",
    )
    upcoming_exceptions = ScheduleExceptionSerializer(many=True)
    photos = PhotoSerializer(many=True, source="photos.all")
    rating_summary = RatingSummarySerializer()
    recent_reviews = RatingSerializer(
        many=True, help_text="The newest visible reviews (up to 5), each with the vendor's reply; all of them: ratings."
    )

    class Meta:
        model = Place
        fields = [
            "id",
            "kind",
            "name",
            "description",
            "lat",
            "lng",
            "is_open",
            "open_changed_at",
            "location_updated_at",
            "location_source",
            "address",
            "address_source",
            "city",
            "state",
            "time_zone",
            "rating_avg",
            "rating_count",
            "categories",
            "vendor",
            "menus",
            "hours",
            "next_opening",
            "upcoming_exceptions",
            "photos",
            "rating_summary",
            "recent_reviews",
        ]


class MapBoundsSerializer(serializers.Serializer):
    south = serializers.FloatField()
    west = serializers.FloatField()
    north = serializers.FloatField()
    east = serializers.FloatField(help_text="Below west when the cell crosses the antimeridian.")


class MapClusterSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Places in the cell.")
    lat = serializers.FloatField(help_text="Centroid of the cell's places.")
    lng = serializers.FloatField(help_text="Centroid of the cell's places.")
    bounds = MapBoundsSerializer(source="*", help_text="The grid cell (zoom to it to see its places).")


class MapPlacesSerializer(serializers.Serializer):
    """Few enough places in the viewport: every one of them, as cards."""

    type = serializers.ChoiceField(choices=["places"])
    count = serializers.IntegerField(help_text="Places in the viewport (all of them are listed).")
    places = PlaceCardSerializer(many=True, help_text="By id.")


class MapClustersSerializer(serializers.Serializer):
    """Too many places in the viewport: a grid of cells over it, the cells that hold places."""

    type = serializers.ChoiceField(choices=["clusters"])
    count = serializers.IntegerField(help_text="Places in the viewport (the sum of the clusters' counts).")
    rows = serializers.IntegerField(help_text="Rows of the grid the viewport spans, south to north.")
    columns = serializers.IntegerField(
        help_text="Columns of the grid the viewport spans, west to east (both sides of 180° when it crosses it)."
    )
    clusters = MapClusterSerializer(many=True, help_text="Cells with places, by row then column.")


class CheckInInputSerializer(serializers.Serializer):
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    is_open = serializers.BooleanField(help_text="The live open switch.")
    address = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=255,
        help_text="The street address at lat/lng (optional). With new coordinates and no address, the old one "
        "is cleared (never kept with the new position).",
    )

    def validate(self, attrs):
        if (attrs.get("lat") is None) != (attrs.get("lng") is None):
            missing = "lng" if attrs.get("lat") is not None else "lat"
            raise serializers.ValidationError({missing: "Give lat and lng together (or neither)."})
        return attrs


class CheckInOutputSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=PlaceKind.choices)
    location_source = serializers.ChoiceField(choices=LocationSource.choices)
    address = serializers.CharField(help_text=ADDRESS_HELP)
    address_source = serializers.ChoiceField(choices=AddressSource.choices, help_text=ADDRESS_SOURCE_HELP)

    class Meta:
        model = Place
        fields = [
            "id",
            "kind",
            "name",
            "lat",
            "lng",
            "is_open",
            "open_changed_at",
            "location_updated_at",
            "location_source",
            "address",
            "address_source",
        ]


class PlaceChangesParamsSerializer(serializers.Serializer):
    since = serializers.CharField(
        required=False,
        max_length=40,
        help_text="The `next_cursor` of your previous answer. Without it: no places, only the cursor to start "
        "from (ask it before loading the map, then follow it).",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=settings.CATCH_UP_PAGE_MAX,
        default=settings.CATCH_UP_PAGE_DEFAULT,
        help_text=f"Places per answer (at most {settings.CATCH_UP_PAGE_MAX}).",
    )


class PlaceChangesSerializer(serializers.Serializer):
    places = PlaceCardSerializer(
        many=True, help_text="The current card of each place changed after `since`, oldest change first."
    )
    removed = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the places that went inactive or were deleted: drop them."
    )
    next_cursor = serializers.CharField(help_text="Send it as `since` next time.")
    has_more = serializers.BooleanField(help_text="More changes wait: ask again at once with `next_cursor`.")


class CursorGoneSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    resync = serializers.BooleanField(
        help_text="Always true: reload the map or list as new, then follow the `since`-less answer's cursor."
    )
