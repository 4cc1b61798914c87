"""Writes to places and everything a vendor puts on them, by subject: places and the live check-in,
weekly hours and exceptions, photos, menus and items, and the renaming of photo files stored the old
way. The API, the portal, the admin and the management commands call these."""

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import DEFAULT_STORAGE_ALIAS
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Case, F, Max, Model, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from foodtrucks.services import model_update
from foodtrucks.tasks import stored_files_delete
from trucks import changes
from trucks.changes import ChangeKind
from trucks.geocoding import address_lookup_after_commit
from trucks.models import (
    ITEM_PHOTO_FOLDER,
    PHOTO_FOLDER,
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
    ScheduleException,
)
from trucks.search_document import (
    search_documents_refresh,
    search_documents_refresh_for_categories,
    search_documents_refresh_for_menus,
)
from trucks.selectors import images_named_the_old_way
from trucks.tasks import make_thumbnails
from trucks.thumbnails import thumbnail_names
from trucks.upcoming import upcoming_stops_rebuild
from vendors.audit import audit_changes, audit_record, changed_fields
from vendors.images import clean_image
from vendors.models import AuditAction, Vendor

# The fields a vendor edits (place_update); the rest (live state, rating summary) have their own services.
PLACE_FIELDS = ["kind", "name", "description", "time_zone", "address", "city", "state", "lat", "lng"]
# The place's fields its upcoming stops are made of (their zone, and the location of stops without their own).
STOP_FIELDS = {"time_zone", "address", "lat", "lng"}


# Photos of places (Photo.image) and items (MenuItem.photo) are public files in the default storage.
PHOTO_STORAGE = DEFAULT_STORAGE_ALIAS


def _cleaned_upload(upload: UploadedFile, *, field: str) -> ContentFile:
    """The upload re-encoded by vendors.images.clean_image, named only by its real type (the model's
    upload_to makes the random key from that); what is wrong with it is said by `field`."""
    try:
        return clean_image(upload).as_file()
    except ValidationError as error:
        raise ValidationError({field: error.error_list}) from error


def _delete_photo_files_on_commit(names: Iterable[str]) -> None:
    """Stored photos (and their thumbnails) go only once the rows pointing at them are surely gone: a task,
    enqueued on commit."""
    names = [stored for name in names if name for stored in (name, *thumbnail_names(name))]
    if names:
        stored_files_delete.delay_on_commit(PHOTO_STORAGE, names)


# --- places and the live check-in -------------------------------------------------------------------


def _typed_source(address: str) -> str:
    return AddressSource.VENDOR if address else AddressSource.NONE


# A check-in this far (or less) from the stored position is "the same spot": it keeps the stored address.
# About 50 m: GPS jitter at one stop stays below it, the next street corner does not.
SAME_SPOT_DEGREES = 0.00045


@transaction.atomic
def place_create(
    *,
    vendor: Vendor,
    kind: str,
    name: str,
    time_zone: str,
    description: str = "",
    address: str = "",
    city: str = "",
    state: str = "",
    lat: float | None = None,
    lng: float | None = None,
    categories: Iterable[Category] = (),
) -> Place:
    """A new truck or stand; its coordinates, when given, are its address's (location source "address")."""
    place = Place(
        vendor=vendor,
        kind=kind,
        name=name,
        time_zone=time_zone,
        description=description,
        address=address,
        address_source=_typed_source(address),
        city=city,
        state=state,
        lat=lat,
        lng=lng,
        location_source=LocationSource.ADDRESS,
    )
    place.full_clean()
    place.save()
    place.categories.set(categories)
    search_documents_refresh(place_ids=[place.pk])
    upcoming_stops_rebuild(place_ids=[place.pk])
    audit_record(vendor_id=vendor.pk, action=AuditAction.PLACE, obj=place, place=place, summary=f"Created {place.name}")
    return place


