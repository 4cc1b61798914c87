"""Writes to places and everything a vendor puts on them, by subject: places and the live check-in,
weekly hours and exceptions, photos, menus and items. The API, the portal and the admin call these."""

from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal
from typing import Any

from django.conf import DEFAULT_STORAGE_ALIAS
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Model, QuerySet
from django.utils import timezone

from accounts.models import User
from foodtrucks.services import model_update
from foodtrucks.tasks import stored_files_delete
from trucks.models import (
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
from trucks.upcoming import upcoming_stops_rebuild
from vendors.file_checks import check_photo
from vendors.models import Vendor

# The fields a vendor edits (place_update); the rest (live state, rating summary) have their own services.
PLACE_FIELDS = ["kind", "name", "description", "time_zone", "address", "city", "state", "lat", "lng"]
# The place's fields its upcoming stops are made of (their zone, and the location of stops without their own).
STOP_FIELDS = {"time_zone", "address", "lat", "lng"}


# Photos of places (Photo.image) and items (MenuItem.photo) are public files in the default storage.
PHOTO_STORAGE = DEFAULT_STORAGE_ALIAS


def _delete_photo_files_on_commit(names: Iterable[str]) -> None:
    """Stored photos go only once the rows pointing at them are surely gone: a task, enqueued on commit."""
    names = [name for name in names if name]
    if names:
        stored_files_delete.delay_on_commit(PHOTO_STORAGE, names)


# --- places and the live check-in -------------------------------------------------------------------


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
        city=city,
        state=state,
        lat=lat,
        lng=lng,
        location_source=LocationSource.ADDRESS,
    )
    place.full_clean()
    place.save()
    place.categories.set(categories)
    upcoming_stops_rebuild(place_ids=[place.pk])
    return place


@transaction.atomic
def place_update(*, place: Place, data: dict[str, Any]) -> Place:
    """Change the PLACE_FIELDS that `data` gives, and the categories under "categories".

    Any other key is a TypeError (model_update), never dropped.
    """
    data = dict(data)
    categories = data.pop("categories", None)
    model_update(instance=place, fields=PLACE_FIELDS, data=data)
    if categories is not None:
        place.categories.set(categories)
    if STOP_FIELDS & data.keys():
        upcoming_stops_rebuild(place_ids=[place.pk])
    return place


@transaction.atomic
def place_delete(*, place: Place) -> None:
    """Delete the place (its hours, photos, ratings and statistics cascade), then its photo files."""
    photos = list(Photo.objects.filter(place=place).values_list("image", flat=True))
    place.delete()
    _delete_photo_files_on_commit(photos)


def _validate_coordinates(lat: float, lng: float) -> None:
    errors = {}
    if not -90.0 <= lat <= 90.0:
        errors["lat"] = "Latitude must be between -90 and 90."
    if not -180.0 <= lng <= 180.0:
        errors["lng"] = "Longitude must be between -180 and 180."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def place_check_in(
    *,
    place: Place,
    lat: float | None,
    lng: float | None,
    is_open: bool,
    source: str = LocationSource.PORTAL,
    address: str = "",
) -> Place:
    """Set a place's live location (when given), open switch and, from the portal, a typed address.

    The time is the server's.
    """
    now = timezone.now()
    update_fields = ["is_open", "open_changed_at", "updated_at"]
    if lat is not None and lng is not None:
        _validate_coordinates(lat, lng)
        place.lat, place.lng = float(lat), float(lng)
        place.location_source = source
        place.location_updated_at = now
        update_fields += ["lat", "lng", "location_source", "location_updated_at"]
    elif (lat is None) != (lng is None):
        raise ValidationError({"lat": "Give both latitude and longitude, or neither."})
    if address and address != place.address:
        place.address = address[:255]
        update_fields.append("address")
    place.is_open = bool(is_open)
    place.open_changed_at = now
    place.save(update_fields=update_fields)
    if STOP_FIELDS & set(update_fields):  # stops without their own location are where the place is
        upcoming_stops_rebuild(place_ids=[place.pk])
    return place


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
    OpeningHours.objects.filter(place=place).delete()
    created = OpeningHours.objects.bulk_create(rows)
    upcoming_stops_rebuild(place_ids=[place.pk])
    return created


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
    return exception


@transaction.atomic
def schedule_exception_delete(*, exception: ScheduleException) -> None:
    exception.delete()
    upcoming_stops_rebuild(place_ids=[exception.place_id])


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
    check_photo(image)
    photo = Photo(
        place=place, image=image, caption=caption, uploaded_by=uploaded_by, position=_next_position(place.photos.all())
    )
    photo.full_clean()
    photo.save()
    return photo


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
    return menu


@transaction.atomic
def menu_update(*, menu: Menu, data: dict[str, Any]) -> Menu:
    """Change the MENU_FIELDS that `data` gives, and the places under "places" (the vendor's own only)."""
    data = dict(data)
    places = data.pop("places", None)
    model_update(instance=menu, fields=MENU_FIELDS, data=data)
    if places is not None:
        menu.places.set(_check_own_places(menu.vendor_id, places))
    return menu


@transaction.atomic
def menu_delete(*, menu: Menu) -> None:
    """Delete the menu (its items and their photos cascade), then the items' photo files."""
    photos = [
        *MenuItem.objects.filter(menu=menu).values_list("photo", flat=True),
        *Photo.objects.filter(menu_item__menu=menu).values_list("image", flat=True),
    ]
    menu.delete()
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
    """A new item, last on its menu; the price in cents, the photo checked by its content."""
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
        check_photo(photo)
        item.photo = photo
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def item_update(
    *, item: MenuItem, data: dict[str, Any], photo: UploadedFile | None = None, remove_photo: bool = False
) -> MenuItem:
    """Change the ITEM_FIELDS that `data` gives; a new `photo` replaces the old one, `remove_photo` drops it.

    The photo comes only through `photo` (checked by its content): "photo" in `data` is a TypeError, like
    any key that is not an item field. A replaced or removed photo file is deleted after commit.
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
        check_photo(photo)
        data["photo"] = photo
    elif remove_photo and old_photo:
        data["photo"] = ""
    else:
        old_photo = ""
    model_update(instance=item, fields=[*ITEM_FIELDS, "photo"], data=data)
    _delete_photo_files_on_commit([old_photo])
    return item


@transaction.atomic
def item_delete(*, item: MenuItem) -> None:
    """Delete the item (its photo rows cascade), then its photo files."""
    photos = [item.photo.name, *Photo.objects.filter(menu_item=item).values_list("image", flat=True)]
    item.delete()
    _delete_photo_files_on_commit(photos)


@transaction.atomic
def item_move(*, item: MenuItem, direction: str) -> None:
    _move(obj=item, siblings=MenuItem.objects.filter(menu_id=item.menu_id), direction=direction)


@transaction.atomic
def item_set_availability(*, item: MenuItem, is_available: bool) -> MenuItem:
    """The one-click "sold out" switch (staff may use it); one row, one column."""
    MenuItem.objects.filter(pk=item.pk).update(is_available=is_available)
    item.is_available = is_available
    return item
