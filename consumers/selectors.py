"""Reads of a consumer's own lists: favorites, recently viewed, favorite categories."""

from django.db.models import QuerySet

from accounts.models import User
from consumers.models import FavoriteCategory, FavoritePlace, RecentlyViewedPlace
from trucks.models import Category


def favorites_for_user(*, user: User) -> QuerySet[FavoritePlace]:
    """The user's favorites of active places, newest first."""
    return FavoritePlace.objects.filter(user=user, place__is_active=True).order_by("-created_at", "-id")


def recently_viewed_for_user(*, user: User) -> QuerySet[RecentlyViewedPlace]:
    """The user's recently viewed active places, newest first."""
    return RecentlyViewedPlace.objects.filter(user=user, place__is_active=True).order_by("-viewed_at", "-id")


def favorite_categories_for_user(*, user: User) -> QuerySet[Category]:
    ids = FavoriteCategory.objects.filter(user=user).values("category_id")
    return Category.objects.filter(pk__in=ids).order_by("position", "name")
