"""Reads of a consumer's own lists: favorites, recently viewed, favorite categories."""

from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import User
from consumers import view_buffer
from consumers.models import RECENTLY_VIEWED_LIMIT, FavoriteCategory, FavoritePlace, RecentlyViewedPlace
from trucks.models import Category, Place


def favorites_for_user(*, user: User) -> QuerySet[FavoritePlace]:
    """The user's favorites of active places, newest first."""
    return FavoritePlace.objects.filter(user=user, place__is_active=True).order_by("-created_at", "-id")


def recently_viewed_for_user(*, user: User) -> QuerySet[RecentlyViewedPlace]:
    """The user's recently viewed active places, newest first."""
    return RecentlyViewedPlace.objects.filter(user=user, place__is_active=True).order_by("-viewed_at", "-id")


def recently_viewed_rows_for_user(*, user: User) -> list[dict]:
    """The user's recently viewed active places as {place_id, viewed_at}, newest first, with the views
    still buffered in Redis (not flushed yet) merged in: each place at its newest time, 50 at most."""
    rows = list(recently_viewed_for_user(user=user).values("place_id", "viewed_at")[:RECENTLY_VIEWED_LIMIT])
    pending = view_buffer.recently_viewed_pending(user_id=user.pk) if settings.PLACE_VIEW_BUFFER else {}
    if not pending:
        return rows
    newest: dict[int, datetime] = {row["place_id"]: row["viewed_at"] for row in rows}
    active = set(Place.objects.filter(pk__in=pending.keys(), is_active=True).values_list("pk", flat=True))
    for place_id, viewed_at in pending.items():
        if place_id in active and (place_id not in newest or viewed_at > newest[place_id]):
            newest[place_id] = viewed_at
    merged = sorted(newest.items(), key=lambda item: item[1], reverse=True)[:RECENTLY_VIEWED_LIMIT]
    return [{"place_id": place_id, "viewed_at": viewed_at} for place_id, viewed_at in merged]


def favorite_categories_for_user(*, user: User) -> QuerySet[Category]:
    ids = FavoriteCategory.objects.filter(user=user).values("category_id")
    return Category.objects.filter(pk__in=ids).order_by("position", "name")
