"""Images uploaded in the admin are cleaned like the portal's: random key, real type, no metadata or tail."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests import factories
from tests.images import (
    HTML_PAYLOAD,
    SVG,
    dominant,
    phone_jpeg,
    png_ends_at_iend,
    polyglot_png,
    stored_key_regex,
)
from trucks.models import MenuItem, Photo

pytestmark = pytest.mark.django_db

SVG_MESSAGE = "SVG images are not accepted (they can carry scripts): upload a JPEG or PNG photo."
NO_PHOTO_ROWS = {
    "photos-TOTAL_FORMS": "0",
    "photos-INITIAL_FORMS": "0",
    "photos-MIN_NUM_FORMS": "0",
    "photos-MAX_NUM_FORMS": "1000",
}


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _add_photo(client, place, name: str, content: bytes):
    return client.post(
        reverse("admin:trucks_photo_add"),
        {
            "place": place.pk,
            "image": SimpleUploadedFile(name, content, content_type="text/html"),
            "caption": "front",
            "position": "0",
            "created_at_0": "2026-12-01",
            "created_at_1": "12:00:00",
        },
    )


def _add_item(client, menu, name: str, content: bytes):
    return client.post(
        reverse("admin:trucks_menuitem_add"),
        {
            "menu": menu.pk,
            "name": "Elote",
            "description": "",
            "price": "3.50",
            "is_available": "on",
            "position": "0",
            "photo": SimpleUploadedFile(name, content, content_type="image/png"),
            **NO_PHOTO_ROWS,
        },
    )


@pytest.mark.parametrize("name", ["x.html", "x.svg", "x.png"])
def test_polyglot_png_added_as_a_photo_in_the_admin_is_stored_as_a_clean_png_under_a_random_key(
    staff_client, place_a, name
):
    response = _add_photo(staff_client, place_a, name, polyglot_png())

    assert response.status_code == 302
    stored = Photo.objects.get(place=place_a).image.name
    assert stored_key_regex("photos", "png").fullmatch(stored)
    content = default_storage.open(stored).read()
    assert png_ends_at_iend(content)
    assert HTML_PAYLOAD not in content


def test_phone_jpeg_as_an_item_photo_in_the_admin_is_stored_upright_without_exif(staff_client, vendor_a):
    menu = factories.MenuFactory(vendor=vendor_a)

    response = _add_item(staff_client, menu, "IMG_0001.JPG", phone_jpeg())

    assert response.status_code == 302
    stored = MenuItem.objects.get(menu=menu).photo.name
    assert stored_key_regex("items", "jpg").fullmatch(stored)
    with Image.open(io.BytesIO(default_storage.open(stored).read())) as reread:
        assert (reread.size, dict(reread.getexif()), dominant(reread.getpixel((2, 1)))) == ((4, 8), {}, "red")


def test_svg_is_refused_by_the_field_in_the_admin(staff_client, vendor_a, place_a):
    menu = factories.MenuFactory(vendor=vendor_a)

    photo_page = _add_photo(staff_client, place_a, "logo.svg", SVG)
    item_page = _add_item(staff_client, menu, "logo.png", SVG)

    assert (photo_page.status_code, item_page.status_code) == (200, 200)
    assert photo_page.context["adminform"].form.errors["image"] == [SVG_MESSAGE]
    assert item_page.context["adminform"].form.errors["photo"] == [SVG_MESSAGE]
    assert (Photo.objects.count(), MenuItem.objects.count()) == (0, 0)


def test_photo_edited_in_the_admin_without_a_new_file_keeps_its_stored_file(staff_client, place_a):
    # given a photo added in the admin
    _add_photo(staff_client, place_a, "front.png", polyglot_png())
    photo = Photo.objects.get(place=place_a)
    stored = photo.image.name

    # when only its caption is changed
    response = staff_client.post(
        reverse("admin:trucks_photo_change", args=[photo.pk]),
        {
            "place": place_a.pk,
            "caption": "front, at night",
            "position": "0",
            "created_at_0": "2026-12-01",
            "created_at_1": "12:00:00",
        },
    )

    # then the row keeps its file, which is not stored again
    assert response.status_code == 302
    photo.refresh_from_db()
    assert (photo.caption, photo.image.name) == ("front, at night", stored)
    assert default_storage.listdir(stored.rsplit("/", 1)[0])[1] == [stored.rsplit("/", 1)[1]]


def test_photos_uploaded_in_the_admin_get_their_thumbnails_after_commit(
    staff_client, place_a, vendor_a, django_capture_on_commit_callbacks
):
    from trucks.thumbnails import thumbnail_name

    # given a place photo and an item photo added in the admin
    menu = factories.MenuFactory(vendor=vendor_a)
    with django_capture_on_commit_callbacks(execute=True):
        photo_response = _add_photo(staff_client, place_a, "x.png", polyglot_png())
        item_response = _add_item(staff_client, menu, "IMG_0001.JPG", phone_jpeg())

    # then both have their size recorded and both thumbnails stored
    assert (photo_response.status_code, item_response.status_code) == (302, 302)
    photo, item = Photo.objects.get(place=place_a), MenuItem.objects.get(menu=menu)
    assert (photo.width, photo.height, item.photo_width, item.photo_height) == (6, 4, 4, 8)
    names = [thumbnail_name(name, size) for name in (photo.image.name, item.photo.name) for size in (160, 480)]
    assert [default_storage.exists(name) for name in names] == [True] * 4
