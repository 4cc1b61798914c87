"""Deleting places, menus, items and photos in the admin goes through trucks.services: files go too."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests import factories
from trucks.models import Menu, MenuItem, Photo, Place

pytestmark = pytest.mark.django_db


def _photo(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 80, 20)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_place_deleted_in_the_admin_takes_its_photo_files_along(
    staff_client, place_a, django_capture_on_commit_callbacks
):
    name = Photo.objects.create(place=place_a, image=_photo("front.png")).image.name
    assert default_storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:trucks_place_delete", args=[place_a.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert (Place.objects.filter(pk=place_a.pk).exists(), default_storage.exists(name)) == (False, False)


@pytest.mark.parametrize(
    ("model", "action_url"),
    [("photo", "admin:trucks_photo_changelist"), ("item", "admin:trucks_menuitem_changelist")],
)
def test_photos_and_items_deleted_with_the_admin_action_take_their_files_along(
    staff_client, vendor_a, place_a, django_capture_on_commit_callbacks, model, action_url
):
    # given a place photo and an item with a photo
    menu = factories.MenuFactory(vendor=vendor_a)
    item = factories.MenuItemFactory(menu=menu, photo=_photo("dish.png"))
    photo = Photo.objects.create(place=place_a, image=_photo("front.png"))
    row, name = (photo, photo.image.name) if model == "photo" else (item, item.photo.name)
    assert default_storage.exists(name)

    # when staff delete it with "delete selected"
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse(action_url), {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
        )

    # then the row and its file are gone
    assert response.status_code == 302
    assert (type(row).objects.filter(pk=row.pk).exists(), default_storage.exists(name)) == (False, False)


def test_menu_deleted_in_the_admin_takes_its_items_photo_files_along(
    staff_client, vendor_a, django_capture_on_commit_callbacks
):
    menu = factories.MenuFactory(vendor=vendor_a)
    name = factories.MenuItemFactory(menu=menu, photo=_photo("dish.png")).photo.name
    assert default_storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("admin:trucks_menu_delete", args=[menu.pk]), {"post": "yes"})

    assert (Menu.objects.exists(), MenuItem.objects.exists(), default_storage.exists(name)) == (False, False, False)
