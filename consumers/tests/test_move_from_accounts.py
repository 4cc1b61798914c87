"""The consumer lists moved from accounts to consumers in state only: a database made before keeps its rows."""

import pytest
from django.utils import timezone

from consumers.models import FavoriteCategory, FavoritePlace, RecentlyViewedPlace
from tests.migrations import migrate_to, migrate_to_latest

BEFORE_THE_MOVE = [("accounts", "0002_initial"), ("consumers", None)]


@pytest.mark.django_db(transaction=True)
def test_migrating_forward_from_before_the_move_keeps_every_row_and_permission():
    # given a database as main's migrations left it, with a favorite, a recent view and a liked category
    old = migrate_to(BEFORE_THE_MOVE)
    user = old.get_model("accounts", "User").objects.create(email="kept@example.com", password="x")
    vendor = old.get_model("vendors", "Vendor").objects.create(business_name="Kept Tacos")
    place = old.get_model("trucks", "Place").objects.create(
        vendor=vendor, name="Kept Truck", time_zone="America/Chicago"
    )
    category = old.get_model("trucks", "Category").objects.create(name="Tacos", slug="tacos")
    added = timezone.now().replace(microsecond=0)
    old.get_model("accounts", "FavoritePlace").objects.create(user=user, place=place, created_at=added)
    old.get_model("accounts", "RecentlyViewedPlace").objects.create(user=user, place=place, viewed_at=added)
    old.get_model("accounts", "FavoriteCategory").objects.create(user=user, category=category, created_at=added)
    content_types = old.get_model("contenttypes", "ContentType")
    favorite_type = content_types.objects.get_or_create(app_label="accounts", model="favoriteplace")[0]

    # when the database migrates to today's models
    migrate_to_latest()

    # then every row reads through the consumers models, unchanged
    assert list(FavoritePlace.objects.values_list("user__email", "place__name", "created_at")) == [
        ("kept@example.com", "Kept Truck", added)
    ]
    assert list(RecentlyViewedPlace.objects.values_list("place__name", "viewed_at")) == [("Kept Truck", added)]
    assert list(FavoriteCategory.objects.values_list("category__slug", flat=True)) == ["tacos"]
    # and the content type (with the permissions hanging on it) moved along, the same row
    favorite_type.refresh_from_db()
    assert (favorite_type.app_label, favorite_type.model) == ("consumers", "favoriteplace")
