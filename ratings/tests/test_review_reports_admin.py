"""The moderation queue: a vendor's report reaches the admin; hiding goes through the ratings service
(summary and top places right) and resolves every open report of the review."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from ratings.models import ReportStatus, ReviewReport
from ratings.services import place_rating_summary_refresh, review_report
from tests.factories import RatingFactory
from trucks.top_places import _cache_key, top_place_ids


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def reported(place_a, vendor_a, owner_a):
    RatingFactory(place=place_a, stars=Decimal("5.0"))
    spam = RatingFactory(place=place_a, stars=Decimal("1.0"), review="Visit my cousin's truck instead!")
    place_rating_summary_refresh(place_id=place_a.pk)
    membership = vendor_a.memberships.get(user=owner_a)
    report = review_report(rating=spam, membership=membership, reason="spam", note="Advertises a competitor.")
    return report


def _act(client, action, ids, **extra):
    url = reverse("admin:ratings_reviewreport_changelist")
    return client.post(url, {"action": action, "_selected_action": ids, **extra})


@pytest.mark.django_db
def test_a_report_is_listed_in_the_admin_queue_with_its_review(staff_client, reported):
    response = staff_client.get(reverse("admin:ratings_reviewreport_changelist"), {"status__exact": "open"})
    assert response.status_code == 200
    assert b"Visit my cousin" in response.content and b"Vendor A" in response.content
    detail = staff_client.get(reverse("admin:ratings_reviewreport_change", args=[reported.pk]))
    assert detail.status_code == 200 and b"Advertises a competitor." in detail.content


@pytest.mark.django_db
def test_hide_action_hides_the_review_refreshes_the_summary_and_resolves_reports(
    staff_client, staff_user, reported, place_a, django_capture_on_commit_callbacks
):
    # given the city's top list is cached
    top_place_ids(city=place_a.city)
    assert cache.get(_cache_key(place_a.city)) is not None

    # when staff hide the reported review
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(staff_client, "hide_reviews", [reported.pk], reason="Advertising")

    # then the review is hidden with the reason, the place's average forgets it, the top list is reset
    assert response.status_code == 302
    rating = reported.rating
    rating.refresh_from_db()
    place_a.refresh_from_db()
    assert (rating.is_hidden, rating.hidden_reason, rating.hidden_by) == (True, "Advertising", staff_user)
    assert (place_a.rating_avg, place_a.rating_count) == (Decimal("5.00"), 1)
    assert cache.get(_cache_key(place_a.city)) is None
    # and the report is resolved by that staff member
    reported.refresh_from_db()
    assert (reported.status, reported.resolved_by) == (ReportStatus.RESOLVED, staff_user)
    assert reported.resolved_at is not None


@pytest.mark.django_db
def test_dismiss_closes_the_report_and_keeps_the_review(staff_client, staff_user, reported):
    _act(staff_client, "dismiss", [reported.pk])
    reported.refresh_from_db()
    reported.rating.refresh_from_db()
    assert (reported.status, reported.rating.is_hidden) == (ReportStatus.DISMISSED, False)


@pytest.mark.django_db
def test_after_a_resolved_report_the_vendor_may_report_again(reported, staff_user, vendor_a, owner_a):
    ReviewReport.objects.filter(pk=reported.pk).update(status=ReportStatus.DISMISSED)
    membership = vendor_a.memberships.get(user=owner_a)
    review_report(rating=reported.rating, membership=membership, reason="offensive")
    assert ReviewReport.objects.filter(rating=reported.rating).count() == 2