@transaction.atomic
def place_update(*, place: Place, data: dict[str, Any]) -> Place:
    """Change the PLACE_FIELDS that `data` gives, and the categories under "categories".

    Any other key is a TypeError (model_update), never dropped.
    """
    data = dict(data)
    categories = data.pop("categories", None)
    before = {name: getattr(place, name) for name in data if name in PLACE_FIELDS}
    if categories is not None:
        before["categories"] = {category.name for category in place.categories.all()}
    where_before = (place.lat, place.lng)
    fields = PLACE_FIELDS
    if "address" in data and data["address"] != place.address:
        fields = [*PLACE_FIELDS, "address_source"]
        data["address_source"] = _typed_source(data["address"])
    model_update(instance=place, fields=fields, data=data)
    if categories is not None:
        place.categories.set(categories)
    after = {name: getattr(place, name) for name in data if name in PLACE_FIELDS}
    if categories is not None:
        after["categories"] = {category.name for category in categories}
    audit_changes(
        vendor_id=place.vendor_id,
        action=AuditAction.PLACE,
        obj=place,
        place=place,
        label=place.name,
        changes=changed_fields(before, after),
    )
    search_documents_refresh(place_ids=[place.pk])
    if STOP_FIELDS & data.keys():
        upcoming_stops_rebuild(place_ids=[place.pk])
    if (place.lat, place.lng) != where_before:
        changes.publish(_moved(place, *where_before))
    return place


def _moved(place: Place, previous_lat: float | None, previous_lng: float | None) -> changes.PlaceChange:
    return changes.place_change(place, ChangeKind.MOVED, previous_lat=previous_lat, previous_lng=previous_lng)


@transaction.atomic
def place_staff_saved(*, place: Place, before: dict[str, Any]) -> None:
    """Staff saved the place in the admin: tell the change bus what its live state did (`before`:
    is_active, is_open, lat and lng as the form found them)."""
    if before.get("is_active") and not place.is_active:
        changes.publish(changes.place_change(place, ChangeKind.WENT_INACTIVE))
        return
    if bool(before.get("is_open")) != bool(place.is_open):
        changes.publish(changes.place_change(place, ChangeKind.OPENED if place.is_open else ChangeKind.CLOSED))
    elif (before.get("lat"), before.get("lng")) != (place.lat, place.lng):
        changes.publish(_moved(place, before.get("lat"), before.get("lng")))


@transaction.atomic
def place_delete(*, place: Place) -> None:
    """Delete the place (its hours, photos, ratings and statistics cascade), then its photo files."""
    photos = list(Photo.objects.filter(place=place).values_list("image", flat=True))
    audit_record(
        vendor_id=place.vendor_id, action=AuditAction.PLACE, obj=place, place=place, summary=f"Deleted {place.name}"
    )
    gone = changes.place_change(place, ChangeKind.WENT_INACTIVE)
    place.delete()
    _delete_photo_files_on_commit(photos)
    changes.publish(gone)


def _validate_coordinates(lat: float, lng: float) -> None:
    errors = {}
    if not -90.0 <= lat <= 90.0:
        errors["lat"] = "Latitude must be between -90 and 90."
    if not -180.0 <= lng <= 180.0:
        errors["lng"] = "Longitude must be between -180 and 180."
    if errors:
        raise ValidationError(errors)


# What a check-in answers: the place's live state as stored when the check-in commits.
LIVE_FIELDS = ["lat", "lng", "location_source", "location_updated_at", "is_open", "open_changed_at", "address"]


def _if_newer(newer: Q, column: str, value: Any) -> Case:
    """`value` for `column` when the row's stamp is older than the request (`newer`), else the stored value."""
    return Case(When(newer, then=Value(value, output_field=Place._meta.get_field(column))), default=F(column))


