"""One complete row (with its own related rows) of every model registered in the admin."""

import io
import uuid
from datetime import date, time, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token, TokenProxy

from accounts.models import User
from analytics.models import DailyPlaceStats, LateEventScan, RollupRun, UserInteraction
from consumers.models import FavoriteCategory, FavoritePlace, RecentlyViewedPlace
from notifications.models import AlertPreferences, Device, Notification, SavedPlace
from ratings.models import Rating, ReviewReply, ReviewReport
from tests import factories
from trucks.models import Category, Menu, MenuItem, OpeningHours, Photo, Place, ScheduleException
from vendors.models import AuditEntry, BusinessCertificate, Vendor, VendorMember


def png_file(name: str = "photo.png") -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 40, 40)).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name=name)


def _place():
    return factories.PlaceFactory()


BUILDERS = {
    User: lambda i: factories.UserFactory(),
    Group: lambda i: Group.objects.create(name=f"Support team {i}"),
    TokenProxy: lambda i: TokenProxy.objects.get(pk=Token.objects.create(user=factories.UserFactory()).pk),
    FavoritePlace: lambda i: factories.FavoritePlaceFactory(),
    RecentlyViewedPlace: lambda i: RecentlyViewedPlace.objects.create(user=factories.UserFactory(), place=_place()),
    FavoriteCategory: lambda i: FavoriteCategory.objects.create(
        user=factories.UserFactory(), category=factories.CategoryFactory()
    ),
    Vendor: lambda i: factories.VendorFactory(verified_by=factories.StaffUserFactory()),
    VendorMember: lambda i: factories.VendorMemberFactory(),
    BusinessCertificate: lambda i: factories.BusinessCertificateFactory(
        uploaded_by=factories.UserFactory(), reviewer=factories.StaffUserFactory()
    ),
    Category: lambda i: factories.CategoryFactory(),
    Place: lambda i: _place(),
    OpeningHours: lambda i: factories.OpeningHoursFactory(),
    ScheduleException: lambda i: ScheduleException.objects.create(
        place=_place(), date=date(2026, 12, 24), kind="special_hours", opens=time(10), closes=time(14)
    ),
    Menu: lambda i: factories.MenuFactory(),
    MenuItem: lambda i: factories.MenuItemFactory(),
    Photo: lambda i: Photo.objects.create(
        place=_place() if i % 2 else None,
        menu_item=None if i % 2 else factories.MenuItemFactory(),
        image=png_file(),
        uploaded_by=factories.UserFactory(),
    ),
    Rating: lambda i: factories.RatingFactory(),
    ReviewReply: lambda i: ReviewReply.objects.create(
        rating=factories.RatingFactory(), author=factories.UserFactory(), text="Thank you for coming!"
    ),
    ReviewReport: lambda i: ReviewReport.objects.create(
        rating=factories.RatingFactory(),
        vendor=factories.VendorFactory(),
        reported_by=factories.UserFactory(),
        reason="spam",
        note="Advertises another truck.",
    ),
    AuditEntry: lambda i: AuditEntry.objects.create(
        vendor=factories.VendorFactory(),
        actor=factories.UserFactory(),
        actor_email="owner@example.com",
        action="check_in",
        object_type="place",
        object_id=1,
        place_id=1,
        place_name="Taco Truck",
        summary="Checked in Taco Truck: open",
        changes={"is_open": [False, True]},
    ),
    Notification: lambda i: Notification.objects.create(
        user=factories.UserFactory(), place=_place(), change_id=uuid.uuid4(), kind="opened_nearby", title="Open"
    ),
    Device: lambda i: Device.objects.create(user=factories.UserFactory(), kind="fcm", token=f"token-{i}"),
    AlertPreferences: lambda i: AlertPreferences.objects.create(user=factories.UserFactory(), radius_km=3),
    SavedPlace: lambda i: SavedPlace.objects.create(user=factories.UserFactory(), name="Home", lat=30.2, lng=-97.7),
    UserInteraction: lambda i: factories.UserInteractionFactory(lat=30.27, lng=-97.74, dwell_ms=1200),
    DailyPlaceStats: lambda i: factories.DailyPlaceStatsFactory(),
    RollupRun: lambda i: RollupRun.objects.create(day=date(2026, 11, 1) - timedelta(days=i), status="succeeded"),
    LateEventScan: lambda i: LateEventScan.objects.create(scanned_until=timezone.now(), late_days=["2026-11-01"]),
    # django-axes: the brute-force protection's records, which staff review and clear.
    AccessAttempt: lambda i: AccessAttempt.objects.create(
        username=f"user{i}@example.com",
        ip_address="127.0.0.1",
        user_agent="test",
        path_info="/admin/login/",
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        failures_since_start=3,
    ),
    AccessLog: lambda i: AccessLog.objects.create(
        username=f"user{i}@example.com",
        ip_address="127.0.0.1",
        user_agent="test",
        path_info="/admin/login/",
        attempt_time=timezone.now(),
    ),
    AccessFailureLog: lambda i: AccessFailureLog.objects.create(
        username=f"user{i}@example.com",
        ip_address="127.0.0.1",
        user_agent="test",
        path_info="/admin/login/",
        attempt_time=timezone.now(),
        locked_out=False,
    ),
}


def build(model, i: int = 0):
    return BUILDERS[model](i)


def object_id_in_admin(obj) -> int:
    # DRF's token admin addresses a token by its user's id.
    return obj.user_id if isinstance(obj, TokenProxy) else obj.pk


__all__ = ["BUILDERS", "Menu", "MenuItem", "Vendor", "VendorMember", "build", "object_id_in_admin"]
