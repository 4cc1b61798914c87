"""The place's rating summary follows hiding and unhiding reviews, in the same transaction."""

from decimal import Decimal

import pytest

from ratings.services_summary import place_rating_summary_refresh, rating_hide, rating_unhide
from tests.factories import PlaceFactory, RatingFactory


@pytest.mark.django_db
def test_summary_refresh_when_some_hidden_counts_only_visible_ratings():
    # given
    place = PlaceFactory()
    RatingFactory(place=place, stars=Decimal("4.0"))
    RatingFactory(place=place, stars=Decimal("4.5"))
    RatingFactory(place=place, stars=Decimal("3.5"))
    RatingFactory(place=place, stars=Decimal("1.0"), is_hidden=True)
    RatingFactory(stars=Decimal("1.0"))  # another place

    # when
    refreshed = place_rating_summary_refresh(place_id=place.pk)

    # then
    place.refresh_from_db()
    assert (place.rating_avg, place.rating_count) == (Decimal("4.00"), 3)
    assert (refreshed.rating_avg, refreshed.rating_count) == (Decimal("4.00"), 3)


@pytest.mark.django_db
def test_summary_refresh_when_average_has_many_decimals_rounds_half_up():
    # given 4.5 + 4.0 + 4.0 = 12.5 / 3 = 4.1666…
    place = PlaceFactory()
    for stars in ("4.5", "4.0", "4.0"):
        RatingFactory(place=place, stars=Decimal(stars))

    # when
    place_rating_summary_refresh(place_id=place.pk)

    # then
    place.refresh_from_db()
    assert (place.rating_avg, place.rating_count) == (Decimal("4.17"), 3)


@pytest.mark.django_db
def test_summary_refresh_when_no_visible_rating_is_zero():
    # given
    place = PlaceFactory(rating_avg=Decimal("3.00"), rating_count=2)
    RatingFactory(place=place, stars=Decimal("3.0"), is_hidden=True)

    # when
    place_rating_summary_refresh(place_id=place.pk)

    # then
    place.refresh_from_db()
    assert (place.rating_avg, place.rating_count) == (Decimal("0.00"), 0)


@pytest.mark.django_db
def test_rating_hide_then_unhide_keeps_summary_in_step(staff_user):
    # given
    place = PlaceFactory()
    RatingFactory(place=place, stars=Decimal("5.0"))
    spam = RatingFactory(place=place, stars=Decimal("1.0"), review="Buy cheap watches")
    place_rating_summary_refresh(place_id=place.pk)

    # when hidden
    hidden = rating_hide(rating=spam, by=staff_user, reason="Spam")

    # then
    place.refresh_from_db()
    assert (hidden.is_hidden, hidden.hidden_by, hidden.hidden_reason) == (True, staff_user, "Spam")
    assert hidden.hidden_at is not None
    assert (place.rating_avg, place.rating_count) == (Decimal("5.00"), 1)

    # when shown again
    shown = rating_unhide(rating=spam)

    # then
    place.refresh_from_db()
    assert (shown.is_hidden, shown.hidden_by, shown.hidden_reason, shown.hidden_at) == (False, None, "", None)
    assert (place.rating_avg, place.rating_count) == (Decimal("3.00"), 2)


@pytest.mark.django_db
def test_rating_hide_when_already_hidden_keeps_the_first_decision(staff_user, consumer):
    # given
    rating = RatingFactory(stars=Decimal("2.0"))
    first = rating_hide(rating=rating, by=staff_user, reason="Abusive")

    # when
    again = rating_hide(rating=rating, by=consumer, reason="Other")

    # then
    assert (again.hidden_by, again.hidden_reason, again.hidden_at) == (staff_user, "Abusive", first.hidden_at)