@transaction.atomic
def place_check_in(
    *,
    place: Place,
    lat: float | None,
    lng: float | None,
    is_open: bool,
    source: str = LocationSource.PORTAL,
    address: str = "",
    at: datetime | None = None,
) -> Place:
    """Set a place's live location (when given), open switch and, from the portal, a typed address, as of
    `at` (the request's time; the server's clock unless given). Answers the place as stored at commit."""
    # The newest request wins, in whatever order concurrent check-ins commit: one UPDATE compares and
    # sets on the time. (Read-then-save let the last commit win: a slow, older request overwrote a newer
    # one that had been answered already, and consumers saw an older freshness than a vendor was told.)
    # Each stamp guards its own columns: the switch changes only if open_changed_at is older than `at`,
    # the location only if location_updated_at is, so the stale-switch job's close (it stamps
    # open_changed_at alone) and an older request's newer location both hold. Strictly older: of two
    # requests with one time the first to commit keeps it, so a time never names two states.
    # Chosen over the database clock at commit, which would order by who gets the row lock and could
    # not take a request's own time; the cost is trusting the web hosts' clocks to agree (NTP: within
    # milliseconds; a host running ahead would win until the others catch up).
    # The UPDATE holds the row lock until commit, so the re-read below is what is stored when this
    # commits: a request that lost is answered the winner's state, never its own.
    at = at or timezone.now()
    newer_open = Q(open_changed_at__isnull=True) | Q(open_changed_at__lt=at)
    updates = {
        "is_open": _if_newer(newer_open, "is_open", bool(is_open)),
        "open_changed_at": _if_newer(newer_open, "open_changed_at", at),
    }
    # What the rest of the request (the typed address, the record's updated_at) goes with.
    newer = newer_open
    if lat is not None and lng is not None:
        _validate_coordinates(lat, lng)
        newer = Q(location_updated_at__isnull=True) | Q(location_updated_at__lt=at)
        updates |= {
            "lat": _if_newer(newer, "lat", float(lat)),
            "lng": _if_newer(newer, "lng", float(lng)),
            "location_source": _if_newer(newer, "location_source", source),
            "location_updated_at": _if_newer(newer, "location_updated_at", at),
        }
    elif (lat is None) != (lng is None):
        raise ValidationError({"lat": "Give both latitude and longitude, or neither."})
    moved_at = None
    if lat is not None and lng is not None:
        # An address belongs to the coordinates it was typed with. A check-in that moves the place takes
        # the address typed with it, or none (never the old street with new coordinates); the reverse
        # geocoder, when configured, fills an empty one after commit. At the same spot the address stays
        # unless a new one was typed.
        lng_slack = SAME_SPOT_DEGREES / max(math.cos(math.radians(lat)), 0.01)
        moved = (
            Q(lat__isnull=True)
            | Q(lat__gt=lat + SAME_SPOT_DEGREES)
            | Q(lat__lt=lat - SAME_SPOT_DEGREES)
            | Q(lng__gt=lng + lng_slack)
            | Q(lng__lt=lng - lng_slack)
        )
        renamed = newer if address else newer & moved
        updates["address"] = _if_newer(renamed, "address", address[:255])
        updates["address_source"] = _if_newer(renamed, "address_source", _typed_source(address))
        moved_at = (float(lat), float(lng))
    elif address:
        updates["address"] = _if_newer(newer, "address", address[:255])
        updates["address_source"] = _if_newer(newer, "address_source", AddressSource.VENDOR)
    updates["updated_at"] = _if_newer(newer_open | newer, "updated_at", timezone.now())
    where_before = (place.lat, place.lng, place.address)
    was_open = place.is_open
    live_before = {"is_open": place.is_open, "lat": place.lat, "lng": place.lng, "address": place.address}
    Place.objects.filter(pk=place.pk).update(**updates)
    place.refresh_from_db(fields=[*LIVE_FIELDS, "address_source", "updated_at"])
    live_after = {"is_open": place.is_open, "lat": place.lat, "lng": place.lng, "address": place.address}
    state = "open" if place.is_open else "closed"
    at_new_spot = " at a new location" if (place.lat, place.lng) != where_before[:2] else ""
    audit_record(
        vendor_id=place.vendor_id,
        action=AuditAction.CHECK_IN,
        obj=place,
        place=place,
        summary=f"Checked in {place.name}{at_new_spot}: {state}",
        changes=changed_fields(live_before, live_after),
    )
    if (place.lat, place.lng, place.address) != where_before:  # stops without their own location move with it
        upcoming_stops_rebuild(place_ids=[place.pk])
    if moved_at and (place.lat, place.lng) == moved_at and not place.address:
        address_lookup_after_commit(place_id=place.pk, lat=place.lat, lng=place.lng)
    changes.publish(_check_in_change(place, was_open=was_open, previous=where_before[:2], at=at))
    return place


