"""The database itself refuses bad rows (IntegrityError), whatever code path writes them."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from analytics.models import UserInteraction
from ratings.models import Rating
from tests.factories import (
    FavoritePlaceFactory,
    MenuItemFactory,
    OpeningHoursFactory,
    RatingFactory,
    UserFactory,
    VendorMemberFactory,
)
from trucks.models import MenuItem, OpeningHours, Photo, Place, ScheduleException
from vendors.models import VendorMember

pytestmark = pytest.mark.django_db


def refused(constraint: str):
    """The write fails in the database, naming the constraint (or unique index) that refused it."""
    return pytest.raises(IntegrityError, match=constraint)


@pytest.mark.parametrize(
    ("lat", "lng"), [(90.5, 0.0), (-91.0, 0.0), (0.0, 180.5), (0.0, -181.0), (30.0, None), (None, -97.0)]
)
def test_place_when_coordinates_out_of_range_is_refused(vendor_a, lat, lng):
    with refused("place_coordinates_valid"), transaction.atomic():
        Place.objects.create(vendor=vendor_a, name="Lost truck", lat=lat, lng=lng)


def test_place_when_coordinates_on_the_edge_is_stored(vendor_a):
    place = Place.objects.create(vendor=vendor_a, name="Edge", lat=-90.0, lng=180.0)
    assert (place.lat, place.lng) == (-90.0, 180.0)


def test_opening_hours_when_coordinates_out_of_range_is_refused(place_a):
    with refused("hours_coordinates_valid"), transaction.atomic():
        OpeningHours.objects.create(place=place_a, weekday=0, opens=time(11), closes=time(14), lat=95.0, lng=10.0)


def test_schedule_exception_when_coordinates_out_of_range_is_refused(place_a):
    with refused("exception_coordinates_valid"), transaction.atomic():
        ScheduleException.objects.create(
            place=place_a, date=date(2026, 12, 1), kind="moved", opens=time(11), closes=time(14), lat=10.0, lng=200.0
        )


def test_interaction_when_coordinates_out_of_range_is_refused(place_a, consumer):
    with refused("interaction_coordinates_valid"), transaction.atomic():
        UserInteraction.objects.create(place=place_a, user=consumer, type="NEARBY_DETECTION", lat=-100.0, lng=0.0)


@pytest.mark.parametrize("stars", ["4.3", "0.5", "5.5", "0.0", "-1.0"])
def test_rating_when_stars_not_a_half_step_in_range_is_refused(place_a, consumer, stars):
    with refused("rating_stars_half_steps"), transaction.atomic():
        Rating.objects.create(place=place_a, user=consumer, stars=Decimal(stars))


def test_rating_when_half_steps_from_one_to_five_are_stored(consumer):
    stars = [Decimal(n) / 2 for n in range(2, 11)]
    for value in stars:
        RatingFactory(user=consumer, stars=value)
    assert sorted(Rating.objects.filter(user=consumer).values_list("stars", flat=True)) == stars


def test_rating_when_second_for_same_user_and_place_is_refused(place_a, consumer):
    RatingFactory(place=place_a, user=consumer)
    with refused("rating_once_per_user_place"), transaction.atomic():
        Rating.objects.create(place=place_a, user=consumer, stars=Decimal("3.0"))


def test_menu_item_when_price_negative_is_refused():
    item = MenuItemFactory()
    with refused("item_price_not_negative"), transaction.atomic():
        MenuItem.objects.filter(pk=item.pk).update(price=Decimal("-0.01"))


def test_menu_item_when_vegan_without_vegetarian_through_update_is_refused():
    item = MenuItemFactory(is_vegan=False, is_vegetarian=False)
    with refused("item_vegan_is_vegetarian"), transaction.atomic():
        MenuItem.objects.filter(pk=item.pk).update(is_vegan=True, is_vegetarian=False)


def test_menu_item_when_saved_vegan_without_vegetarian_is_refused():
    # The rule's home is the service (trucks/tests/test_services.py); a plain save has no rule of its own.
    item = MenuItemFactory(is_vegan=False, is_vegetarian=False)
    item.is_vegan = True
    with refused("item_vegan_is_vegetarian"), transaction.atomic():
        item.save(update_fields=["is_vegan"])


def test_opening_hours_when_opens_equals_closes_is_refused(place_a):
    with refused("hours_not_empty"), transaction.atomic():
        OpeningHours.objects.create(place=place_a, weekday=2, opens=time(11), closes=time(11))


def test_opening_hours_when_weekday_seven_is_refused(place_a):
    with refused("hours_weekday_range"), transaction.atomic():
        OpeningHours.objects.create(place=place_a, weekday=7, opens=time(11), closes=time(14))


def test_opening_hours_when_past_midnight_is_stored(place_a):
    slot = OpeningHoursFactory(place=place_a, weekday=5, opens=time(20), closes=time(2))
    assert slot.overnight is True


def test_favorite_when_duplicate_is_refused(place_a, consumer):
    FavoritePlaceFactory(place=place_a, user=consumer)
    with refused("favorite_place_once_per_user"), transaction.atomic():
        FavoritePlaceFactory(place=place_a, user=consumer)


def test_user_when_duplicate_email_is_refused():
    UserFactory(email="casey@example.com")
    with refused("email"), transaction.atomic():
        User.objects.create(email="casey@example.com")


def test_user_when_duplicate_email_in_other_case_is_refused():
    UserFactory(email="casey@example.com")
    with refused("user_email_ci_unique"), transaction.atomic():
        User.objects.create(email="Casey@Example.COM")


def test_user_when_duplicate_phone_is_refused():
    UserFactory(phone_number="+14155550100")
    with refused("phone_number"), transaction.atomic():
        UserFactory(phone_number="+14155550100")


@pytest.mark.parametrize("phone", ["4155550100", "+1 415 555 0100", "+0123456", "+1415555010a", "tel:+1415"])
def test_user_when_phone_not_e164_is_refused(phone):
    with refused("user_phone_e164"), transaction.atomic():
        User.objects.create(email="phone@example.com", phone_number=phone)


def test_user_when_no_phone_twice_is_stored():
    User.objects.create(email="a@example.com", phone_number=None)
    User.objects.create(email="b@example.com", phone_number=None)
    assert User.objects.filter(phone_number__isnull=True).count() == 2


def test_membership_when_duplicate_is_refused(vendor_a, consumer):
    VendorMemberFactory(vendor=vendor_a, user=consumer, role="staff")
    with refused("vendor_member_once"), transaction.atomic():
        VendorMember.objects.create(vendor=vendor_a, user=consumer, role="manager")


def test_photo_when_of_both_place_and_item_is_refused(place_a):
    item = MenuItemFactory()
    with refused("photo_of_place_or_item"), transaction.atomic():
        Photo.objects.create(place=place_a, menu_item=item, image="photos/x.png")


def test_photo_when_of_neither_place_nor_item_is_refused():
    with refused("photo_of_place_or_item"), transaction.atomic():
        Photo.objects.create(image="photos/x.png")


@pytest.mark.parametrize(
    ("kind", "opens", "closes"),
    [
        ("closed", time(10), time(14)),
        ("closed", time(10), None),
        ("special_hours", None, None),
        ("moved", time(10), None),
        ("special_hours", time(12), time(12)),
    ],
)
def test_schedule_exception_when_hours_do_not_fit_kind_is_refused(place_a, kind, opens, closes):
    with refused("exception_hours_fit_kind"), transaction.atomic():
        ScheduleException.objects.create(place=place_a, date=date(2026, 12, 24), kind=kind, opens=opens, closes=closes)


def test_schedule_exception_when_second_on_same_day_is_refused(place_a):
    ScheduleException.objects.create(place=place_a, date=date(2026, 12, 24), kind="closed")
    with refused("exception_once_per_day"), transaction.atomic():
        ScheduleException.objects.create(place=place_a, date=date(2026, 12, 24), kind="closed")


def test_interaction_when_only_one_coordinate_is_refused(place_a, consumer):
    with refused("interaction_coordinates_valid"), transaction.atomic():
        UserInteraction.objects.create(place=place_a, user=consumer, type="NEARBY_DETECTION", lat=30.0, lng=None)


def test_opening_hours_when_only_one_coordinate_is_refused(place_a):
    with refused("hours_coordinates_valid"), transaction.atomic():
        OpeningHours.objects.create(place=place_a, weekday=2, opens=time(11), closes=time(14), lat=None, lng=-97.0)
