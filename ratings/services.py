"""Writes of ratings: one per user and place, the place's summary kept in step in the same transaction."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from analytics.models import InteractionType
from analytics.services import interaction_record
from ratings.models import ALLOWED_STARS, REVIEW_MAX_LENGTH, Rating
from trucks.models import Place
from trucks.top_places import top_places_invalidate_on_commit


def _validate(*, stars: Decimal | None, review: str | None) -> None:
    errors = {}
    if stars is not None and Decimal(stars) not in ALLOWED_STARS:
        errors["stars"] = "Stars go from 1.0 to 5.0 in half steps (1.0, 1.5, … 5.0)."
    if review is not None and len(review) > REVIEW_MAX_LENGTH:
        errors["review"] = f"A review is at most {REVIEW_MAX_LENGTH} characters (it has {len(review)})."
    if errors:
        raise ValidationError(errors)


def _lock_place(place_id: int) -> Place:
    try:
        return Place.objects.select_for_update().only("id", "city").get(pk=place_id)
    except Place.DoesNotExist as exc:
        raise Http404("No such place.") from exc


def _refresh_place_summary(place_id: int) -> None:
    """Recompute the place's rating_avg/rating_count from its visible ratings (one aggregate).

    The caller holds the place's row lock, so concurrent ratings of one place recompute one after
    the other and the last one sees every committed rating.
    """
    Place.objects.select_for_update().filter(pk=place_id).values_list("id", flat=True).get()
    summary = Rating.objects.filter(place_id=place_id, is_hidden=False).aggregate(avg=Avg("stars"), count=Count("id"))
    avg = (summary["avg"] or Decimal(0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    Place.objects.filter(pk=place_id).update(rating_avg=avg, rating_count=summary["count"])


@transaction.atomic
def rating_submit(*, user: User, place_id: int, stars: Decimal, review: str = "") -> tuple[Rating, bool]:
    """Rate a place: the first time creates the rating, again updates it. Returns (rating, created)."""
    _validate(stars=stars, review=review)
    place = _lock_place(place_id)
    now = timezone.now()
    rating = Rating.objects.filter(user=user, place_id=place.pk).first()
    created = rating is None
    if created:
        rating = Rating(user=user, place_id=place.pk, stars=stars, review=review, created_at=now, updated_at=now)
        rating.full_clean()
        rating.save()
    else:
        rating.stars, rating.review, rating.updated_at = Decimal(stars), review, now
        rating.full_clean()
        rating.save(update_fields=["stars", "review", "updated_at"])
    _refresh_place_summary(place.pk)
    interaction_record(place_id=place.pk, type=InteractionType.RATING, user_id=user.pk)
    top_places_invalidate_on_commit(city=place.city)
    return rating, created


@transaction.atomic
def rating_update(*, rating: Rating, stars: Decimal | None = None, review: str | None = None) -> Rating:
    """The author changes their stars and/or review."""
    _validate(stars=stars, review=review)
    place = _lock_place(rating.place_id)
    update_fields = ["updated_at"]
    if stars is not None:
        rating.stars = Decimal(stars)
        update_fields.append("stars")
    if review is not None:
        rating.review = review
        update_fields.append("review")
    rating.updated_at = timezone.now()
    rating.full_clean()
    rating.save(update_fields=update_fields)
    _refresh_place_summary(place.pk)
    top_places_invalidate_on_commit(city=place.city)
    return rating


@transaction.atomic
def rating_delete(*, rating: Rating) -> None:
    place = _lock_place(rating.place_id)
    rating.delete()
    _refresh_place_summary(place.pk)
    top_places_invalidate_on_commit(city=place.city)
