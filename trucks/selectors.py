"""Reads of places, menus and items, including the vendor-scoped lookups used by every view."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from trucks.models import Menu, MenuItem, Place
from vendors.models import VendorMember
from vendors.selectors import ROLE_PERMISSIONS, role_allows


def places_for_member(user: User, vendor_id: int, *, action: str = "view") -> QuerySet[Place]:
    """Places of `vendor_id`, if the user is a member whose role allows `action`; else none."""
    roles = [role for role, actions in ROLE_PERMISSIONS.items() if action in actions]
    if not user.is_authenticated:
        return Place.objects.none()
    is_member = VendorMember.objects.filter(user=user, vendor_id=vendor_id, role__in=roles).exists()
    if not is_member:
        return Place.objects.none()
    return Place.objects.filter(vendor_id=vendor_id).select_related("vendor")


def get_place_for_member_or_404(user: User, place_id: int, *, action: str = "view") -> Place:
    """The place if the user is a member of its vendor with a role allowing `action`; else 404."""
    if not user.is_authenticated:
        raise Http404("No such place.")
    row = VendorMember.objects.filter(user=user, vendor__places__pk=place_id).values_list("role", flat=True).first()
    if row is None or not role_allows(row, action):
        raise Http404("No such place.")
    return Place.objects.select_related("vendor").get(pk=place_id)


def get_menu_for_member_or_404(user: User, menu_id: int, *, action: str = "edit_menus") -> Menu:
    if not user.is_authenticated:
        raise Http404("No such menu.")
    role = VendorMember.objects.filter(user=user, vendor__menus__pk=menu_id).values_list("role", flat=True).first()
    if role is None or not role_allows(role, action):
        raise Http404("No such menu.")
    return Menu.objects.select_related("vendor").get(pk=menu_id)


def get_item_for_member_or_404(user: User, item_id: int, *, action: str = "edit_menus") -> MenuItem:
    if not user.is_authenticated:
        raise Http404("No such item.")
    role = (
        VendorMember.objects.filter(user=user, vendor__menus__items__pk=item_id).values_list("role", flat=True).first()
    )
    if role is None or not role_allows(role, action):
        raise Http404("No such item.")
    return MenuItem.objects.select_related("menu__vendor").get(pk=item_id)


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
