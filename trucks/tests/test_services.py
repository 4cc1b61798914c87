"""Writes on places, menus and items: explicit parameters, unknown keys refused, the dietary rule, and
stored photo files deleted by a task once the rows are gone."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import factories
from trucks import services
from trucks.models import LocationSource, Menu, MenuItem, Photo, Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def menu_a(vendor_a):
    return factories.MenuFactory(vendor=vendor_a, name="Lunch")


def test_place_create_when_given_its_fields_stores_them_with_the_address_as_location_source(vendor_a):
    category = factories.CategoryFactory(name="Tacos", slug="tacos")

    place = services.place_create(
        vendor=vendor_a,
        kind="stand",
        name="Corner Stand",
        time_zone="America/Denver",
        city="Denver",
        lat=39.74,
        lng=-104.99,
        categories=[category],
    )

    row = Place.objects.get(pk=place.pk)
    assert (row.kind, row.name, row.time_zone, row.city, row.lat, row.lng) == (
        "stand",
        "Corner Stand",
        "America/Denver",
        "Denver",
        39.74,
        -104.99,
    )
    assert row.location_source == LocationSource.ADDRESS
    assert list(row.categories.values_list("slug", flat=True)) == ["tacos"]


def test_place_create_when_given_an_unknown_keyword_raises_type_error(vendor_a):
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        services.place_create(vendor=vendor_a, kind="truck", name="Pink", time_zone="America/Chicago", colour="pink")

    assert not Place.objects.filter(vendor=vendor_a).exists()


def test_place_update_when_data_has_an_unknown_key_raises_type_error_and_changes_nothing(place_a):
    with pytest.raises(TypeError, match=r"Place cannot be updated with: is_open\."):
        services.place_update(place=place_a, data={"name": "Renamed", "is_open": True})

    row = Place.objects.get(pk=place_a.pk)
    assert (row.name, row.is_open) == ("Taco Truck A", False)


def test_place_update_when_given_fields_and_categories_saves_both(place_a):
    category = factories.CategoryFactory(name="Burgers", slug="burgers")

    services.place_update(place=place_a, data={"name": "Renamed", "categories": [category]})

    row = Place.objects.get(pk=place_a.pk)
    assert (row.name, list(row.categories.values_list("slug", flat=True))) == ("Renamed", ["burgers"])


def test_menu_update_when_data_has_an_unknown_key_raises_type_error(menu_a):
    with pytest.raises(TypeError, match=r"Menu cannot be updated with: vendor\."):
        services.menu_update(menu=menu_a, data={"vendor": None})


def test_menu_update_when_given_another_vendors_place_is_refused_by_the_places_field(menu_a, place_b):
    with pytest.raises(ValidationError) as refused:
        services.menu_update(menu=menu_a, data={"name": "Dinner", "places": [place_b]})

    assert refused.value.message_dict == {"places": ["A menu can only be attached to your own places."]}
    assert list(Menu.objects.get(pk=menu_a.pk).places.all()) == []


def test_item_create_when_given_an_unknown_keyword_raises_type_error(menu_a):
    with pytest.raises(TypeError, match="unexpected keyword argument 'is_halal'"):
        services.item_create(menu=menu_a, name="Taco", price=Decimal("3"), is_halal=True)


def test_item_update_when_data_carries_the_photo_raises_type_error(menu_a):
    item = factories.MenuItemFactory(menu=menu_a)

    with pytest.raises(TypeError, match="photo="):
        services.item_update(item=item, data={"photo": "items/unchecked.exe"})


def test_item_create_when_vegan_is_stored_vegetarian_with_the_price_in_cents(menu_a):
    item = services.item_create(menu=menu_a, name="Nopales", price=Decimal("4.5"), is_vegan=True)

    row = MenuItem.objects.get(pk=item.pk)
    assert (row.price, row.is_vegan, row.is_vegetarian) == (Decimal("4.50"), True, True)


def test_item_update_when_made_vegan_becomes_vegetarian(menu_a):
    item = factories.MenuItemFactory(menu=menu_a, is_vegan=False, is_vegetarian=False)

    services.item_update(item=item, data={"is_vegan": True})

    row = MenuItem.objects.get(pk=item.pk)
    assert (row.is_vegan, row.is_vegetarian) == (True, True)


def test_item_update_when_a_vegan_item_is_unticked_vegetarian_it_stays_vegetarian(menu_a):
    item = factories.MenuItemFactory(menu=menu_a, is_vegan=True, is_vegetarian=True)

    services.item_update(item=item, data={"is_vegetarian": False})

    row = MenuItem.objects.get(pk=item.pk)
    assert (row.is_vegan, row.is_vegetarian) == (True, True)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (0, 128, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def _photo(name: str = "dish.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _png(), content_type="image/png")


def test_item_update_when_the_photo_is_replaced_deletes_the_old_file_only_after_commit(
    menu_a, django_capture_on_commit_callbacks
):
    # given an item with a photo
    item = services.item_create(menu=menu_a, name="Taco", price=Decimal("3"), photo=_photo("old.png"))
    old = item.photo.name

    # when a new photo replaces it
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.item_update(item=item, data={}, photo=_photo("new.png"))
        # then, before the commit, the old file is still there
        assert default_storage.exists(old)

    # and once committed it is gone, the new one kept (the other callback makes the new one's thumbnails)
    assert len(callbacks) == 2
    assert (default_storage.exists(old), default_storage.exists(item.photo.name)) == (False, True)


def test_menu_delete_deletes_the_photo_files_of_its_items(menu_a, django_capture_on_commit_callbacks):
    # given two items, one with its own photo and one with a photo row (added in the admin)
    with_photo = services.item_create(menu=menu_a, name="Taco", price=Decimal("3"), photo=_photo())
    other = factories.MenuItemFactory(menu=menu_a)
    row = Photo.objects.create(menu_item=other, image=_photo("row.png"))
    names = [with_photo.photo.name, row.image.name]

    # when the menu is deleted
    with django_capture_on_commit_callbacks(execute=True):
        services.menu_delete(menu=menu_a)

    # then the rows and the files are gone
    assert (MenuItem.objects.count(), Photo.objects.count()) == (0, 0)
    assert [default_storage.exists(name) for name in names] == [False, False]


def test_item_delete_deletes_its_photo_file_and_its_photo_rows_files(menu_a, django_capture_on_commit_callbacks):
    item = services.item_create(menu=menu_a, name="Taco", price=Decimal("3"), photo=_photo())
    row = Photo.objects.create(menu_item=item, image=_photo("row.png"))
    names = [item.photo.name, row.image.name]

    with django_capture_on_commit_callbacks(execute=True):
        services.item_delete(item=item)

    assert [default_storage.exists(name) for name in names] == [False, False]
