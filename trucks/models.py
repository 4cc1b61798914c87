"""Places (trucks and stands in one table), categories, schedules, menus, items and photos."""

import uuid
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from vendors.images import IMAGE_EXTENSIONS

LAT_VALIDATORS = [MinValueValidator(-90.0), MaxValueValidator(90.0)]
LNG_VALIDATORS = [MinValueValidator(-180.0), MaxValueValidator(180.0)]


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known IANA time zone.")


def coordinates_in_range(prefix: str = "") -> Q:
    """Both coordinates absent, or both present and on the globe."""
    lat, lng = f"{prefix}lat", f"{prefix}lng"
    # Both branches name every column: a comparison with NULL is unknown, and a CHECK that is
    # unknown passes, so "lat given, lng missing" must fail the first branch and the second alike.
    return Q(**{f"{lat}__isnull": True, f"{lng}__isnull": True}) | Q(
        **{
            f"{lat}__isnull": False,
            f"{lng}__isnull": False,
            f"{lat}__gte": -90,
            f"{lat}__lte": 90,
            f"{lng}__gte": -180,
            f"{lng}__lte": 180,
        }
    )


def _image_key(folder: str, filename: str) -> str:
    """A random key under `folder`/year/month with the extension of the stored content.

    The services and the admin store images cleaned by vendors.images.clean_image, named only by their
    real type ("image.jpg", "image.png"); the name a client gave never reaches storage. Any other
    extension (only a door that skipped the cleaning could bring one) is stored as .bin, which no media
    server answers as a page.
    """
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in IMAGE_EXTENSIONS:
        extension = "bin"
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


PHOTO_FOLDER = "photos"
ITEM_PHOTO_FOLDER = "items"


def photo_upload_to(instance, filename: str) -> str:
    return _image_key(PHOTO_FOLDER, filename)


def item_photo_upload_to(instance, filename: str) -> str:
    return _image_key(ITEM_PHOTO_FOLDER, filename)


def image_key_regex(folder: str) -> str:
    """What _image_key makes under `folder`. A stored name that does not match was named the old way
    (after the client's file) and is renamed by `manage.py media_rename_uploads`."""
    return rf"^{folder}/[0-9]{{4}}/[0-9]{{2}}/[0-9a-f]{{32}}\.({'|'.join(IMAGE_EXTENSIONS)})$"


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class PlaceKind(models.TextChoices):
    TRUCK = "truck", "Truck"
    STAND = "stand", "Stand"


class LocationSource(models.TextChoices):
    ADDRESS = "address", "Fixed address"
    PORTAL = "portal", "Vendor portal"
    API = "api", "API check-in"
    DEVICE = "device", "Device"


class AddressSource(models.TextChoices):
    """Where the place's street address came from (an address never outlives the coordinates it named)."""

    VENDOR = "vendor", "Typed by the vendor"
    GEOCODER = "geocoder", "Reverse geocoder"
    NONE = "none", "No address"


