"""Writes of ratings: one per user and place, the place's summary kept in step in the same transaction."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from analytics.models import InteractionType
from analytics.services import interaction_record
from ratings.models import ALLOWED_STARS, REVIEW_MAX_LENGTH, Rating
from ratings.services_summary import place_rating_summary_refresh
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
    place_rating_summary_refresh(place_id=place.pk)
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
    place_rating_summary_refresh(place_id=place.pk)
    top_places_invalidate_on_commit(city=place.city)
    return rating


@transaction.atomic
def rating_delete(*, rating: Rating) -> None:
    place = _lock_place(rating.place_id)
    rating.delete()
    place_rating_summary_refresh(place_id=place.pk)
    top_places_invalidate_on_commit(city=place.city)
