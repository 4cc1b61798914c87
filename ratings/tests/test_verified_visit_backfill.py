"""ratings 0002 marks the ratings made before it: verified visits and the places' verified summary."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ratings.models import Rating
from tests.migrations import migrate_to, migrate_to_latest
from trucks.models import Place

BEFORE_VERIFIED_VISITS = [
    ("ratings", "0001_initial"),
    ("trucks", "0003_coordinates_both_or_neither"),
    ("analytics", "0005_coordinates_both_or_neither"),
]


@pytest.mark.django_db(transaction=True)
def test_migration_marks_earlier_ratings_after_a_detection_within_14_days_as_verified():
    # given ratings made before the migration: one 10 days after a detection, one 20 days after
    old = migrate_to(BEFORE_VERIFIED_VISITS, state_at=BEFORE_VERIFIED_VISITS)
    users = old.get_model("accounts", "User").objects
    visitor, stranger = users.create(email="visitor@example.com"), users.create(email="stranger@example.com")
    vendor = old.get_model("vendors", "Vendor").objects.create(business_name="Kept Tacos")
    place = old.get_model("trucks", "Place").objects.create(vendor=vendor, name="Kept", time_zone="America/Chicago")
    now = timezone.now()
    events = old.get_model("analytics", "UserInteraction").objects
    events.create(user=visitor, place=place, type="NEARBY_DETECTION", occurred_at=now - timedelta(days=10))
    events.create(user=stranger, place=place, type="NEARBY_DETECTION", occurred_at=now - timedelta(days=20))
    ratings = old.get_model("ratings", "Rating").objects
    ratings.create(user=visitor, place=place, stars=Decimal("5.0"), created_at=now, updated_at=now)
    ratings.create(user=stranger, place=place, stars=Decimal("3.0"), created_at=now, updated_at=now)

    # when the database migrates to today's models
    migrate_to_latest()

    # then
    assert dict(Rating.objects.values_list("user__email", "verified_visit")) == {
        "visitor@example.com": True,
        "stranger@example.com": False,
    }
    kept = Place.objects.get(name="Kept")
    assert (kept.rating_verified_avg, kept.rating_verified_count) == (Decimal("5.00"), 1)
