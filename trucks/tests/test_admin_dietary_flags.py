"""A vegan item is vegetarian (the item_vegan_is_vegetarian constraint): staff who tick Vegan without
Vegetarian in the admin get a plain message by the Vegetarian box, never an IntegrityError or a 500."""

import pytest
from django.urls import reverse

from tests import factories
from trucks.models import MenuItem

NO_PHOTO_ROWS = {
    "photos-TOTAL_FORMS": "0",
    "photos-INITIAL_FORMS": "0",
    "photos-MIN_NUM_FORMS": "0",
    "photos-MAX_NUM_FORMS": "1000",
}
MESSAGE = "A vegan item is vegetarian too: tick Vegetarian as well (or untick Vegan)."


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _item(menu, **flags):
    return {"menu": menu.pk, "name": "Elote", "description": "", "price": "3.50", "position": "0", **flags}


@pytest.mark.django_db
def test_item_page_shows_a_field_message_for_vegan_but_not_vegetarian(staff_client, vendor_a):
    menu = factories.MenuFactory(vendor=vendor_a)

    response = staff_client.post(reverse("admin:trucks_menuitem_add"), {**_item(menu, is_vegan="on"), **NO_PHOTO_ROWS})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"is_vegetarian": [MESSAGE]}
    assert not MenuItem.objects.exists()


@pytest.mark.django_db
def test_item_page_saves_vegan_and_vegetarian(staff_client, vendor_a):
    menu = factories.MenuFactory(vendor=vendor_a)
    data = {**_item(menu, is_vegan="on", is_vegetarian="on"), **NO_PHOTO_ROWS}
    assert staff_client.post(reverse("admin:trucks_menuitem_add"), data).status_code == 302
    assert MenuItem.objects.filter(is_vegan=True, is_vegetarian=True).count() == 1


@pytest.mark.django_db
def test_menu_page_inline_row_shows_the_same_field_message(staff_client, vendor_a):
    menu = factories.MenuFactory(vendor=vendor_a, name="Lunch")
    item = factories.MenuItemFactory(menu=menu, name="Elote")
    data = {
        "vendor": vendor_a.pk,
        "name": "Lunch",
        "menu_type": menu.menu_type,
        "is_active": "on",
        "position": "0",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "1",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-id": item.pk,
        "items-0-menu": menu.pk,
        "items-0-position": "0",
        "items-0-name": "Elote",
        "items-0-description": "",
        "items-0-price": "3.50",
        "items-0-is_vegan": "on",
        "items-0-is_available": "on",
    }

    response = staff_client.post(reverse("admin:trucks_menu_change", args=[menu.pk]), data)

    assert response.status_code == 200
    [formset] = [inline.formset for inline in response.context["inline_admin_formsets"]]
    assert formset.errors == [{"is_vegetarian": [MESSAGE]}]
    item.refresh_from_db()
    assert (item.is_vegan, item.is_vegetarian) == (False, False)
