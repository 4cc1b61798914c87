"""Ratings: a place's reviews, rating it once (again updates), the author changing or deleting theirs."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.models import InteractionType, UserInteraction
from conftest import token_client
from ratings.models import Rating
from tests import factories


def ratings_url(place_id: int) -> str:
    return f"/api/v1/places/{place_id}/ratings/"


def rating_url(rating_id: int) -> str:
    return f"/api/v1/ratings/{rating_id}/"


def test_rate_first_time_201_then_200_updates_and_keeps_the_summary(consumer, consumer_client, place_a):
    factories.RatingFactory(place=place_a, stars=Decimal("3.0"))

    first = consumer_client.post(ratings_url(place_a.pk), {"stars": "4.5", "review": "Crispy."})
    again = consumer_client.post(ratings_url(place_a.pk), {"stars": "5.0", "review": "Even better."})

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert again.json()["stars"] == "5.0" and again.json()["review"] == "Even better."
    assert again.json()["is_mine"] is True
    place_a.refresh_from_db()
    assert (place_a.rating_avg, place_a.rating_count) == (Decimal("4.00"), 2)
    assert UserInteraction.objects.filter(place=place_a, user=consumer, type=InteractionType.RATING).count() == 2


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"stars": "4.3"}, "stars", "Stars go from 1.0 to 5.0 in half steps (1.0, 1.5, … 5.0)."),
        ({"stars": "0.5"}, "stars", "Ensure this value is greater than or equal to 1."),
        ({"stars": "5.5"}, "stars", "Ensure this value is less than or equal to 5."),
        ({"stars": "4.25"}, "stars", "Ensure that there are no more than 2 digits in total."),
        ({"stars": "lots"}, "stars", "A valid number is required."),
        ({}, "stars", "This field is required."),
        ({"stars": "4.0", "review": "x" * 2001}, "review", "Ensure this field has no more than 2000 characters."),
    ],
)
def test_rate_when_invalid_answers_400(consumer_client, place_a, payload, field, message):
    response = consumer_client.post(ratings_url(place_a.pk), payload)

    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}
    assert Rating.objects.count() == 0


def test_rate_anonymous_is_401(api_client, place_a):
    assert api_client.post(ratings_url(place_a.pk), {"stars": "4.0"}).status_code == 401


def test_rate_an_unknown_or_inactive_place_is_404(consumer_client, place_a):
    place_a.is_active = False
    place_a.save(update_fields=["is_active"])

    assert consumer_client.post(ratings_url(place_a.pk), {"stars": "4.0"}).status_code == 404
    assert consumer_client.post(ratings_url(999_999), {"stars": "4.0"}).status_code == 404


def test_ratings_list_shows_visible_reviews_newest_first(api_client, place_a):
    older = factories.RatingFactory(
        place=place_a, review="Old", user=factories.UserFactory(first_name="Bo", last_name="Li")
    )
    newer = factories.RatingFactory(place=place_a, review="New")
    factories.RatingFactory(place=place_a, review="Rude words", is_hidden=True)
    factories.RatingFactory(review="Elsewhere")

    body = api_client.get(ratings_url(place_a.pk)).json()

    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
    assert body["results"][1]["author"] == "Bo L."
    assert body["results"][1]["is_mine"] is False


@pytest.mark.parametrize("size", [2, 8])
def test_ratings_list_query_count_is_constant(api_client, place_a, django_assert_num_queries, size):
    factories.RatingFactory.create_batch(size, place=place_a)

    # place exists, count, page with authors
    with django_assert_num_queries(3):
        response = api_client.get(ratings_url(place_a.pk))

    assert response.json()["count"] == size


def test_ratings_list_of_an_unknown_place_is_404(api_client, db):
    assert api_client.get(ratings_url(999_999)).status_code == 404


def test_rating_patch_by_the_author_updates_the_summary(consumer, consumer_client, place_a):
    rating = factories.RatingFactory(user=consumer, place=place_a, stars=Decimal("2.0"))
    factories.RatingFactory(place=place_a, stars=Decimal("4.0"))

    response = consumer_client.patch(rating_url(rating.pk), {"stars": "3.0"})

    assert response.status_code == 200
    assert response.json()["stars"] == "3.0" and response.json()["review"] == "Great tacos."
    place_a.refresh_from_db()
    assert (place_a.rating_avg, place_a.rating_count) == (Decimal("3.50"), 2)


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"stars": "3.7"}, "stars", "Stars go from 1.0 to 5.0 in half steps (1.0, 1.5, … 5.0)."),
        ({"review": "y" * 2001}, "review", "Ensure this field has no more than 2000 characters."),
    ],
)
def test_rating_patch_when_invalid_answers_400(consumer, consumer_client, place_a, payload, field, message):
    rating = factories.RatingFactory(user=consumer, place=place_a)

    response = consumer_client.patch(rating_url(rating.pk), payload)

    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}


def test_rating_of_another_user_is_404_to_patch_and_delete(consumer_client, owner_b, place_a):
    rating = factories.RatingFactory(user=owner_b, place=place_a, stars=Decimal("1.0"))

    patched = consumer_client.patch(rating_url(rating.pk), {"stars": "5.0"})
    deleted = consumer_client.delete(rating_url(rating.pk))

    assert patched.status_code == deleted.status_code == 404
    rating.refresh_from_db()
    assert rating.stars == Decimal("1.0")


def test_rating_delete_by_the_author_updates_the_summary(consumer, consumer_client, place_a):
    rating = factories.RatingFactory(user=consumer, place=place_a, stars=Decimal("1.0"))
    consumer_client.post(ratings_url(place_a.pk), {"stars": "1.0"})  # brings the summary in step
    token_client(factories.UserFactory()).post(ratings_url(place_a.pk), {"stars": "5.0"})

    response = consumer_client.delete(rating_url(rating.pk))

    assert response.status_code == 204
    place_a.refresh_from_db()
    assert (place_a.rating_avg, place_a.rating_count) == (Decimal("5.00"), 1)


def test_rating_patch_and_delete_anonymous_are_401(api_client, place_a):
    rating = factories.RatingFactory(place=place_a)

    assert api_client.patch(rating_url(rating.pk), {"stars": "5.0"}).status_code == 401
    assert api_client.delete(rating_url(rating.pk)).status_code == 401


def test_hidden_ratings_do_not_count_in_the_summary(consumer_client, place_a):
    factories.RatingFactory(place=place_a, stars=Decimal("1.0"), is_hidden=True)

    consumer_client.post(ratings_url(place_a.pk), {"stars": "4.0"})

    place_a.refresh_from_db()
    assert (place_a.rating_avg, place_a.rating_count) == (Decimal("4.00"), 1)


def test_rate_again_without_review_keeps_the_earlier_text(consumer_client, place_a):
    # given
    consumer_client.post(ratings_url(place_a.pk), {"stars": "4.0", "review": "Crispy."})

    # when
    again = consumer_client.post(ratings_url(place_a.pk), {"stars": "5.0"})

    # then
    assert again.status_code == 200
    assert (again.json()["stars"], again.json()["review"]) == ("5.0", "Crispy.")
    assert Rating.objects.get(place=place_a).review == "Crispy."


def test_rate_again_with_an_empty_review_clears_it(consumer_client, place_a):
    # given
    consumer_client.post(ratings_url(place_a.pk), {"stars": "4.0", "review": "Crispy."})

    # when
    again = consumer_client.post(ratings_url(place_a.pk), {"stars": "4.0", "review": ""}, format="json")

    # then
    assert again.status_code == 200
    assert again.json()["review"] == ""
    assert Rating.objects.get(place=place_a).review == ""


def test_rate_after_a_nearby_detection_shows_a_verified_visit_and_summary(consumer, consumer_client, place_a):
    # given the consumer was detected near the place 13 days ago, another user rated it without a visit
    factories.UserInteractionFactory(
        user=consumer,
        place=place_a,
        type=InteractionType.NEARBY_DETECTION,
        occurred_at=timezone.now() - timedelta(days=13),
    )
    factories.RatingFactory(place=place_a, stars=Decimal("2.0"))

    # when
    rated = consumer_client.post(ratings_url(place_a.pk), {"stars": "4.5"})
    listed = consumer_client.get(ratings_url(place_a.pk))
    detail = consumer_client.get(f"/api/v1/places/{place_a.pk}/")

    # then
    assert rated.json()["verified_visit"] is True
    assert [(r["stars"], r["verified_visit"]) for r in listed.json()["results"]] == [("4.5", True), ("2.0", False)]
    summary = detail.json()["rating_summary"]
    assert (summary["average"], summary["count"]) == ("3.25", 2)
    assert (summary["verified_average"], summary["verified_count"]) == ("4.50", 1)