def _check_in_change(
    place: Place, *, was_open: bool, previous: tuple[float | None, float | None], at: datetime
) -> changes.PlaceChange:
    """What a check-in did: opened or closed the place, else moved it, else confirmed it where it was."""
    moved = (place.lat, place.lng) != previous
    if bool(place.is_open) != bool(was_open):
        kind = ChangeKind.OPENED if place.is_open else ChangeKind.CLOSED
    else:
        kind = ChangeKind.MOVED if moved else ChangeKind.CHECKED_IN
    where = {"previous_lat": previous[0], "previous_lng": previous[1]} if moved else {}
    return changes.place_change(place, kind, at=at, **where)


# --- weekly hours and exceptions ------------------------------------------------------------------


@transaction.atomic
def opening_hours_replace(*, place: Place, slots: Iterable[dict]) -> list[OpeningHours]:
    """Replace the whole week with `slots` (the form checked overlaps): one edit, one transaction."""
    rows = [
        OpeningHours(
            place=place,
            weekday=slot["weekday"],
            opens=slot["opens"],
            closes=slot["closes"],
            address=slot.get("address") or "",
            lat=slot.get("lat"),
            lng=slot.get("lng"),
        )
        for slot in slots
    ]
    for row in rows:
        row.full_clean(exclude=["place"], validate_unique=False, validate_constraints=False)
    Place.objects.select_for_update().filter(pk=place.pk).first()
    today = _today_at(place)
    weekday_before = _weekday_slots(OpeningHours.objects.filter(place=place), today.weekday())
    before = [str(slot) for slot in OpeningHours.objects.filter(place=place).order_by("weekday", "opens")]
    OpeningHours.objects.filter(place=place).delete()
    created = OpeningHours.objects.bulk_create(rows)
    after = [str(slot) for slot in sorted(rows, key=lambda row: (row.weekday, row.opens))]
    if before != after:
        audit_record(
            vendor_id=place.vendor_id,
            action=AuditAction.HOURS,
            place=place,
            summary=f"Changed the opening hours of {place.name} ({len(after)} slot{'s' if len(after) != 1 else ''})",
            changes={"hours": [before, after]},
        )
    upcoming_stops_rebuild(place_ids=[place.pk])
    if _weekday_slots(created, today.weekday()) != weekday_before:
        changes.publish(changes.place_change(place, ChangeKind.SCHEDULE_CHANGED))
    return created


def _today_at(place: Place) -> date:
    """The place's own date now (its time zone)."""
    return timezone.now().astimezone(place.tzinfo).date()


def _weekday_slots(rows: Iterable[OpeningHours], weekday: int) -> list[tuple]:
    return sorted((row.opens, row.closes, row.address, row.lat, row.lng) for row in rows if row.weekday == weekday)


def _publish_if_today(place: Place, day: date) -> None:
    if day == _today_at(place):
        changes.publish(changes.place_change(place, ChangeKind.SCHEDULE_CHANGED))


@transaction.atomic
def schedule_exception_create(
    *,
    place: Place,
    date: date,
    kind: str,
    opens: time | None = None,
    closes: time | None = None,
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    note: str = "",
) -> ScheduleException:
    if kind == ExceptionKind.CLOSED:
        opens = closes = None
    exception = ScheduleException(
        place=place, date=date, kind=kind, opens=opens, closes=closes, address=address, lat=lat, lng=lng, note=note
    )
    exception.full_clean()
    exception.save()
    upcoming_stops_rebuild(place_ids=[place.pk])
    audit_record(
        vendor_id=place.vendor_id,
        action=AuditAction.EXCEPTION,
        obj=exception,
        place=place,
        summary=f"Added an exception to {place.name} on {date:%a %d %b %Y}: {exception.get_kind_display().lower()}",
    )
    _publish_if_today(place, exception.date)
    return exception


