"""Reads of the daily statistics (the portal's charts) and of today's raw events."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import ExtractHour
from django.utils import timezone

from analytics.models import DailyPlaceStats, InteractionType, UserInteraction
from trucks.models import Place


def daily_stats(*, place_ids: list[int], start: date, end: date) -> QuerySet[DailyPlaceStats]:
    """Daily rows of those places from `start` to `end` (local dates, both included)."""
    return DailyPlaceStats.objects.filter(place_id__in=place_ids, date__gte=start, date__lte=end).order_by(
        "date", "place_id"
    )


def today_stats(*, places: list[Place], now: datetime | None = None) -> dict[int, DailyPlaceStats]:
    """Each place's figures since its own local midnight, from the raw events (the nightly roll-up
    has not run for today): unsaved DailyPlaceStats dated the place's local today, with the
    roll-up's definitions (a VIEW with dwell is the app's dwell report of a view already counted).
    One query per time zone; a place without events today gets a row of zeros."""
    now = now or timezone.now()
    by_zone: dict[str, list[Place]] = {}
    for place in places:
        by_zone.setdefault(place.time_zone, []).append(place)
    figures: dict[int, DailyPlaceStats] = {}
    is_view = Q(type=InteractionType.VIEW, dwell_ms__isnull=True)
    for zone, zone_places in by_zone.items():
        tz = ZoneInfo(zone)
        local_today = now.astimezone(tz).date()
        for place in zone_places:
            figures[place.pk] = DailyPlaceStats(place=place, date=local_today, views_by_hour=[0] * 24)
        local_midnight = datetime.combine(local_today, time.min, tzinfo=tz)
        hours = {f"hour_{hour}": Count("id", filter=is_view & Q(local_hour=hour)) for hour in range(24)}
        rows = (
            UserInteraction.objects.filter(
                place_id__in=[place.pk for place in zone_places],
                occurred_at__gte=local_midnight,
                occurred_at__lt=now + timedelta(minutes=5),
            )
            .annotate(local_hour=ExtractHour("occurred_at", tzinfo=tz))
            .values("place_id")
            .annotate(
                views=Count("id", filter=is_view),
                unique_viewers=Count("user_id", filter=is_view, distinct=True),
                clicks=Count("id", filter=Q(type=InteractionType.CLICK)),
                ratings=Count("id", filter=Q(type=InteractionType.RATING)),
                nearby_users=Count("user_id", filter=Q(type=InteractionType.NEARBY_DETECTION), distinct=True),
                avg_dwell_ms=Avg("dwell_ms"),
                **hours,
            )
            .order_by()
        )
        for row in rows:
            stats = figures[row["place_id"]]
            for name in ("views", "unique_viewers", "clicks", "ratings", "nearby_users", "avg_dwell_ms"):
                setattr(stats, name, row[name])
            stats.views_by_hour = [row[f"hour_{hour}"] for hour in range(24)]
    return figures


def today_so_far(*, places: list[Place]) -> dict[int, dict[str, int]]:
    """Views and clicks of each place since its own local midnight (the dashboard's figures: the
    same numbers as the analytics series' partial today, from `today_stats`)."""
    return {pk: {"views": row.views, "clicks": row.clicks} for pk, row in today_stats(places=places).items()}


def nearby_detections(*, user_id, place_id, windows: list[tuple]) -> QuerySet[UserInteraction]:
    """The user's NEARBY_DETECTION events at the place within any of the (start, end) windows, both
    ends included (values or outer references). Served by interaction_place_time_idx (place, time)."""
    within = Q()
    for start, end in windows:
        within |= Q(occurred_at__gte=start, occurred_at__lte=end)
    return UserInteraction.objects.filter(
        within, user_id=user_id, place_id=place_id, type=InteractionType.NEARBY_DETECTION
    )


def user_detected_near_place(*, user_id: int, place_id: int, windows: list[tuple[datetime, datetime]]) -> bool:
    """Whether the user was detected near the place within any of the windows."""
    return nearby_detections(user_id=user_id, place_id=place_id, windows=windows).exists()
