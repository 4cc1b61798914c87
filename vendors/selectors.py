"""Reads about vendors and, above all, the one place where vendor access is decided.

Every portal view and vendor API endpoint asks these functions; none filters by owner by hand.
An object of a vendor the user is not a member of is a 404, never a 403 that reveals it exists.
"""

from typing import TypeVar

from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import Http404

from accounts.models import User
from vendors.models import AuditEntry, BusinessCertificate, Role, Vendor, VendorMember

M = TypeVar("M", bound=Model)

# What each role may do. Owners do everything; managers all but team, certificates and the history
# (they read and answer reviews too); staff only the live location / open switch and item availability.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(
        {
            "view",
            "check_in",
            "item_availability",
            "edit_places",
            "edit_menus",
            "analytics",
            "reviews",
            "team",
            "certificates",
            "history",
        }
    ),
    Role.MANAGER: frozenset(
        {"view", "check_in", "item_availability", "edit_places", "edit_menus", "analytics", "reviews"}
    ),
    Role.STAFF: frozenset({"view", "check_in", "item_availability"}),
}


def role_allows(role: str, action: str) -> bool:
    return action in ROLE_PERMISSIONS.get(role, frozenset())


def roles_allowed(action: str) -> list[str]:
    return [role for role, actions in ROLE_PERMISSIONS.items() if action in actions]


def for_member(user: User, queryset: QuerySet[M], *, vendor_field: str = "vendor", action: str = "view") -> QuerySet[M]:
    """The rows of `queryset` whose vendor (reached through `vendor_field`, e.g. "menu__vendor") the user
    is a member of, with a role that allows `action`; no rows for anyone else. One query, no join fan-out."""
    if not user.is_authenticated:
        return queryset.none()
    membership = VendorMember.objects.filter(user=user, vendor=OuterRef(vendor_field), role__in=roles_allowed(action))
    return queryset.filter(Exists(membership))


def get_for_member_or_404(
    user: User, queryset: QuerySet[M], pk: int, *, vendor_field: str = "vendor", action: str = "view"
) -> M:
    """The object `pk` of `queryset` if `for_member` lets the user see it; else 404, exactly as for an id
    that does not exist, so another vendor's object is never revealed."""
    obj = for_member(user, queryset, vendor_field=vendor_field, action=action).filter(pk=pk).first()
    if obj is None:
        raise Http404(f"No such {queryset.model._meta.verbose_name}.")
    return obj


def memberships_for_user(user: User) -> QuerySet[VendorMember]:
    if not user.is_authenticated:
        return VendorMember.objects.none()
    return VendorMember.objects.filter(user=user).select_related("vendor").order_by("vendor__business_name")


def vendor_public_detail(vendor_id: int) -> Vendor:
    try:
        return Vendor.objects.get(pk=vendor_id)
    except Vendor.DoesNotExist as exc:
        raise Http404("No such vendor.") from exc


# --- portal: certificates and team ----------------------------------------------------------------


def certificates_for_vendor(vendor_id: int) -> QuerySet[BusinessCertificate]:
    return BusinessCertificate.objects.filter(vendor_id=vendor_id).select_related("reviewer", "uploaded_by")


def get_certificate_for_member_or_404(
    user: User, certificate_id: int, *, action: str = "certificates"
) -> BusinessCertificate:
    return get_for_member_or_404(
        user, BusinessCertificate.objects.select_related("vendor"), certificate_id, action=action
    )


def team_for_vendor(vendor_id: int) -> QuerySet[VendorMember]:
    return VendorMember.objects.filter(vendor_id=vendor_id).select_related("user").order_by("role", "user__email")


def get_team_member_for_member_or_404(user: User, membership_id: int, *, action: str = "team") -> VendorMember:
    return get_for_member_or_404(
        user, VendorMember.objects.select_related("user", "vendor"), membership_id, action=action
    )


# --- portal: the history (audit trail) ------------------------------------------------------------


def audit_entries_for_member(
    user: User, vendor_id: int, *, place_id: int | None = None, action: str | None = None
) -> QuerySet[AuditEntry]:
    """The vendor's audit entries, newest first, if the user may read the history; none otherwise."""
    entries = for_member(user, AuditEntry.objects.filter(vendor_id=vendor_id), action="history")
    if place_id is not None:
        entries = entries.filter(place_id=place_id)
    if action:
        entries = entries.filter(action=action)
    return entries.order_by("-created_at", "-id")