@transaction.atomic
def schedule_exception_delete(*, exception: ScheduleException) -> None:
    place = exception.place
    audit_record(
        vendor_id=place.vendor_id,
        action=AuditAction.EXCEPTION,
        obj=exception,
        place=place,
        summary=f"Removed the exception of {place.name} on {exception.date:%a %d %b %Y}",
    )
    exception.delete()
    upcoming_stops_rebuild(place_ids=[exception.place_id])
    _publish_if_today(exception.place, exception.date)


# --- ordering helpers -----------------------------------------------------------------------------


def _move(*, obj: Model, siblings: QuerySet, direction: str) -> None:
    """Move `obj` one step up or down among `siblings`, renumbering them 0..n-1 (locked)."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move up or down."})
    ordered = list(siblings.select_for_update().order_by("position", "id"))
    index = next(i for i, sibling in enumerate(ordered) if sibling.pk == obj.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    changed = []
    for position, sibling in enumerate(ordered):
        if sibling.position != position:
            sibling.position = position
            changed.append(sibling)
    type(obj).objects.bulk_update(changed, ["position"])


def _next_position(siblings: QuerySet) -> int:
    top = siblings.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


# --- photos -----------------------------------------------------------------------------------------


@transaction.atomic
def photo_add(*, place: Place, image: UploadedFile, caption: str, uploaded_by: User) -> Photo:
    """A new photo, last of the place's: re-encoded (JPEG or PNG, no metadata), stored under a random key."""
    photo = Photo(
        place=place,
        image=_cleaned_upload(image, field="image"),
        caption=caption,
        uploaded_by=uploaded_by,
        position=_next_position(place.photos.all()),
    )
    photo.full_clean()
    photo.save()
    _make_thumbnails_on_commit("photo", photo.pk)
    return photo


def image_thumbnails_renew(*, obj: Photo | MenuItem) -> None:
    """A photo or item photo stored by another door (the admin's forms): its recorded size is forgotten
    and its thumbnails are made after commit (trucks.thumbnails)."""
    width, height = _SIZE_FIELDS[type(obj)]
    type(obj).objects.filter(pk=obj.pk).update(**{width: None, height: None})
    setattr(obj, width, None)
    setattr(obj, height, None)
    _make_thumbnails_on_commit(_THUMBNAIL_KINDS[type(obj)], obj.pk)


def _make_thumbnails_on_commit(kind: str, pk: int) -> None:
    """Thumbnails are made off the request, once the row is committed (trucks.thumbnails)."""
    make_thumbnails.delay_on_commit(kind, pk)


@transaction.atomic
def photo_move(*, photo: Photo, direction: str) -> None:
    _move(obj=photo, siblings=Photo.objects.filter(place_id=photo.place_id), direction=direction)


@transaction.atomic
def photo_delete(*, photo: Photo) -> None:
    name = photo.image.name
    photo.delete()
    _delete_photo_files_on_commit([name])


# --- menus and items ----------------------------------------------------------------------------------

MENU_FIELDS = ["name", "menu_type", "description", "is_active"]
ITEM_FIELDS = ["name", "description", "price", "is_vegan", "is_vegetarian", "is_gluten_free", "is_available"]
CENT = Decimal("0.01")


def _check_own_places(vendor_id: int, places: Iterable[Place]) -> list[Place]:
    places = list(places)
    if any(place.vendor_id != vendor_id for place in places):
        raise ValidationError({"places": "A menu can only be attached to your own places."})
    return places


