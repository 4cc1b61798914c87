"""The weekly summary email to owners: last week's figures per place (views, clicks, ratings, average).

Once per owner membership and week (vendors.WeeklySummarySent, unique), recorded in the transaction of
the send, so a second run of the beat job sends nothing. Owners who turned it off (the portal's toggle,
or the email's one-click link) get nothing.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse

from analytics.models import DailyPlaceStats
from trucks.models import Place
from vendors.models import Role, VendorMember, WeeklySummarySent
from vendors.reminders import site_url, weekly_summary_unsubscribe_token


@dataclass(frozen=True)
class PlaceWeek:
    name: str
    views: int
    clicks: int
    ratings: int
    rating_avg: object
    rating_count: int


def last_week_start(today: date) -> date:
    """The Monday of the last full week (Monday to Sunday) before `today`."""
    return today - timedelta(days=today.weekday() + 7)


def vendor_week(*, vendor_id: int, week_start: date) -> list[PlaceWeek]:
    """Each active place of the vendor with its week's rolled-up figures (places' local days) and its
    rating average as it stands (all visible ratings)."""
    week_end = week_start + timedelta(days=6)
    totals = {
        row["place_id"]: row
        for row in DailyPlaceStats.objects.filter(place__vendor_id=vendor_id, date__gte=week_start, date__lte=week_end)
        .values("place_id")
        .annotate(views=Sum("views"), clicks=Sum("clicks"), ratings=Sum("ratings"))
        .order_by()
    }
    places = Place.objects.filter(vendor_id=vendor_id, is_active=True).order_by("name", "id")
    return [
        PlaceWeek(
            name=place.name,
            views=totals.get(place.pk, {}).get("views") or 0,
            clicks=totals.get(place.pk, {}).get("clicks") or 0,
            ratings=totals.get(place.pk, {}).get("ratings") or 0,
            rating_avg=place.rating_avg,
            rating_count=place.rating_count,
        )
        for place in places
    ]


def weekly_summary_send(*, membership: VendorMember, week_start: date) -> bool:
    """Email one owner the vendor's week, once. Answers whether it went out now."""
    if not membership.weekly_summary or not membership.user.email:
        return False
    rows = vendor_week(vendor_id=membership.vendor_id, week_start=week_start)
    if not rows:
        return False
    token = weekly_summary_unsubscribe_token(membership)
    unsubscribe = site_url(reverse("portal:summary_unsubscribe", kwargs={"token": token}))
    context = {
        "vendor": membership.vendor,
        "week_start": week_start,
        "week_end": week_start + timedelta(days=6),
        "rows": rows,
        "unsubscribe": unsubscribe,
        "settings_link": site_url(reverse("portal:email_settings")),
    }
    try:
        with transaction.atomic():
            WeeklySummarySent.objects.create(membership=membership, week_start=week_start)
            EmailMessage(
                subject=f"{membership.vendor.business_name}: your week of {week_start:%-d %b}",
                body=render_to_string("portal/emails/weekly_summary.txt", context),
                to=[membership.user.email],
                headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
            ).send()
    except IntegrityError:
        return False  # already sent this week (another run recorded it first)
    return True


def weekly_summaries_send(*, today: date) -> int:
    """The beat job's work: last week's summary to every owner who wants it. Answers how many went out."""
    week_start = last_week_start(today)
    owners = (
        VendorMember.objects.filter(role=Role.OWNER, weekly_summary=True, user__is_active=True)
        .exclude(weekly_summaries__week_start=week_start)
        .select_related("user", "vendor")
        .order_by("id")
    )
    return sum(weekly_summary_send(membership=membership, week_start=week_start) for membership in owners)
