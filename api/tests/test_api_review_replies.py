"""The vendor's reply under each review: in the place's ratings list and the place detail's newest reviews."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ratings.models import ReviewReply
from ratings.services import rating_hide
from tests import factories


def _reply(rating, text):
    return ReviewReply.objects.create(rating=rating, text=text)


@pytest.mark.django_db
def test_ratings_list_shows_replies_in_constant_queries(api_client, place_a, django_assert_max_num_queries):
    for n in range(3):
        _reply(factories.RatingFactory(place=place_a, stars=Decimal("4.0"), review=f"Tacos {n}"), f"Thanks {n}!")
    factories.RatingFactory(place=place_a, review="No reply yet")
    url = reverse("api-place-ratings", kwargs={"place_id": place_a.pk})

    with django_assert_max_num_queries(4):  # the place, the count, the page (authors, replies, vendor joined)
        answer = api_client.get(url).json()

    replies = {row["review"]: row["reply"] for row in answer["results"]}
    assert replies["No reply yet"] is None
    assert sorted(reply["text"] for reply in replies.values() if reply) == ["Thanks 0!", "Thanks 1!", "Thanks 2!"]
    assert {reply["vendor"] for reply in replies.values() if reply} == {"Vendor A"}


@pytest.mark.django_db
def test_place_detail_shows_the_five_newest_visible_reviews_with_replies(api_client, place_a, staff_user):
    ratings = [factories.RatingFactory(place=place_a, review=f"Review {n}") for n in range(7)]
    _reply(ratings[-1], "Glad you liked it.")
    rating_hide(rating=ratings[-2], by=staff_user)

    detail = api_client.get(reverse("api-place-detail", kwargs={"place_id": place_a.pk})).json()

    shown = [(row["review"], row["reply"] and row["reply"]["text"]) for row in detail["recent_reviews"]]
    assert shown == [
        ("Review 6", "Glad you liked it."),
        ("Review 4", None),
        ("Review 3", None),
        ("Review 2", None),
        ("Review 1", None),
    ]