@transaction.atomic
def menu_create(
    *,
    vendor: Vendor,
    name: str,
    menu_type: str = MenuType.ALL_DAY,
    description: str = "",
    is_active: bool = True,
    places: Iterable[Place] = (),
) -> Menu:
    """A new menu, last in the vendor's order, attached to some of the vendor's own places."""
    places = _check_own_places(vendor.pk, places)
    menu = Menu(
        vendor=vendor,
        name=name,
        menu_type=menu_type,
        description=description,
        is_active=is_active,
        position=_next_position(vendor.menus.all()),
    )
    menu.full_clean()
    menu.save()
    menu.places.set(places)
    search_documents_refresh(place_ids=[place.pk for place in places])
    audit_record(vendor_id=vendor.pk, action=AuditAction.MENU, obj=menu, summary=f"Created the menu {menu.name}")
    return menu


@transaction.atomic
def menu_update(*, menu: Menu, data: dict[str, Any]) -> Menu:
    """Change the MENU_FIELDS that `data` gives, and the places under "places" (the vendor's own only)."""
    data = dict(data)
    places = data.pop("places", None)
    detached = set(menu.places.values_list("pk", flat=True))  # their documents lose this menu's items
    before = {name: getattr(menu, name) for name in data if name in MENU_FIELDS}
    after_places = None
    if places is not None:
        before["places"] = {place.name for place in menu.places.all()}
    model_update(instance=menu, fields=MENU_FIELDS, data=data)
    if places is not None:
        places = _check_own_places(menu.vendor_id, places)
        menu.places.set(places)
        after_places = {place.name for place in places}
    after = {name: getattr(menu, name) for name in data if name in MENU_FIELDS}
    if after_places is not None:
        after["places"] = after_places
    audit_changes(
        vendor_id=menu.vendor_id,
        action=AuditAction.MENU,
        obj=menu,
        label=f"the menu {menu.name}",
        changes=changed_fields(before, after),
    )
    search_documents_refresh(place_ids=detached | set(menu.places.values_list("pk", flat=True)))
    return menu


@transaction.atomic
def menu_delete(*, menu: Menu) -> None:
    """Delete the menu (its items and their photos cascade), then the items' photo files."""
    photos = [
        *MenuItem.objects.filter(menu=menu).values_list("photo", flat=True),
        *Photo.objects.filter(menu_item__menu=menu).values_list("image", flat=True),
    ]
    place_ids = list(menu.places.values_list("pk", flat=True))
    audit_record(vendor_id=menu.vendor_id, action=AuditAction.MENU, obj=menu, summary=f"Deleted the menu {menu.name}")
    menu.delete()
    search_documents_refresh(place_ids=place_ids)
    _delete_photo_files_on_commit(photos)


@transaction.atomic
def menu_move(*, menu: Menu, direction: str) -> None:
    _move(obj=menu, siblings=Menu.objects.filter(vendor_id=menu.vendor_id), direction=direction)


def _vegetarian(*, is_vegan: bool, is_vegetarian: bool) -> bool:
    """Dietary flags nest: a vegan item is vegetarian (the one home of the rule; the database's
    item_vegan_is_vegetarian constraint is the last line behind it)."""
    return is_vegetarian or is_vegan


@transaction.atomic
def item_create(
    *,
    menu: Menu,
    name: str,
    price: Decimal,
    description: str = "",
    is_vegan: bool = False,
    is_vegetarian: bool = False,
    is_gluten_free: bool = False,
    is_available: bool = True,
    photo: UploadedFile | None = None,
) -> MenuItem:
    """A new item, last on its menu; the price in cents, the photo re-encoded and stored under a random key."""
    item = MenuItem(
        menu=menu,
        name=name,
        price=Decimal(price).quantize(CENT),
        description=description,
        is_vegan=is_vegan,
        is_vegetarian=_vegetarian(is_vegan=is_vegan, is_vegetarian=is_vegetarian),
        is_gluten_free=is_gluten_free,
        is_available=is_available,
        position=_next_position(menu.items.all()),
    )
    if photo:
        item.photo = _cleaned_upload(photo, field="photo")
    item.full_clean()
    item.save()
    search_documents_refresh_for_menus(menu_ids=[item.menu_id])
    audit_record(
        vendor_id=menu.vendor_id,
        action=AuditAction.ITEM,
        obj=item,
        summary=f"Added {item.name} ({item.price}) to the menu {menu.name}",
    )
    if item.photo:
        _make_thumbnails_on_commit("item", item.pk)
    return item


