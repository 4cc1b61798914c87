"""The one member-scoped lookup: another vendor's object is a 404, a role that may not act is a 404 here
(the portal turns "a member, but not allowed" into its 403 itself, see portal/access.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from tests import factories
from trucks.models import MenuItem, Place
from vendors.models import VendorMember
from vendors.selectors import for_member, get_for_member_or_404

pytestmark = pytest.mark.django_db


def test_get_for_member_or_404_when_a_member_asks_answers_the_object_in_one_query(
    owner_a, place_a, django_assert_num_queries
):
    with django_assert_num_queries(1):
        place = get_for_member_or_404(owner_a, Place.objects.select_related("vendor"), place_a.pk, action="edit_places")
        vendor_name = place.vendor.business_name

    assert (place.pk, vendor_name) == (place_a.pk, "Vendor A")


@pytest.mark.parametrize("asker", ["owner_b", "consumer", "anonymous"])
def test_get_for_member_or_404_when_not_a_member_of_the_objects_vendor_is_404(request, place_a, asker):
    user = AnonymousUser() if asker == "anonymous" else request.getfixturevalue(asker)

    with pytest.raises(Http404, match=r"^No such place\.$"):
        get_for_member_or_404(user, Place.objects.all(), place_a.pk)


def test_get_for_member_or_404_when_the_role_does_not_allow_the_action_is_404(staff_a, place_a):
    with pytest.raises(Http404):
        get_for_member_or_404(staff_a, Place.objects.all(), place_a.pk, action="edit_places")

    assert get_for_member_or_404(staff_a, Place.objects.all(), place_a.pk, action="check_in") == place_a


def test_get_for_member_or_404_when_the_vendor_is_reached_through_a_path(owner_a, owner_b, vendor_a):
    item = factories.MenuItemFactory(menu=factories.MenuFactory(vendor=vendor_a))

    found = get_for_member_or_404(owner_a, MenuItem.objects.all(), item.pk, vendor_field="menu__vendor")

    assert found == item
    with pytest.raises(Http404, match=r"^No such menu item\.$"):
        get_for_member_or_404(owner_b, MenuItem.objects.all(), item.pk, vendor_field="menu__vendor")


def test_for_member_when_the_user_belongs_to_two_vendors_lists_each_row_once(
    owner_a, vendor_a, vendor_b, place_a, place_b
):
    # given the owner of A is also staff of B
    factories.VendorMemberFactory(vendor=vendor_b, user=owner_a, role="staff")
    factories.PlaceFactory(vendor=vendor_a, name="Second A")

    # when their team rows are listed for the "team" action (owner of A only)
    members = for_member(owner_a, VendorMember.objects.order_by("vendor__business_name"), action="team")
    places = for_member(owner_a, Place.objects.order_by("name"), action="view")

    # then B's rows are left out of the team, and every place of both vendors shows once
    assert [(m.vendor.business_name, m.role) for m in members] == [("Vendor A", "owner")]
    assert [p.name for p in places] == ["Burger Stand B", "Second A", "Taco Truck A"]
