"""Reads of places, menus and items; the member-scoped lookups are vendors.selectors.get_for_member_or_404."""

from django.db.models import Count, Model, QuerySet

from accounts.models import User
from trucks.models import Menu, MenuItem, Place, image_key_regex
from vendors.models import Vendor
from vendors.selectors import for_member, get_for_member_or_404
from vendors.time_zones import time_zone_for_state


def places_for_member(user: User, vendor_id: int, *, action: str = "view") -> QuerySet[Place]:
    """Places of `vendor_id`, if the user is a member whose role allows `action`; else none."""
    return for_member(user, Place.objects.filter(vendor_id=vendor_id).select_related("vendor"), action=action)


def get_place_for_member_or_404(user: User, place_id: int, *, action: str = "view") -> Place:
    return get_for_member_or_404(user, Place.objects.select_related("vendor"), place_id, action=action)


def get_menu_for_member_or_404(user: User, menu_id: int, *, action: str = "edit_menus") -> Menu:
    return get_for_member_or_404(user, Menu.objects.select_related("vendor"), menu_id, action=action)


def get_item_for_member_or_404(user: User, item_id: int, *, action: str = "edit_menus") -> MenuItem:
    queryset = MenuItem.objects.select_related("menu__vendor")
    return get_for_member_or_404(user, queryset, item_id, vendor_field="menu__vendor", action=action)


# --- portal ----------------------------------------------------------------------------------------


def portal_places(vendor_id: int) -> QuerySet[Place]:
    """A vendor's places for the portal's lists, with what the rows show."""
    return Place.objects.filter(vendor_id=vendor_id).prefetch_related("categories").order_by("name", "id")


def portal_menus(vendor_id: int) -> QuerySet[Menu]:
    """A vendor's menus with their places and items, ordered as the vendor arranged them."""
    from django.db.models import Prefetch

    return (
        Menu.objects.filter(vendor_id=vendor_id)
        .prefetch_related(
            Prefetch("places", queryset=Place.objects.order_by("name")),
            Prefetch("items", queryset=MenuItem.objects.order_by("position", "id")),
        )
        .order_by("position", "name", "id")
    )


# --- stored photo files ------------------------------------------------------------------------------


def images_named_the_old_way(
    model: type[Model], field_name: str, folder: str, *, after_id: int, limit: int
) -> list[tuple[int, str]]:
    """(id, stored name) of the next rows, by id, whose image is not a random key under `folder` with its
    real type (trucks.models.image_key_regex): stored after the client's file name, before clean_image."""
    return list(
        model.objects.filter(pk__gt=after_id)
        .exclude(**{field_name: ""})
        .exclude(**{f"{field_name}__regex": image_key_regex(folder)})
        .order_by("pk")
        .values_list("pk", field_name)[:limit]
    )


def default_time_zone_for_vendor(vendor: Vendor) -> str | None:
    """The zone a vendor's new place starts in: its primary state's (vendors.time_zones), else the zone most
    of its places use; None when neither says (the portal then offers the browser's zone)."""
    zone = time_zone_for_state(vendor.primary_state)
    if zone:
        return zone
    return (
        Place.objects.filter(vendor=vendor)
        .values("time_zone")
        .annotate(places=Count("id"))
        .order_by("-places", "time_zone")
        .values_list("time_zone", flat=True)
        .first()
    )
