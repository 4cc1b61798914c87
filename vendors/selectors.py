"""Reads about vendors and, above all, the one place where vendor access is decided.

Every portal view and vendor API endpoint asks these functions; none filters by owner by hand.
An object of a vendor the user is not a member of is a 404, never a 403 that reveals it exists.
"""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from vendors.models import Role, Vendor, VendorMember

# What each role may do. Owners do everything; managers all but team and certificates;
# staff only the live location / open switch and item availability.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(
        {"view", "check_in", "item_availability", "edit_places", "edit_menus", "analytics", "team", "certificates"}
    ),
    Role.MANAGER: frozenset({"view", "check_in", "item_availability", "edit_places", "edit_menus", "analytics"}),
    Role.STAFF: frozenset({"view", "check_in", "item_availability"}),
}


def role_allows(role: str, action: str) -> bool:
    return action in ROLE_PERMISSIONS.get(role, frozenset())


def memberships_for_user(user: User) -> QuerySet[VendorMember]:
    if not user.is_authenticated:
        return VendorMember.objects.none()
    return VendorMember.objects.filter(user=user).select_related("vendor").order_by("vendor__business_name")


def membership_for(user: User, vendor_id: int) -> VendorMember | None:
    if not user.is_authenticated:
        return None
    return VendorMember.objects.filter(user=user, vendor_id=vendor_id).select_related("vendor").first()


def get_membership_or_404(user: User, vendor_id: int, *, action: str = "view") -> VendorMember:
    """The user's membership of that vendor if its role allows `action`; 404 otherwise."""
    membership = membership_for(user, vendor_id)
    if membership is None or not role_allows(membership.role, action):
        raise Http404("No such vendor.")
    return membership


def vendor_ids_for_user(user: User, *, action: str = "view") -> list[int]:
    roles = [role for role, actions in ROLE_PERMISSIONS.items() if action in actions]
    return list(memberships_for_user(user).filter(role__in=roles).values_list("vendor_id", flat=True))


def vendor_public_detail(vendor_id: int) -> Vendor:
    try:
        return Vendor.objects.get(pk=vendor_id)
    except Vendor.DoesNotExist as exc:
        raise Http404("No such vendor.") from exc


# --- portal: certificates and team ----------------------------------------------------------------


def certificates_for_vendor(vendor_id: int) -> QuerySet:
    from vendors.models import BusinessCertificate

    return BusinessCertificate.objects.filter(vendor_id=vendor_id).select_related("reviewer", "uploaded_by")


def get_certificate_for_member_or_404(user: User, certificate_id: int, *, action: str = "certificates"):
    """The certificate if the user is a member of its vendor with a role allowing `action`; else 404."""
    from vendors.models import BusinessCertificate

    if not user.is_authenticated:
        raise Http404("No such certificate.")
    role = (
        VendorMember.objects.filter(user=user, vendor__certificates__pk=certificate_id)
        .values_list("role", flat=True)
        .first()
    )
    if role is None or not role_allows(role, action):
        raise Http404("No such certificate.")
    return BusinessCertificate.objects.select_related("vendor").get(pk=certificate_id)


def team_for_vendor(vendor_id: int) -> QuerySet[VendorMember]:
    return VendorMember.objects.filter(vendor_id=vendor_id).select_related("user").order_by("role", "user__email")


def get_team_member_for_member_or_404(user: User, membership_id: int, *, action: str = "team") -> VendorMember:
    """A membership row of a vendor the user belongs to with a role allowing `action`; else 404."""
    if not user.is_authenticated:
        raise Http404("No such team member.")
    target = VendorMember.objects.select_related("user", "vendor").filter(pk=membership_id).first()
    if target is None:
        raise Http404("No such team member.")
    role = VendorMember.objects.filter(user=user, vendor_id=target.vendor_id).values_list("role", flat=True).first()
    if role is None or not role_allows(role, action):
        raise Http404("No such team member.")
    return target