class Place(models.Model):
    """A truck (moves; live location) or a stand (sits at an address): one table, one geo index."""

    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.CASCADE, related_name="places")
    kind = models.CharField(max_length=8, choices=PlaceKind.choices, default=PlaceKind.TRUCK)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    categories = models.ManyToManyField(Category, related_name="places", blank=True)
    time_zone = models.CharField(
        max_length=64,
        default="America/New_York",
        validators=[validate_timezone],
        help_text="IANA time zone: schedules are local times in this zone.",
    )
    address = models.CharField(max_length=255, blank=True)
    # Who wrote `address`: the vendor (typed with these coordinates), the reverse geocoder, or nobody
    # (a check-in moved the place and no address came with it). Database default too (bulk loads).
    address_source = models.CharField(
        max_length=16, choices=AddressSource.choices, default=AddressSource.NONE, db_default=AddressSource.NONE
    )
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=64, blank=True)
    # Current position: a stand's address, a truck's last check-in. Null until first known.
    lat = models.FloatField(null=True, blank=True, validators=LAT_VALIDATORS)
    lng = models.FloatField(null=True, blank=True, validators=LNG_VALIDATORS)
    location_source = models.CharField(max_length=16, choices=LocationSource.choices, default=LocationSource.ADDRESS)
    location_updated_at = models.DateTimeField(null=True, blank=True)
    is_open = models.BooleanField(default=False, help_text="The live open switch.")
    open_changed_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True, help_text="Shown to consumers.")
    # Rating summary, kept in step with visible ratings in the same transaction.
    rating_avg = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    rating_count = models.PositiveIntegerField(default=0)
    # The same over verified visits only (ratings.models.VERIFIED_VISIT_WINDOW says what "verified" is).
    # Database defaults too: bulk loads (the demo's COPY) name only the columns they fill.
    rating_verified_avg = models.DecimalField(max_digits=3, decimal_places=2, default=0, db_default=0)
    rating_verified_count = models.PositiveIntegerField(default=0, db_default=0)
    # The text search's document (trucks.search_document builds it: name A, categories B, items of
    # active menus C, description D; English stemming), kept current by the services that change them.
    search_document = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=coordinates_in_range(), name="place_coordinates_valid"),
            models.CheckConstraint(condition=Q(rating_avg__gte=0, rating_avg__lte=5), name="place_rating_avg_range"),
            models.CheckConstraint(
                condition=Q(rating_verified_avg__gte=0, rating_verified_avg__lte=5),
                name="place_rating_verified_avg_range",
            ),
        ]
        indexes = [
            # nearby search: bounding box on (lat, lng), then exact great-circle distance
            models.Index(fields=["lat", "lng"], name="place_lat_lng_idx"),
            # portal: "this vendor's places by name"
            models.Index(fields=["vendor", "name"], name="place_vendor_name_idx"),
            # "top places of a city" and the city filter
            models.Index(fields=["city", "-rating_avg"], name="place_city_rating_idx"),
            # stale-open switch job: "places whose open switch is on"
            models.Index(fields=["open_changed_at"], name="place_open_idx", condition=Q(is_open=True)),
            # text search (`q`): "places whose document matches websearch_to_tsquery('english', q)"
            GinIndex(fields=["search_document"], name="place_search_document_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningHours(models.Model):
    """A weekly slot in the place's local time; closes <= opens means it runs past midnight."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()
    # A truck's planned stop for this slot (optional).
    address = models.CharField(max_length=255, blank=True)
    lat = models.FloatField(null=True, blank=True, validators=LAT_VALIDATORS)
    lng = models.FloatField(null=True, blank=True, validators=LNG_VALIDATORS)

    class Meta:
        ordering = ["place_id", "weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="hours_weekday_range"),
            models.CheckConstraint(condition=~Q(opens=models.F("closes")), name="hours_not_empty"),
            models.CheckConstraint(condition=coordinates_in_range(), name="hours_coordinates_valid"),
            models.UniqueConstraint(fields=["place", "weekday", "opens"], name="hours_slot_unique"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    @property
    def overnight(self) -> bool:
        return self.closes <= self.opens


class ExceptionKind(models.TextChoices):
    CLOSED = "closed", "Closed all day"
    SPECIAL_HOURS = "special_hours", "Special hours"
    MOVED = "moved", "Moved (different location)"


class ScheduleException(models.Model):
    """A dated override of the weekly schedule, in the place's local calendar."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="schedule_exceptions")
    date = models.DateField()
    kind = models.CharField(max_length=16, choices=ExceptionKind.choices)
    opens = models.TimeField(null=True, blank=True)
    closes = models.TimeField(null=True, blank=True)
    address = models.CharField(max_length=255, blank=True)
    lat = models.FloatField(null=True, blank=True, validators=LAT_VALIDATORS)
    lng = models.FloatField(null=True, blank=True, validators=LNG_VALIDATORS)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["place_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["place", "date"], name="exception_once_per_day"),
            models.CheckConstraint(
                condition=Q(kind=ExceptionKind.CLOSED, opens__isnull=True, closes__isnull=True)
                | (
                    ~Q(kind=ExceptionKind.CLOSED)
                    & Q(opens__isnull=False, closes__isnull=False)
                    & ~Q(opens=models.F("closes"))
                ),
                name="exception_hours_fit_kind",
            ),
            models.CheckConstraint(condition=coordinates_in_range(), name="exception_coordinates_valid"),
        ]

    def __str__(self):
        return f"{self.place} · {self.date} · {self.get_kind_display()}"


class StopSource(models.TextChoices):
    HOURS = "hours", "Weekly hours"
    SPECIAL_HOURS = "special_hours", "Special hours"
    MOVED = "moved", "Moved (different location)"


# The longest stop the table holds: a slot is shorter than a day, an overnight one plus a DST
# fall-back hour stays under 25 h. The search looks back this far for stops that began earlier.
MAX_STOP_HOURS = 26


class UpcomingStop(models.Model):
    """One scheduled stop of a place in the next days: the weekly hours and the dated exceptions
    expanded to UTC instants, at the stop's location (the slot's or exception's own when it has one,
    the place's otherwise). Derived data: trucks.upcoming rebuilds it, never edited by hand."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="upcoming_stops")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # Hours since the Unix epoch of starts_at (UTC): the index's time key, so "stops covering T" is a
    # short list of equal keys (T - MAX_STOP_HOURS .. T) instead of a range on the leading column.
    starts_hour = models.IntegerField()
    address = models.CharField(max_length=255, blank=True)
    lat = models.FloatField(null=True, blank=True, validators=LAT_VALIDATORS)
    lng = models.FloatField(null=True, blank=True, validators=LNG_VALIDATORS)
    source = models.CharField(max_length=16, choices=StopSource.choices)

    class Meta:
        ordering = ["place_id", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="stop_ends_after_start"),
            # the search's look-back (MAX_STOP_HOURS) is only exact while no stop is longer
            models.CheckConstraint(
                condition=Q(ends_at__lte=models.F("starts_at") + timedelta(hours=MAX_STOP_HOURS)),
                name="stop_not_longer_than_lookback",
            ),
            models.CheckConstraint(condition=coordinates_in_range(), name="stop_coordinates_valid"),
        ]
        indexes = [
            # search ahead: "stops covering instant T (starts_hour in the look-back hours) within this
            # bounding box": equal keys on the hour, a range on lat, lng filtered inside the index,
            # and the covering test and the place read from the index alone (INCLUDE).
            models.Index(
                fields=["starts_hour", "lat", "lng"],
                include=["starts_at", "ends_at", "place"],
                name="stop_hour_lat_lng_idx",
            ),
            # the rebuild: "this place's stops" (delete, then insert)
            models.Index(fields=["place", "starts_at"], name="stop_place_idx"),
        ]

    def __str__(self):
        return f"{self.place_id} · {self.starts_at:%Y-%m-%d %H:%M}Z–{self.ends_at:%H:%M}Z"


class MenuType(models.TextChoices):
    BREAKFAST = "breakfast", "Breakfast"
    LUNCH = "lunch", "Lunch"
    DINNER = "dinner", "Dinner"
    ALL_DAY = "all_day", "All day"
    SPECIALS = "specials", "Specials"


class Menu(models.Model):
    """A vendor's menu, attached to any of its places."""

    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.CASCADE, related_name="menus")
    name = models.CharField(max_length=120)
    menu_type = models.CharField(max_length=16, choices=MenuType.choices, default=MenuType.ALL_DAY)
    description = models.TextField(blank=True)
    places = models.ManyToManyField(Place, related_name="menus", blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name", "id"]
        indexes = [
            # portal: "this vendor's menus"
            models.Index(fields=["vendor", "position"], name="menu_vendor_idx"),
        ]

    def __str__(self):
        return self.name


class MenuItem(models.Model):
    menu = models.ForeignKey(Menu, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    photo = models.ImageField(upload_to=item_photo_upload_to, blank=True)
    # The photo's size in pixels, recorded when its thumbnails are made (trucks.thumbnails): null until then
    # (or without a photo). Set together with the thumbnail files, so "width known" means "thumbnails stored".
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    is_vegan = models.BooleanField(default=False)
    is_vegetarian = models.BooleanField(default=False)
    is_gluten_free = models.BooleanField(default=False)
    is_available = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["menu_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="item_price_not_negative"),
            # Dietary flags nest: a vegan item is vegetarian. The services set it (trucks.services.
            # item_create/item_update); this is the last line for every other path.
            models.CheckConstraint(
                condition=Q(is_vegan=False) | Q(is_vegetarian=True), name="item_vegan_is_vegetarian"
            ),
        ]
        indexes = [
            # dietary filters of the nearby search: "places with an available vegan item"
            models.Index(fields=["menu"], name="item_vegan_idx", condition=Q(is_vegan=True, is_available=True)),
            models.Index(
                fields=["menu"], name="item_vegetarian_idx", condition=Q(is_vegetarian=True, is_available=True)
            ),
            models.Index(
                fields=["menu"], name="item_gluten_free_idx", condition=Q(is_gluten_free=True, is_available=True)
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.price})"


class Photo(models.Model):
    """A public photo of a place or of a menu item (exactly one of the two)."""

    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    menu_item = models.ForeignKey(MenuItem, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_upload_to)
    caption = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # The image's size in pixels, recorded when its thumbnails are made (trucks.thumbnails): null until then.
    # Set together with the thumbnail files, so "width known" means "thumbnails stored".
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(place__isnull=False, menu_item__isnull=True)
                | Q(place__isnull=True, menu_item__isnull=False),
                name="photo_of_place_or_item",
            ),
        ]
        indexes = [
            # place cards: "the place's cover photo" (its first photo by position, then id)
            models.Index(fields=["place", "position", "id"], name="photo_place_position_idx"),
        ]

    def __str__(self):
        return self.caption or f"Photo {self.pk}"


class CalendarSubscription(models.Model):
    """A vendor's own calendar (an iCal URL, or an uploaded .ics kept as text) that feeds a place's dated
    stops: each event becomes a schedule exception (trucks.calendar_import). Nothing is imported until the
    owner has seen the preview and imported once (`imported_at`); then it is re-synced nightly."""

    place = models.OneToOneField(Place, on_delete=models.CASCADE, related_name="calendar_subscription")
    url = models.URLField(max_length=500, blank=True)
    ics_text = models.TextField(blank=True, help_text="An uploaded .ics, when there is no URL.")
    imported_at = models.DateTimeField(null=True, blank=True, help_text="First import; null: preview only.")
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(ics_text="")) | (~Q(url="") & Q(ics_text="")),
                name="calendar_url_or_upload",
            ),
        ]
        indexes = [
            # nightly re-sync: "subscriptions imported at least once", by id
            models.Index(fields=["id"], name="calendar_imported_idx", condition=Q(imported_at__isnull=False)),
        ]

    def __str__(self):
        return f"Calendar of {self.place}"


