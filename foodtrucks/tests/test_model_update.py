"""model_update: the shared way services change some fields of a row, and refuse keys they do not know."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from foodtrucks.services import model_update
from tests import factories
from trucks.models import Place

pytestmark = pytest.mark.django_db

FIELDS = ["name", "city", "lat", "lng"]


def test_model_update_when_values_change_saves_only_those_fields_and_updated_at(place_a):
    # given a place last updated a day ago, and a stale copy of it changed elsewhere meanwhile
    a_day_ago = timezone.now() - timedelta(days=1)
    Place.objects.filter(pk=place_a.pk).update(updated_at=a_day_ago)
    Place.objects.filter(pk=place_a.pk).update(description="Changed by someone else")

    # when the name and city are updated through the stale instance
    place, has_updated = model_update(instance=place_a, fields=FIELDS, data={"name": "Renamed", "city": "Dallas"})

    # then only they (and updated_at) were written: the other change survives
    row = Place.objects.get(pk=place_a.pk)
    assert (has_updated, place is place_a) == (True, True)
    assert (row.name, row.city, row.description) == ("Renamed", "Dallas", "Changed by someone else")
    assert row.updated_at > a_day_ago


def test_model_update_when_nothing_changes_runs_no_query(place_a, django_assert_num_queries):
    with django_assert_num_queries(0):
        _, has_updated = model_update(instance=place_a, fields=FIELDS, data={"name": "Taco Truck A"})

    assert has_updated is False


def test_model_update_when_a_key_is_not_an_updatable_field_raises_type_error_and_saves_nothing(place_a):
    with pytest.raises(TypeError, match=r"Place cannot be updated with: is_open, nmae\."):
        model_update(instance=place_a, fields=FIELDS, data={"nmae": "Typo", "is_open": True, "city": "Dallas"})

    assert Place.objects.get(pk=place_a.pk).city == "Austin"


def test_model_update_when_a_value_is_invalid_raises_validation_error_by_field_and_saves_nothing(place_a):
    with pytest.raises(ValidationError) as refused:
        model_update(instance=place_a, fields=FIELDS, data={"name": "", "lat": 95.0})

    assert refused.value.message_dict == {
        "name": ["This field cannot be blank."],
        "lat": ["Ensure this value is less than or equal to 90.0."],
    }
    assert Place.objects.get(pk=place_a.pk).name == "Taco Truck A"


def test_model_update_when_the_model_has_no_auto_now_field_saves_just_the_changes():
    # given a menu item (no updated_at column)
    item = factories.MenuItemFactory(name="Old")

    # when
    model_update(instance=item, fields=["name"], data={"name": "New"})

    # then
    item.refresh_from_db()
    assert item.name == "New"
