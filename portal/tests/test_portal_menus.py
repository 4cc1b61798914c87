"""Portal: menus and items, prices, dietary flags, ordering and the sold-out switch."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests import factories
from trucks.models import Menu, MenuItem


@pytest.fixture
def owner_client(client, owner_a):
    client.force_login(owner_a)
    return client


@pytest.fixture
def menu_a(vendor_a, place_a):
    menu = factories.MenuFactory(vendor=vendor_a, name="Lunch")
    menu.places.set([place_a])
    return menu


ITEM_FORM = {"name": "Al pastor", "description": "Pork, pineapple", "price": "4.50", "is_available": "on"}


@pytest.mark.django_db
def test_menu_form_offers_only_the_vendors_own_places(owner_client, place_a, place_b):
    response = owner_client.get(reverse("portal:menu_create"))

    choices = [str(label) for _, label in response.context["form"].fields["places"].choices]
    assert choices == ["Taco Truck A (Truck)"]
    assert "Burger Stand B" not in response.content.decode()


@pytest.mark.django_db
def test_menu_refuses_another_vendors_place_and_creates_with_own(owner_client, vendor_a, place_a, place_b):
    url = reverse("portal:menu_create")

    foreign = owner_client.post(url, {"name": "Dinner", "menu_type": "dinner", "places": [place_b.pk]})
    own = owner_client.post(url, {"name": "Dinner", "menu_type": "dinner", "places": [place_a.pk], "is_active": "on"})

    assert foreign.status_code == 400
    assert foreign.context["form"].errors["places"][0].startswith("Select a valid choice.")
    assert own.status_code == 302
    menu = Menu.objects.get(vendor=vendor_a)
    assert (menu.name, menu.menu_type, list(menu.places.all())) == ("Dinner", "dinner", [place_a])


@pytest.mark.django_db
def test_item_created_with_decimal_price_and_vegan_implies_vegetarian(owner_client, menu_a):
    response = owner_client.post(
        reverse("portal:item_create", kwargs={"pk": menu_a.pk}), {**ITEM_FORM, "price": "12.5", "is_vegan": "on"}
    )

    assert response.status_code == 302
    item = MenuItem.objects.get(menu=menu_a)
    assert (item.price, item.is_vegan, item.is_vegetarian, item.is_available) == (Decimal("12.50"), True, True, True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("1.999", "Ensure that there are no more than 2 decimal places."),
        ("abc", "Enter a number."),
    ],
)
def test_item_price_is_validated_by_the_field(owner_client, menu_a, price, message):
    response = owner_client.post(reverse("portal:item_create", kwargs={"pk": menu_a.pk}), {**ITEM_FORM, "price": price})

    assert response.status_code == 400
    assert response.context["form"].errors["price"] == [message]
    assert not MenuItem.objects.exists()


@pytest.mark.django_db
def test_item_photo_is_checked_and_stored(owner_client, menu_a):
    buffer = io.BytesIO()
    Image.new("RGB", (5, 5), (255, 0, 0)).save(buffer, format="JPEG")
    url = reverse("portal:item_create", kwargs={"pk": menu_a.pk})

    bad = owner_client.post(url, {**ITEM_FORM, "photo": SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image")})
    good = owner_client.post(url, {**ITEM_FORM, "photo": SimpleUploadedFile("x.jpg", buffer.getvalue())})

    assert bad.context["form"].errors["photo"] == ["Upload a JPEG or PNG photo."]
    assert good.status_code == 302
    item = MenuItem.objects.get(menu=menu_a)
    assert item.photo.name.startswith("items/")


@pytest.mark.django_db
def test_item_edit_saves_changes(owner_client, menu_a):
    item = factories.MenuItemFactory(menu=menu_a, name="Old", price=Decimal("1.00"))

    response = owner_client.post(
        reverse("portal:item_edit", kwargs={"pk": item.pk}), {**ITEM_FORM, "name": "New", "is_gluten_free": "on"}
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.name, item.price, item.is_gluten_free) == ("New", Decimal("4.50"), True)


@pytest.mark.django_db
def test_item_edit_ticking_only_vegan_saves_it_vegan_and_vegetarian(owner_client, menu_a):
    # given a plain item
    item = factories.MenuItemFactory(menu=menu_a, is_vegan=False, is_vegetarian=False)

    # when only "Vegan" is ticked
    response = owner_client.post(reverse("portal:item_edit", kwargs={"pk": item.pk}), {**ITEM_FORM, "is_vegan": "on"})

    # then the service's rule made it vegetarian too
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.is_vegan, item.is_vegetarian) == (True, True)


@pytest.mark.django_db
def test_staff_marks_an_item_sold_out_and_back_in_one_click(client, staff_a, menu_a):
    item = factories.MenuItemFactory(menu=menu_a)
    client.force_login(staff_a)
    url = reverse("portal:item_availability", kwargs={"pk": item.pk})

    off = client.post(url, {"available": "0"}, follow=True)
    item.refresh_from_db()
    assert item.is_available is False
    assert f"“{item.name}” is marked sold out." in off.content.decode()

    client.post(url, {"available": "1"})
    item.refresh_from_db()
    assert item.is_available is True


@pytest.mark.django_db
def test_items_and_menus_reorder_up_and_down(owner_client, vendor_a, menu_a):
    first = factories.MenuItemFactory(menu=menu_a, name="First", position=0)
    factories.MenuItemFactory(menu=menu_a, name="Second", position=1)
    third = factories.MenuItemFactory(menu=menu_a, name="Third", position=2)
    other_menu = factories.MenuFactory(vendor=vendor_a, name="Drinks", position=1)

    owner_client.post(reverse("portal:item_move", kwargs={"pk": third.pk}), {"direction": "up"})
    owner_client.post(reverse("portal:item_move", kwargs={"pk": first.pk}), {"direction": "up"})  # already first
    owner_client.post(reverse("portal:menu_move", kwargs={"pk": other_menu.pk}), {"direction": "up"})

    names = list(MenuItem.objects.filter(menu=menu_a).order_by("position").values_list("name", flat=True))
    assert names == ["First", "Third", "Second"]
    assert list(Menu.objects.filter(vendor=vendor_a).order_by("position").values_list("name", flat=True)) == [
        "Drinks",
        "Lunch",
    ]


@pytest.mark.django_db
def test_menus_page_lists_menus_and_items_in_pinned_queries(
    client, staff_a, vendor_a, menu_a, django_assert_num_queries
):
    for n in range(5):
        factories.MenuItemFactory(menu=menu_a, name=f"Item {n}")
    second = factories.MenuFactory(vendor=vendor_a, name="Drinks")
    factories.MenuItemFactory(menu=second, name="Horchata")
    client.force_login(staff_a)

    # session, user, memberships, menus, their places, their items
    with django_assert_num_queries(6):
        response = client.get(reverse("portal:menus"))

    html = response.content.decode()
    assert html.count("Mark sold out") == 6
    assert "+ Add an item" not in html  # staff: availability only


@pytest.mark.django_db
def test_deleting_a_menu_deletes_its_items(owner_client, menu_a):
    factories.MenuItemFactory(menu=menu_a)

    response = owner_client.post(reverse("portal:menu_delete", kwargs={"pk": menu_a.pk}), follow=True)

    assert "Menu “Lunch” was deleted." in response.content.decode()
    assert (Menu.objects.count(), MenuItem.objects.count()) == (0, 0)
