"""Verified visits: a rating from a user detected near the place in the 14 days before is marked so,
and the place's summary keeps both averages (all visible ratings, verified visits only)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.models import InteractionType
from ratings.models import Rating
from ratings.services import (
    place_rating_summary_refresh,
    rating_submit,
    rating_update,
    rating_verified_visits_refresh_all,
)
from tests.factories import PlaceFactory, RatingFactory, UserFactory, UserInteractionFactory


def detected(*, user, place, days_ago: float) -> None:
    UserInteractionFactory(
        user=user,
        place=place,
        type=InteractionType.NEARBY_DETECTION,
        occurred_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.mark.django_db
def test_rating_when_detected_13_days_before_is_a_verified_visit():
    # given
    user, place = UserFactory(), PlaceFactory()
    detected(user=user, place=place, days_ago=13)

    # when
    rating, _ = rating_submit(user=user, place_id=place.pk, stars=Decimal("4.0"))

    # then
    rating.refresh_from_db()
    assert rating.verified_visit is True


@pytest.mark.django_db
def test_rating_when_detected_15_days_before_is_not_verified():
    # given
    user, place = UserFactory(), PlaceFactory()
    detected(user=user, place=place, days_ago=15)

    # when
    rating, _ = rating_submit(user=user, place_id=place.pk, stars=Decimal("4.0"))

    # then
    rating.refresh_from_db()
    assert rating.verified_visit is False


@pytest.mark.django_db
def test_rating_when_detected_near_another_place_is_not_verified():
    # given
    user, place = UserFactory(), PlaceFactory()
    detected(user=user, place=PlaceFactory(), days_ago=1)

    # when
    rating, _ = rating_submit(user=user, place_id=place.pk, stars=Decimal("4.0"))

    # then
    rating.refresh_from_db()
    assert rating.verified_visit is False


@pytest.mark.django_db
def test_rating_when_another_user_was_detected_is_not_verified():
    # given
    user, place = UserFactory(), PlaceFactory()
    detected(user=UserFactory(), place=place, days_ago=1)

    # when
    rating, _ = rating_submit(user=user, place_id=place.pk, stars=Decimal("4.0"))

    # then
    rating.refresh_from_db()
    assert rating.verified_visit is False


@pytest.mark.django_db
def test_rating_when_only_other_events_were_recorded_is_not_verified():
    # given a view and a click of the place, but no detection near it
    user, place = UserFactory(), PlaceFactory()
    UserInteractionFactory(user=user, place=place, type=InteractionType.VIEW)
    UserInteractionFactory(user=user, place=place, type=InteractionType.CLICK)

    # when
    rating, _ = rating_submit(user=user, place_id=place.pk, stars=Decimal("4.0"))

    # then
    rating.refresh_from_db()
    assert rating.verified_visit is False


@pytest.mark.django_db
def test_rating_update_after_a_new_detection_becomes_verified():
    # given an unverified rating, then the user is detected near the place
    user, place = UserFactory(), PlaceFactory()
    rating, _ = rating_submit(user=user, place_id=place.pk, stars=Decimal("3.0"))
    detected(user=user, place=place, days_ago=0.5)

    # when
    rating_update(rating=rating, stars=Decimal("4.0"))

    # then
    rating.refresh_from_db()
    place.refresh_from_db()
    assert rating.verified_visit is True
    assert (place.rating_verified_avg, place.rating_verified_count) == (Decimal("4.00"), 1)


@pytest.mark.django_db
def test_summary_gives_averages_and_counts_of_all_and_of_verified_visits():
    # given 2 verified (5.0, 4.5), 2 not (3.0, 2.0), a hidden verified one (1.0) and another place's
    place = PlaceFactory()
    RatingFactory(place=place, stars=Decimal("5.0"), verified_visit=True)
    RatingFactory(place=place, stars=Decimal("4.5"), verified_visit=True)
    RatingFactory(place=place, stars=Decimal("3.0"))
    RatingFactory(place=place, stars=Decimal("2.0"))
    RatingFactory(place=place, stars=Decimal("1.0"), verified_visit=True, is_hidden=True)
    RatingFactory(stars=Decimal("1.0"), verified_visit=True)

    # when
    place_rating_summary_refresh(place_id=place.pk)

    # then (14.5 / 4 = 3.625 rounds half up; 9.5 / 2)
    place.refresh_from_db()
    assert (place.rating_avg, place.rating_count) == (Decimal("3.63"), 4)
    assert (place.rating_verified_avg, place.rating_verified_count) == (Decimal("4.75"), 2)


@pytest.mark.django_db
def test_summary_without_verified_visits_is_zero():
    # given
    place = PlaceFactory()
    RatingFactory(place=place, stars=Decimal("4.0"))

    # when
    place_rating_summary_refresh(place_id=place.pk)

    # then
    place.refresh_from_db()
    assert (place.rating_verified_avg, place.rating_verified_count) == (Decimal("0.00"), 0)


@pytest.mark.django_db
def test_refresh_all_marks_bulk_loaded_ratings_by_the_same_rule():
    # given ratings written without the services (as the demo's COPY does), one after a detection
    visitor, stranger, place = UserFactory(), UserFactory(), PlaceFactory()
    detected(user=visitor, place=place, days_ago=3)
    detected(user=stranger, place=place, days_ago=20)
    RatingFactory(user=visitor, place=place)
    RatingFactory(user=stranger, place=place)

    # when
    updated = rating_verified_visits_refresh_all()

    # then
    assert updated == 2
    assert dict(Rating.objects.values_list("user_id", "verified_visit")) == {visitor.pk: True, stranger.pk: False}
