"""Rating writes keep the place's summary in step (hiding, unhiding, staff edits and deletes), and only
active places can be rated."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404

from analytics.models import UserInteraction
from ratings.models import Rating
from ratings.services import (
    place_rating_summary_refresh,
    rating_delete_many,
    rating_hide,
    rating_staff_save,
    rating_submit,
    rating_unhide,
)
from tests.factories import PlaceFactory, RatingFactory
from trucks.top_places import _cache_key, top_place_ids


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


@pytest.mark.django_db
def test_rating_submit_when_the_place_is_inactive_or_unknown_is_404_and_writes_nothing(consumer):
    # given
    closed_for_good = PlaceFactory(is_active=False)

    # when
    with pytest.raises(Http404) as inactive:
        rating_submit(user=consumer, place_id=closed_for_good.pk, stars=Decimal("4.0"))
    with pytest.raises(Http404) as unknown:
        rating_submit(user=consumer, place_id=closed_for_good.pk + 1000, stars=Decimal("4.0"))

    # then
    assert str(inactive.value) == str(unknown.value) == "No such place."
    assert Rating.objects.count() == 0
    assert UserInteraction.objects.count() == 0


@pytest.mark.django_db
def test_rating_staff_save_when_moved_to_another_place_refreshes_both(django_capture_on_commit_callbacks):
    # given a review posted on the wrong one of a vendor's two trucks, in two cities
    wrong = PlaceFactory(city="Austin")
    right = PlaceFactory(city="Dallas")
    RatingFactory(place=wrong, stars=Decimal("5.0"))
    misplaced = RatingFactory(place=wrong, stars=Decimal("1.0"), review="Cold fries at the Dallas stop")
    RatingFactory(place=right, stars=Decimal("4.0"))
    place_rating_summary_refresh(place_id=wrong.pk)
    place_rating_summary_refresh(place_id=right.pk)
    top_place_ids(city="Austin")
    top_place_ids(city="Dallas")
    posted_at = misplaced.updated_at

    # when
    misplaced.place = right
    with django_capture_on_commit_callbacks(execute=True):
        saved = rating_staff_save(rating=misplaced)

    # then both summaries follow, both cities' rankings are reset, the author's time is kept
    wrong.refresh_from_db()
    right.refresh_from_db()
    assert Rating.objects.get(pk=misplaced.pk).place_id == right.pk
    assert (wrong.rating_avg, wrong.rating_count) == (Decimal("5.00"), 1)
    assert (right.rating_avg, right.rating_count) == (Decimal("2.50"), 2)
    assert Rating.objects.get(pk=saved.pk).updated_at == posted_at
    assert cache.get(_cache_key("Austin")) is None and cache.get(_cache_key("Dallas")) is None
    assert UserInteraction.objects.count() == 0


@pytest.mark.django_db
def test_rating_staff_save_when_new_counts_it_in_the_summary(consumer):
    # given
    place = PlaceFactory()
    RatingFactory(place=place, stars=Decimal("2.0"))
    place_rating_summary_refresh(place_id=place.pk)

    # when
    rating = rating_staff_save(rating=Rating(user=consumer, place=place, stars=Decimal("3.0"), review="By phone"))

    # then
    place.refresh_from_db()
    assert Rating.objects.get(pk=rating.pk).review == "By phone"
    assert (place.rating_avg, place.rating_count) == (Decimal("2.50"), 2)


@pytest.mark.django_db
def test_rating_staff_save_when_stars_are_not_a_half_step_is_refused():
    # given
    rating = RatingFactory(stars=Decimal("4.0"))

    # when
    rating.stars = Decimal("4.2")
    with pytest.raises(ValidationError) as refused:
        rating_staff_save(rating=rating)

    # then
    assert refused.value.message_dict == {"stars": ["Stars go from 1.0 to 5.0 in half steps (1.0, 1.5, … 5.0)."]}
    assert Rating.objects.get(pk=rating.pk).stars == Decimal("4.0")


@pytest.mark.django_db
def test_rating_delete_many_refreshes_every_place_it_touched(django_capture_on_commit_callbacks):
    # given
    austin = PlaceFactory(city="Austin")
    dallas = PlaceFactory(city="Dallas")
    kept = RatingFactory(place=austin, stars=Decimal("4.5"))
    spam = [
        RatingFactory(place=austin, stars=Decimal("1.0")),
        RatingFactory(place=dallas, stars=Decimal("1.0")),
    ]
    for place in (austin, dallas):
        place_rating_summary_refresh(place_id=place.pk)
    top_place_ids(city="Dallas")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        deleted = rating_delete_many(rating_ids=[rating.pk for rating in spam])

    # then
    austin.refresh_from_db()
    dallas.refresh_from_db()
    assert deleted == 2
    assert list(Rating.objects.values_list("pk", flat=True)) == [kept.pk]
    assert (austin.rating_avg, austin.rating_count) == (Decimal("4.50"), 1)
    assert (dallas.rating_avg, dallas.rating_count) == (Decimal("0.00"), 0)
    assert cache.get(_cache_key("Dallas")) is None