@transaction.atomic
def item_update(
    *, item: MenuItem, data: dict[str, Any], photo: UploadedFile | None = None, remove_photo: bool = False
) -> MenuItem:
    """Change the ITEM_FIELDS that `data` gives; a new `photo` replaces the old one, `remove_photo` drops it.

    The photo comes only through `photo` (re-encoded, stored under a random key): "photo" in `data` is a
    TypeError, like any key that is not an item field. A replaced or removed photo file is deleted after
    commit.
    """
    if "photo" in data:
        raise TypeError("item_update takes a new photo as photo=, where it is checked, not in data.")
    data = dict(data)
    if data.get("price") is not None:
        data["price"] = Decimal(data["price"]).quantize(CENT)
    data["is_vegetarian"] = _vegetarian(
        is_vegan=data.get("is_vegan", item.is_vegan), is_vegetarian=data.get("is_vegetarian", item.is_vegetarian)
    )
    old_photo = item.photo.name or ""
    if photo:
        data["photo"] = _cleaned_upload(photo, field="photo")
    elif remove_photo and old_photo:
        data["photo"] = ""
    else:
        old_photo = ""
    before = {name: getattr(item, name) for name in data if name in ITEM_FIELDS}
    if "photo" in data:
        # the new photo's size (and thumbnails) are not known until its task has run
        data.update(photo_width=None, photo_height=None)
    model_update(instance=item, fields=[*ITEM_FIELDS, "photo", "photo_width", "photo_height"], data=data)
    search_documents_refresh_for_menus(menu_ids=[item.menu_id])
    changed = changed_fields(before, {name: getattr(item, name) for name in before})
    if "photo" in data:
        changed["photo"] = ["replaced" if old_photo else "", "removed" if not data["photo"] else "new"]
    audit_changes(vendor_id=item.menu.vendor_id, action=AuditAction.ITEM, obj=item, label=item.name, changes=changed)
    _delete_photo_files_on_commit([old_photo])
    if photo:
        _make_thumbnails_on_commit("item", item.pk)
    return item


@transaction.atomic
def item_delete(*, item: MenuItem) -> None:
    """Delete the item (its photo rows cascade), then its photo files."""
    photos = [item.photo.name, *Photo.objects.filter(menu_item=item).values_list("image", flat=True)]
    audit_record(vendor_id=item.menu.vendor_id, action=AuditAction.ITEM, obj=item, summary=f"Deleted {item.name}")
    item.delete()
    search_documents_refresh_for_menus(menu_ids=[item.menu_id])
    _delete_photo_files_on_commit(photos)


@transaction.atomic
def item_move(*, item: MenuItem, direction: str) -> None:
    _move(obj=item, siblings=MenuItem.objects.filter(menu_id=item.menu_id), direction=direction)


@transaction.atomic
def item_set_availability(*, item: MenuItem, is_available: bool) -> MenuItem:
    """The one-click "sold out" switch (staff may use it); one row, one column."""
    changed = MenuItem.objects.filter(pk=item.pk).exclude(is_available=is_available).update(is_available=is_available)
    if changed:
        audit_record(
            vendor_id=item.menu.vendor_id,
            action=AuditAction.ITEM,
            obj=item,
            summary=f"Marked {item.name} {'available' if is_available else 'sold out'}",
            changes={"is_available": [not is_available, is_available]},
        )
        kind = ChangeKind.ITEM_BACK if is_available else ChangeKind.ITEM_SOLD_OUT
        for place in Place.objects.filter(menus__items=item, is_active=True).distinct():
            changes.publish(changes.place_change(place, kind, item_id=item.pk))
    item.is_available = is_available
    return item


# --- stored photo files named the old way (manage.py media_rename_uploads) ---------------------------

