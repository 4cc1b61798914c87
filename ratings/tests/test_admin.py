"""The rating admin: moderation, edits and deletes keep the place's summary and the city's top list in step."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from ratings.models import Rating
from ratings.services import place_rating_summary_refresh
from tests.factories import PlaceFactory, RatingFactory
from trucks.top_places import _cache_key, top_place_ids


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


def summary_of_the_table(place) -> tuple[Decimal, int]:
    """The place's average and count computed in Python from its visible rating rows."""
    stars = [r.stars for r in Rating.objects.filter(place=place, is_hidden=False)]
    average = (sum(stars) / len(stars)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if stars else Decimal("0")
    return average, len(stars)


@pytest.mark.django_db
def test_change_page_when_staff_edit_stars_resets_the_city_top_list(staff_client, django_capture_on_commit_callbacks):
    # given two ranked places of Austin, the ranking cached
    first, second = PlaceFactory(city="Austin"), PlaceFactory(city="Austin")
    for place, stars in ((first, "4.0"), (first, "4.0"), (first, "4.0"), (second, "4.5"), (second, "4.5")):
        RatingFactory(place=place, stars=Decimal(stars))
    typo = RatingFactory(place=second, stars=Decimal("1.0"), review="Five stars, best brisket in town")
    for place in (first, second):
        place_rating_summary_refresh(place_id=place.pk)
    assert top_place_ids(city="Austin") == [first.pk, second.pk]

    # when staff correct the one-star typo to five stars
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:ratings_rating_change", args=[typo.pk]),
            {"place": second.pk, "user": typo.user_id, "stars": "5.0", "review": typo.review},
        )

    # then the summary is the table's, and the city's ranking is recomputed: (4.5 + 4.5 + 5) / 3 = 4.67
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.rating_avg, second.rating_count) == (Decimal("4.67"), 3) == summary_of_the_table(second)
    assert top_place_ids(city="austin") == [second.pk, first.pk]


@pytest.mark.django_db
def test_delete_action_when_staff_delete_across_cities_resets_each_city(
    staff_client, django_capture_on_commit_callbacks
):
    # given
    austin = [PlaceFactory(city="Austin"), PlaceFactory(city="Austin")]
    dallas = PlaceFactory(city="Dallas")
    for place in (*austin, dallas):
        RatingFactory.create_batch(3, place=place, stars=Decimal("4.0"))
    fake = RatingFactory(place=austin[1], stars=Decimal("5.0"))
    also_fake = RatingFactory(place=dallas, stars=Decimal("5.0"))
    for place in (*austin, dallas):
        place_rating_summary_refresh(place_id=place.pk)
    assert top_place_ids(city="Austin") == [austin[1].pk, austin[0].pk]
    assert top_place_ids(city="Dallas") == [dallas.pk]

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(staff_client, "delete_selected", [fake.pk, also_fake.pk], post="yes")

    # then
    assert response.status_code == 302
    for place in (*austin, dallas):
        place.refresh_from_db()
        assert (place.rating_avg, place.rating_count) == (Decimal("4.00"), 3) == summary_of_the_table(place)
    assert cache.get(_cache_key("Dallas")) is None
    assert top_place_ids(city="Austin") == [austin[0].pk, austin[1].pk]


@pytest.mark.django_db
def test_delete_page_when_staff_delete_a_rating_resets_the_city_top_list(
    staff_client, django_capture_on_commit_callbacks
):
    # given
    place = PlaceFactory(city="Austin")
    RatingFactory.create_batch(3, place=place, stars=Decimal("3.0"))
    extra = RatingFactory(place=place, stars=Decimal("5.0"))
    place_rating_summary_refresh(place_id=place.pk)
    assert top_place_ids(city="Austin") == [place.pk]

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:ratings_rating_delete", args=[extra.pk]), {"post": "yes"})

    # then
    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.rating_avg, place.rating_count) == (Decimal("3.00"), 3) == summary_of_the_table(place)
    assert cache.get(_cache_key("Austin")) is None