class CalendarEventStop(models.Model):
    """Which schedule exception an event of a subscribed calendar made: the event's UID and, for one
    occurrence of a recurring event, its RECURRENCE-ID (UTC, ISO; blank for a single event). A re-sync
    updates or deletes exactly these, so an event is never imported twice."""

    subscription = models.ForeignKey(CalendarSubscription, on_delete=models.CASCADE, related_name="event_stops")
    uid = models.CharField(max_length=255)
    recurrence_id = models.CharField(max_length=40, blank=True)
    exception = models.OneToOneField(ScheduleException, on_delete=models.CASCADE, related_name="calendar_event")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "uid", "recurrence_id"], name="calendar_event_once"),
        ]

    def __str__(self):
        return f"{self.uid} {self.recurrence_id}".strip()


class PlaceChangeRecord(models.Model):
    """One line of the change log the catch-up feed reads (trucks.catch_up): place `place_id` changed.

    Written in the transaction of the change, never after commit, so a committed change is always
    here: by `changes.publish` (the change bus's kinds) and by statement-level triggers on the place
    table and the tables its card shows (kinds `<table>.<insert|update|delete>`), which also catch
    writes that bypass the services (bulk loads, the admin, SQL). `xid` is the writing transaction's
    id (`pg_current_xact_id()`): the feed hands out only records of transactions older than every
    running one, so one that commits late is never skipped. No foreign key: a deleted place's
    records stay, so the feed can say it left. Pruned after CATCH_UP_RETENTION_DAYS.
    """

    place_id = models.BigIntegerField()
    kind = models.CharField(max_length=40)
    xid = models.BigIntegerField(db_default=models.expressions.RawSQL("(pg_current_xact_id()::text)::bigint", []))
    created_at = models.DateTimeField(db_default=models.functions.Now())

    class Meta:
        indexes = [
            # the feed: records after a cursor, in (transaction, id) order
            models.Index(fields=["xid", "id"], name="place_change_xid_idx"),
            # a place's version (the detail's ETag)
            models.Index(fields=["place_id", "xid"], name="place_change_place_idx"),
            # the pruning job
            models.Index(fields=["created_at"], name="place_change_created_idx"),
        ]

    def __str__(self):
        return f"{self.kind} of place {self.place_id} (xid {self.xid})"


class PlaceChangeLogHorizon(models.Model):
    """One row: the newest (xid, id) position the pruning removed; a cursor below it answers 410."""

    pruned_xid = models.BigIntegerField(default=0)
    pruned_id = models.BigIntegerField(default=0)

    def __str__(self):
        return f"pruned up to {self.pruned_xid}.{self.pruned_id}"
