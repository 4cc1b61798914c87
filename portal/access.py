"""The one place where portal access is decided: who gets in, for which vendor, with which role.

Every portal view subclasses `PortalView` (or a generic view mixed with `PortalAccessMixin`) and
names the action it needs (`permission`, one of vendors.selectors.ROLE_PERMISSIONS' actions).

- anonymous visitor: redirected to the login page;
- a logged-in user who is no vendor's member: 403 with a clear message;
- an object of a vendor the user is not a member of: 404 (the shared `get_*_for_member_or_404`
  selectors), so its existence is never revealed;
- a member whose role does not allow the action: 403 (the page exists for their vendor, they may
  just not use it; the navigation hides it too).

The current vendor lives in the session; opening an object of another vendor the user belongs to
switches to that vendor.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Model
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.generic import TemplateView, View

from vendors.models import VendorMember
from vendors.selectors import ROLE_PERMISSIONS, memberships_for_user, role_allows

SESSION_VENDOR_KEY = "portal_vendor_id"

NOT_A_MEMBER_MESSAGE = (
    "This account is not a member of any vendor. The portal is for food-truck and stand vendors; "
    "ask your vendor's owner to add you to their team."
)


def denied(request: HttpRequest, message: str, *, membership: VendorMember | None) -> TemplateResponse:
    """403 inside the portal's layout: the reason, and the way on (dashboard, or log out)."""
    context = {"message": message, **portal_context(request, membership)}
    return TemplateResponse(request, "portal/403.html", context, status=403)


def portal_memberships(request: HttpRequest) -> list[VendorMember]:
    """The user's memberships (with their vendors), loaded once per request."""
    cached = getattr(request, "_portal_memberships", None)
    if cached is None:
        cached = list(memberships_for_user(request.user))
        request._portal_memberships = cached
    return cached


def current_membership(request: HttpRequest) -> VendorMember | None:
    """The membership of the vendor chosen in the session, else the first one."""
    memberships = portal_memberships(request)
    if not memberships:
        return None
    chosen = request.session.get(SESSION_VENDOR_KEY)
    for membership in memberships:
        if membership.vendor_id == chosen:
            return membership
    return memberships[0]


def switch_vendor(request: HttpRequest, vendor_id: int) -> VendorMember | None:
    """Make `vendor_id` the current vendor if the user is its member; None otherwise."""
    for membership in portal_memberships(request):
        if membership.vendor_id == vendor_id:
            request.session[SESSION_VENDOR_KEY] = vendor_id
            return membership
    return None


def allowed_actions(membership: VendorMember | None) -> frozenset[str]:
    if membership is None:
        return frozenset()
    return ROLE_PERMISSIONS.get(membership.role, frozenset())


class PortalAccessMixin(LoginRequiredMixin):
    """Login, vendor membership and role, checked before the handler runs.

    Views about one object override `resolve_object()` with a shared `get_*_for_member_or_404`
    selector (action "view": any member may learn the object exists, a stranger gets 404); the
    role check then runs against the membership of that object's vendor.
    """

    permission: str = "view"
    # Site staff (Django admin users) may use this view on any vendor's object, e.g. to open a
    # certificate they review, without being a member.
    allow_site_staff: bool = False
    membership: VendorMember | None
    object: Model | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.allow_site_staff and request.user.is_staff:
            self.object = self.resolve_object_for_site_staff()
            self.membership = current_membership(request)
            return super().dispatch(request, *args, **kwargs)
        if current_membership(request) is None:
            return denied(request, NOT_A_MEMBER_MESSAGE, membership=None)
        self.object = self.resolve_object()
        vendor_id = self.object_vendor_id(self.object) if self.object is not None else None
        membership = switch_vendor(request, vendor_id) if vendor_id is not None else current_membership(request)
        if membership is None:  # defensive: the selector already proved membership
            return denied(request, NOT_A_MEMBER_MESSAGE, membership=None)
        if not role_allows(membership.role, self.permission):
            message = (
                f"Your role ({membership.get_role_display().lower()}) at {membership.vendor} does not allow this page."
            )
            return denied(request, message, membership=membership)
        self.membership = membership
        return super().dispatch(request, *args, **kwargs)

    @property
    def vendor(self):
        return self.membership.vendor

    def resolve_object(self) -> Model | None:
        return None

    def resolve_object_for_site_staff(self) -> Model | None:
        """The object a site staff member asked for; a view with allow_site_staff says how to find it."""
        return None

    def object_vendor_id(self, obj: Model) -> int:
        return obj.vendor_id

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(portal_context(self.request, self.membership))
        return context


def portal_context(request: HttpRequest, membership: VendorMember | None) -> dict:
    """What the base layout needs: the vendor, the switcher and what the role may see."""
    return {
        "portal_membership": membership,
        "portal_vendor": membership.vendor if membership else None,
        "portal_memberships": portal_memberships(request) if request.user.is_authenticated else [],
        "can": allowed_actions(membership),
        # "just now" rather than "0 minutes ago" for anything newer than this
        "just_now": timezone.now() - timedelta(minutes=1),
        # the maps' tiles (static/portal/maps.js): empty draws pins on a blank map
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


class PortalView(PortalAccessMixin, View):
    """A plain portal view (POST actions, redirects, files)."""

    def get_context_data(self, **kwargs):
        context = dict(kwargs)
        context.update(portal_context(self.request, self.membership))
        return context


class PortalTemplateView(PortalAccessMixin, TemplateView):
    pass
