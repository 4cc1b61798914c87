"""A place's rating summary (average and count of visible ratings), and hiding reviews.

Every write that changes which ratings are visible, or their stars, calls
`place_rating_summary_refresh` in the same transaction, so the summary never drifts.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from ratings.models import Rating
from trucks.models import Place
from trucks.top_places import top_places_invalidate_on_commit


@transaction.atomic
def place_rating_summary_refresh(*, place_id: int) -> Place:
    """Lock the place row, recompute avg/count of its visible ratings with one aggregate, save both."""
    place = Place.objects.select_for_update().only("id", "rating_avg", "rating_count").get(pk=place_id)
    summary = Rating.objects.filter(place_id=place_id).aggregate(
        avg=Avg("stars", filter=Q(is_hidden=False)), count=Count("id", filter=Q(is_hidden=False))
    )
    avg = summary["avg"] or Decimal("0")
    place.rating_avg = Decimal(avg).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    place.rating_count = summary["count"]
    # updated_at is auto_now: list it so the row's modification time moves with the summary.
    place.save(update_fields=["rating_avg", "rating_count", "updated_at"])
    return place


def _lock_place_then_rating(rating: Rating) -> tuple[Place, Rating]:
    """The same lock order as rating_submit (place row first), so moderation never deadlocks it."""
    place = Place.objects.select_for_update().only("id", "city").get(pk=rating.place_id)
    return place, Rating.objects.select_for_update().get(pk=rating.pk)


@transaction.atomic
def rating_hide(*, rating: Rating, by, reason: str = "") -> Rating:
    """Hide a review from consumers (moderation); the place's summary no longer counts it."""
    place, rating = _lock_place_then_rating(rating)
    if not rating.is_hidden:
        rating.is_hidden = True
        rating.hidden_reason = reason[:255]
        rating.hidden_by = by
        rating.hidden_at = timezone.now()
        rating.full_clean()
        rating.save(update_fields=["is_hidden", "hidden_reason", "hidden_by", "hidden_at"])
        place_rating_summary_refresh(place_id=place.pk)
        top_places_invalidate_on_commit(city=place.city)
    return rating


@transaction.atomic
def rating_unhide(*, rating: Rating) -> Rating:
    """Show a hidden review again; the place's summary counts it again."""
    place, rating = _lock_place_then_rating(rating)
    if rating.is_hidden:
        rating.is_hidden = False
        rating.hidden_reason = ""
        rating.hidden_by = None
        rating.hidden_at = None
        rating.full_clean()
        rating.save(update_fields=["is_hidden", "hidden_reason", "hidden_by", "hidden_at"])
        place_rating_summary_refresh(place_id=place.pk)
        top_places_invalidate_on_commit(city=place.city)
    return rating
