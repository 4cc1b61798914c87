"""Writes of a consumer's own lists: favorites, recently viewed, favorite categories."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from accounts.models import User
from analytics.models import InteractionType
from analytics.services import interaction_record
from consumers.models import RECENTLY_VIEWED_LIMIT, FavoriteCategory, FavoritePlace, RecentlyViewedPlace
from trucks.models import Category, Place


def _active_place(place_id: int) -> Place:
    place = Place.objects.filter(pk=place_id, is_active=True).first()
    if place is None:
        raise ValidationError({"place": "No such place."})
    return place


@transaction.atomic
def favorite_add(*, user: User, place_id: int) -> tuple[FavoritePlace, bool]:
    """Mark a place as a favorite; adding it again is not an error. Returns (favorite, created)."""
    place = _active_place(place_id)
    favorite, created = FavoritePlace.objects.get_or_create(user=user, place=place)
    return favorite, created


@transaction.atomic
def favorite_remove(*, user: User, place_id: int) -> bool:
    """Returns whether there was such a favorite."""
    deleted, _ = FavoritePlace.objects.filter(user=user, place_id=place_id).delete()
    return deleted > 0


@transaction.atomic
def recently_viewed_touch(*, user: User, place_id: int) -> None:
    """One row per user and place with the latest view time; only the newest 50 are kept."""
    RecentlyViewedPlace.objects.bulk_create(
        [RecentlyViewedPlace(user=user, place_id=place_id, viewed_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "place"],
        update_fields=["viewed_at"],
    )
    newest = RecentlyViewedPlace.objects.filter(user=user).order_by("-viewed_at", "-id")[:RECENTLY_VIEWED_LIMIT]
    RecentlyViewedPlace.objects.filter(user=user).exclude(pk__in=Subquery(newest.values("pk"))).delete()


@transaction.atomic
def favorite_categories_set(*, user: User, slugs: list[str]) -> list[Category]:
    """Replace the user's favorite categories by those slugs (unknown slugs are an error)."""
    slugs = list(dict.fromkeys(slugs))
    categories = list(Category.objects.filter(slug__in=slugs))
    unknown = sorted(set(slugs) - {category.slug for category in categories})
    if unknown:
        raise ValidationError({"categories": f"Unknown categories: {', '.join(unknown)}."})
    FavoriteCategory.objects.filter(user=user).exclude(category__in=categories).delete()
    FavoriteCategory.objects.bulk_create(
        [FavoriteCategory(user=user, category=category) for category in categories], ignore_conflicts=True
    )
    return sorted(categories, key=lambda category: (category.position, category.name))


@transaction.atomic
def place_view_record(*, user: User, place_id: int) -> None:
    """A signed-in consumer opened a place: a VIEW event and their recently-viewed list moves."""
    interaction_record(place_id=place_id, type=InteractionType.VIEW, user_id=user.pk)
    recently_viewed_touch(user=user, place_id=place_id)
