"""The reviews inbox: a vendor reads the reviews of its own places only, filters them, answers each with
one public reply (shown in the API) and reports a review to staff."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ratings.models import ReportStatus, ReviewReply, ReviewReport
from ratings.services import rating_hide
from tests import factories


@pytest.fixture
def owner_client(client, owner_a):
    client.force_login(owner_a)
    return client


@pytest.fixture
def reviews(place_a, place_b):
    second_place = factories.PlaceFactory(vendor=place_a.vendor, name="Taco Stand A2", kind="stand")
    return {
        "five": factories.RatingFactory(place=place_a, stars=Decimal("5.0"), review="Best al pastor in town."),
        "two": factories.RatingFactory(place=place_a, stars=Decimal("2.0"), review="Cold tortillas."),
        "stand": factories.RatingFactory(place=second_place, stars=Decimal("4.0"), review="Quick and friendly."),
        "other_vendor": factories.RatingFactory(place=place_b, stars=Decimal("1.0"), review="B's burger was raw."),
        "second_place": second_place,
    }


def _texts(response) -> list[str]:
    return [review.review for review in response.context["page"]]


@pytest.mark.django_db
def test_inbox_lists_only_reviews_of_the_vendors_own_visible_places(owner_client, reviews, staff_user):
    # given a hidden review on A's place too
    hidden = factories.RatingFactory(place=reviews["five"].place, review="Spam spam spam")
    rating_hide(rating=hidden, by=staff_user)

    # when A's owner opens the inbox
    response = owner_client.get(reverse("portal:reviews"))

    # then they see A's three visible reviews, newest first, never B's or the hidden one
    assert response.status_code == 200
    assert sorted(_texts(response)) == ["Best al pastor in town.", "Cold tortillas.", "Quick and friendly."]
    assert b"raw" not in response.content and b"Spam" not in response.content


@pytest.mark.django_db
def test_inbox_filters_by_place_stars_and_unanswered(owner_client, reviews, vendor_a, owner_a):
    membership = vendor_a.memberships.get(user=owner_a)
    ReviewReply.objects.create(rating=reviews["five"], author_membership=membership, author=owner_a, text="Thanks!")
    url = reverse("portal:reviews")

    assert _texts(owner_client.get(url, {"place": reviews["second_place"].pk})) == ["Quick and friendly."]
    assert _texts(owner_client.get(url, {"stars": "2.0"})) == ["Cold tortillas."]
    assert sorted(_texts(owner_client.get(url, {"unanswered": "on"}))) == ["Cold tortillas.", "Quick and friendly."]


@pytest.mark.django_db
def test_inbox_refuses_another_vendors_place_and_bad_stars_with_field_errors(owner_client, reviews, place_b):
    # when A's owner filters by B's place, or by stars that do not exist
    response = owner_client.get(reverse("portal:reviews"), {"place": place_b.pk, "stars": "4.2"})

    # then 400 with a message by each field, and nothing of B's shows
    assert response.status_code == 400
    assert set(response.context["filter_form"].errors) == {"place", "stars"}
    assert b"raw" not in response.content


@pytest.mark.django_db
def test_inbox_is_paginated(owner_client, place_a):
    for n in range(25):
        factories.RatingFactory(place=place_a, review=f"Review {n}")
    first = owner_client.get(reverse("portal:reviews"))
    second = owner_client.get(reverse("portal:reviews"), {"page": 2})
    assert (len(first.context["page"]), len(second.context["page"])) == (20, 5)
    assert first.context["page"].paginator.count == 25


@pytest.mark.django_db
def test_reply_is_created_then_edited_and_shows_in_the_api(owner_client, reviews, owner_a, api_client):
    review = reviews["two"]
    url = reverse("portal:review_reply", kwargs={"pk": review.pk})

    # when the owner replies, then edits the reply
    created = owner_client.post(url, {"text": "Sorry! We fixed the warmer."})
    edited = owner_client.post(url, {"text": "Sorry! We fixed the tortilla warmer."})

    # then one reply, with the latest text and its author
    assert (created.status_code, edited.status_code) == (302, 302)
    reply = ReviewReply.objects.get(rating=review)
    assert (reply.text, reply.author) == ("Sorry! We fixed the tortilla warmer.", owner_a)
    # and the API shows it under the review, in the place detail and in the ratings list
    detail = api_client.get(reverse("api-place-detail", kwargs={"place_id": review.place_id})).json()
    shown = {row["id"]: row["reply"] for row in detail["recent_reviews"]}
    assert shown[review.pk]["text"] == "Sorry! We fixed the tortilla warmer."
    assert shown[review.pk]["vendor"] == "Vendor A"
    assert shown[reviews["five"].pk] is None
    ratings = api_client.get(reverse("api-place-ratings", kwargs={"place_id": review.place_id})).json()
    assert {row["id"]: row["reply"] and row["reply"]["text"] for row in ratings["results"]}[review.pk] == (
        "Sorry! We fixed the tortilla warmer."
    )


@pytest.mark.django_db
def test_reply_delete_removes_it(owner_client, reviews, vendor_a, owner_a):
    review = reviews["two"]
    membership = vendor_a.memberships.get(user=owner_a)
    ReviewReply.objects.create(rating=review, author_membership=membership, author=owner_a, text="Thanks!")
    response = owner_client.post(reverse("portal:review_reply_delete", kwargs={"pk": review.pk}))
    assert response.status_code == 302
    assert not ReviewReply.objects.filter(rating=review).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "message"), [("   ", "This field is required."), ("x" * 1001, "at most 1000")])
def test_empty_or_too_long_reply_is_a_field_error(owner_client, reviews, text, message):
    response = owner_client.post(reverse("portal:review_reply", kwargs={"pk": reviews["two"].pk}), {"text": text})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["text"])
    assert not ReviewReply.objects.exists()


@pytest.mark.django_db
def test_another_vendors_review_is_404_to_reply_and_report(client, owner_b, reviews):
    client.force_login(owner_b)
    review = reviews["five"]
    assert client.post(reverse("portal:review_reply", kwargs={"pk": review.pk}), {"text": "Ha"}).status_code == 404
    assert client.post(reverse("portal:review_report", kwargs={"pk": review.pk}), {"reason": "spam"}).status_code == 404
    assert not ReviewReply.objects.exists() and not ReviewReport.objects.exists()


@pytest.mark.django_db
def test_staff_role_cannot_use_the_inbox(client, staff_a, reviews):
    client.force_login(staff_a)
    assert client.get(reverse("portal:reviews")).status_code == 403
    response = client.post(reverse("portal:review_reply", kwargs={"pk": reviews["two"].pk}), {"text": "Hi"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_report_reaches_staff_once_per_review_and_vendor(owner_client, reviews, vendor_a, owner_a):
    review = reviews["two"]
    url = reverse("portal:review_report", kwargs={"pk": review.pk})

    # when the owner reports the review, then tries again
    first = owner_client.post(url, {"reason": "not_a_visit", "note": "We were closed that day."})
    again = owner_client.post(url, {"reason": "spam"})

    # then one open report, with reason, note and reporter; the second is a clear field error
    assert first.status_code == 302
    assert again.status_code == 400
    assert "already reported" in " ".join(again.context["form"].errors["reason"])
    report = ReviewReport.objects.get()
    assert (report.reason, report.note, report.vendor, report.reported_by, report.status) == (
        "not_a_visit",
        "We were closed that day.",
        vendor_a,
        owner_a,
        ReportStatus.OPEN,
    )
    # and the inbox says it is reported
    inbox = owner_client.get(reverse("portal:reviews"))
    assert b"Reported, staff will look at it" in inbox.content


@pytest.mark.django_db
def test_report_without_a_reason_is_a_field_error(owner_client, reviews):
    response = owner_client.post(reverse("portal:review_report", kwargs={"pk": reviews["two"].pk}), {"reason": ""})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