# Every stored image field: its model, its field and the folder its random keys live in.
STORED_IMAGE_FIELDS = ((Photo, "image", PHOTO_FOLDER), (MenuItem, "photo", ITEM_PHOTO_FOLDER))
# Each model's recorded image size (trucks.thumbnails) and the thumbnail task's name for it.
_SIZE_FIELDS = {Photo: ("width", "height"), MenuItem: ("photo_width", "photo_height")}
_THUMBNAIL_KINDS = {Photo: "photo", MenuItem: "item"}


@dataclass(frozen=True)
class StoredImageRename:
    """What happened to one row's stored image: renamed (`new`), or left for staff (`problem`)."""

    row: str
    old: str
    new: str = ""
    problem: str = ""


def _image_in_use(name: str) -> bool:
    return Photo.objects.filter(image=name).exists() or MenuItem.objects.filter(photo=name).exists()


def stored_image_rename(
    *, model: type[Model], field_name: str, pk: int, old: str, dry_run: bool = False
) -> StoredImageRename:
    """Re-encode one row's stored image (clean_image), store it under a random key, point the row at it.

    The row moves with a conditional UPDATE (only while it still names `old`); the old file is deleted
    once that commits, unless another row still names it. A file that is missing or not an image is
    left as it is, and said. With `dry_run` the file is read and checked, nothing is written.
    """
    row = f"{model.__name__} {pk}"
    field = model._meta.get_field(field_name)
    storage = field.storage
    try:
        with storage.open(old, "rb") as stored:
            cleaned = clean_image(stored, max_bytes=None)
    except FileNotFoundError:
        return StoredImageRename(row=row, old=old, problem="the file is missing.")
    except ValidationError as error:
        return StoredImageRename(row=row, old=old, problem=" ".join(error.messages))
    new = field.generate_filename(model(pk=pk), cleaned.as_file().name)
    if dry_run:
        return StoredImageRename(row=row, old=old, new=new)
    new = storage.save(new, cleaned.as_file())
    try:
        with transaction.atomic():
            # the new key's thumbnails are made anew (their names derive from the key)
            size = _SIZE_FIELDS[model]
            moved = model.objects.filter(pk=pk, **{field_name: old}).update(
                **{field_name: new, size[0]: None, size[1]: None}
            )
            if moved:
                _make_thumbnails_on_commit(_THUMBNAIL_KINDS[model], pk)
            if moved and not _image_in_use(old):
                _delete_photo_files_on_commit([old])
    except Exception:
        storage.delete(new)
        raise
    if not moved:
        storage.delete(new)
        return StoredImageRename(row=row, old=old, problem="the row changed meanwhile; run the command again.")
    return StoredImageRename(row=row, old=old, new=new)


def stored_images_rename(*, dry_run: bool = False, batch_size: int = 500) -> Iterator[StoredImageRename]:
    """Every stored photo and item photo whose name is not a random key with its real type, renamed one
    row at a time (the rows are found by one indexed-by-id query per batch). Idempotent: renamed rows no
    longer match, so a second run finds only what was left for staff."""
    for model, field_name, folder in STORED_IMAGE_FIELDS:
        after_id = 0
        while batch := images_named_the_old_way(model, field_name, folder, after_id=after_id, limit=batch_size):
            for pk, old in batch:
                yield stored_image_rename(model=model, field_name=field_name, pk=pk, old=old, dry_run=dry_run)
            after_id = batch[-1][0]


# --- categories (staff, in the admin) -------------------------------------------------------------


@transaction.atomic
def category_save(*, category: Category) -> Category:
    """Create or change a category; the places in it get its (new) name in their search documents."""
    category.full_clean()
    category.save()
    search_documents_refresh_for_categories(category_ids=[category.pk])
    return category


@transaction.atomic
def category_delete(*, category: Category) -> None:
    """Delete a category; the places that were in it lose its name from their search documents."""
    place_ids = list(category.places.values_list("pk", flat=True))
    category.delete()
    search_documents_refresh(place_ids=place_ids)
