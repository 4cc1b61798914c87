"""Moderation in the admin: hide / unhide reviews keeps the place's summary in step."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ratings.models import Rating
from ratings.services_summary import place_rating_summary_refresh
from tests.factories import PlaceFactory, RatingFactory


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def rated_place():
    place = PlaceFactory()
    RatingFactory(place=place, stars=Decimal("5.0"))
    RatingFactory(place=place, stars=Decimal("4.0"))
    RatingFactory(place=place, stars=Decimal("1.0"), review="Terrible, go to my cousin's truck instead")
    place_rating_summary_refresh(place_id=place.pk)
    return place


def _act(client, action, ids, **extra):
    return client.post(reverse("admin:ratings_rating_changelist"), {"action": action, "_selected_action": ids, **extra})


@pytest.mark.django_db
def test_hide_action_when_staff_hides_and_updates_summary(staff_client, staff_user, rated_place):
    # given
    spam = Rating.objects.get(place=rated_place, stars=Decimal("1.0"))

    # when
    response = _act(staff_client, "hide", [spam.pk], reason="Self-promotion")

    # then
    assert response.status_code == 302
    spam.refresh_from_db()
    rated_place.refresh_from_db()
    assert (spam.is_hidden, spam.hidden_by, spam.hidden_reason) == (True, staff_user, "Self-promotion")
    assert (rated_place.rating_avg, rated_place.rating_count) == (Decimal("4.50"), 2)


@pytest.mark.django_db
def test_unhide_action_when_staff_shows_again_and_updates_summary(staff_client, staff_user, rated_place):
    # given
    spam = Rating.objects.get(place=rated_place, stars=Decimal("1.0"))
    _act(staff_client, "hide", [spam.pk], reason="Self-promotion")

    # when
    response = _act(staff_client, "unhide", [spam.pk])

    # then
    assert response.status_code == 302
    spam.refresh_from_db()
    rated_place.refresh_from_db()
    assert (spam.is_hidden, spam.hidden_by, spam.hidden_reason, spam.hidden_at) == (False, None, "", None)
    assert (rated_place.rating_avg, rated_place.rating_count) == (Decimal("3.33"), 3)


@pytest.mark.django_db
def test_delete_action_when_staff_deletes_a_rating_updates_summary(staff_client, rated_place):
    # given
    five = Rating.objects.get(place=rated_place, stars=Decimal("5.0"))

    # when
    response = _act(staff_client, "delete_selected", [five.pk], post="yes")

    # then
    assert response.status_code == 302
    rated_place.refresh_from_db()
    assert not Rating.objects.filter(pk=five.pk).exists()
    assert (rated_place.rating_avg, rated_place.rating_count) == (Decimal("2.50"), 2)


@pytest.mark.django_db
def test_change_page_when_staff_edits_stars_updates_summary(staff_client, rated_place):
    # given
    four = Rating.objects.get(place=rated_place, stars=Decimal("4.0"))
    url = reverse("admin:ratings_rating_change", args=[four.pk])

    # when
    response = staff_client.post(
        url, {"place": rated_place.pk, "user": four.user_id, "stars": "2.0", "review": four.review}
    )

    # then
    assert response.status_code == 302
    rated_place.refresh_from_db()
    assert (rated_place.rating_avg, rated_place.rating_count) == (Decimal("2.67"), 3)
