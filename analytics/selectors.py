"""Reads of the daily statistics (the portal's charts) and of today's raw events."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from analytics.models import DailyPlaceStats, InteractionType, UserInteraction
from trucks.models import Place


def daily_stats(*, place_ids: list[int], start: date, end: date) -> QuerySet[DailyPlaceStats]:
    """Daily rows of those places from `start` to `end` (local dates, both included)."""
    return DailyPlaceStats.objects.filter(place_id__in=place_ids, date__gte=start, date__lte=end).order_by(
        "date", "place_id"
    )


def today_so_far(*, places: list[Place]) -> dict[int, dict[str, int]]:
    """Views and clicks of each place since its own local midnight, from the raw events."""
    now = timezone.now()
    by_zone: dict[str, list[int]] = {}
    for place in places:
        by_zone.setdefault(place.time_zone, []).append(place.pk)
    figures = {place.pk: {"views": 0, "clicks": 0} for place in places}
    for zone, ids in by_zone.items():
        local_midnight = datetime.combine(now.astimezone(ZoneInfo(zone)).date(), time.min, tzinfo=ZoneInfo(zone))
        rows = (
            UserInteraction.objects.filter(
                place_id__in=ids, occurred_at__gte=local_midnight, occurred_at__lt=now + timedelta(minutes=5)
            )
            .values("place_id")
            .annotate(
                # A VIEW with dwell is the app's dwell report of a view already counted.
                views=Count("id", filter=Q(type=InteractionType.VIEW, dwell_ms__isnull=True)),
                clicks=Count("id", filter=Q(type=InteractionType.CLICK)),
            )
        )
        for row in rows:
            figures[row["place_id"]] = {"views": row["views"], "clicks": row["clicks"]}
    return figures


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
