"""Portal uploads keep nothing of the client's: not its file name, not its type, not its metadata or tail."""

import io
import urllib.request
from pathlib import Path

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
    jpeg_ends_at_eoi,
    phone_jpeg,
    png_ends_at_iend,
    polyglot_png,
    stored_key_regex,
)
from trucks.models import MenuItem, Photo

pytestmark = pytest.mark.django_db

SVG_MESSAGE = "SVG images are not accepted (they can carry scripts): upload a JPEG or PNG photo."
ITEM_FORM = {"name": "Al pastor", "description": "Pork, pineapple", "price": "4.50", "is_available": "on"}


@pytest.fixture
def owner_client(client, owner_a):
    client.force_login(owner_a)
    return client


@pytest.fixture
def menu_a(vendor_a, place_a):
    menu = factories.MenuFactory(vendor=vendor_a, name="Lunch")
    menu.places.set([place_a])
    return menu


def _stored_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def _upload_photo(client, place, name: str, content: bytes, content_type: str = "image/png"):
    return client.post(
        reverse("portal:place_photos", kwargs={"pk": place.pk}),
        {"image": SimpleUploadedFile(name, content, content_type=content_type), "caption": "front"},
    )


@pytest.mark.parametrize("name", ["x.html", "x.svg", "x.png"])
def test_polyglot_png_uploaded_as_a_place_photo_is_stored_as_a_clean_png_under_a_random_key(
    owner_client, place_a, settings, name
):
    # when a valid PNG with an HTML page appended is uploaded under an attacker's name and type
    response = _upload_photo(owner_client, place_a, name, polyglot_png(), content_type="text/html")

    # then it is accepted, stored under a random key ending in its real type, and only that is stored
    assert response.status_code == 302
    stored = Photo.objects.get(place=place_a).image.name
    assert stored_key_regex("photos", "png").fullmatch(stored)
    assert _stored_files(settings) == [stored]
    # and the stored bytes are a bare PNG: Pillow reads it, nothing follows the image data
    content = default_storage.open(stored).read()
    assert png_ends_at_iend(content)
    assert HTML_PAYLOAD not in content
    with Image.open(io.BytesIO(content)) as reread:
        assert (reread.format, reread.size, reread.info) == ("PNG", (6, 4), {})


def test_the_same_file_uploaded_twice_gets_two_different_keys(owner_client, place_a):
    _upload_photo(owner_client, place_a, "front.png", polyglot_png())
    _upload_photo(owner_client, place_a, "front.png", polyglot_png())

    first, second = Photo.objects.filter(place=place_a).order_by("id").values_list("image", flat=True)
    assert first != second


def test_phone_jpeg_as_an_item_photo_is_stored_upright_without_exif(owner_client, menu_a):
    # when an item is created with a phone's JPEG (GPS and orientation in its EXIF), named as a page
    response = owner_client.post(
        reverse("portal:item_create", kwargs={"pk": menu_a.pk}),
        {**ITEM_FORM, "photo": SimpleUploadedFile("IMG_0001.html", phone_jpeg(), content_type="text/html")},
    )

    # then the item's photo is a random .jpg key whose content has no EXIF and is turned upright
    assert response.status_code == 302
    stored = MenuItem.objects.get(menu=menu_a).photo.name
    assert stored_key_regex("items", "jpg").fullmatch(stored)
    content = default_storage.open(stored).read()
    assert jpeg_ends_at_eoi(content)
    with Image.open(io.BytesIO(content)) as reread:
        assert (reread.format, reread.size, dict(reread.getexif())) == ("JPEG", (4, 8), {})
        assert (dominant(reread.getpixel((2, 1))), dominant(reread.getpixel((2, 6)))) == ("red", "blue")


def test_item_photo_replaced_with_a_polyglot_is_stored_as_a_clean_png(
    owner_client, menu_a, django_capture_on_commit_callbacks
):
    item = factories.MenuItemFactory(menu=menu_a, name="Taco", price="3.00")

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("portal:item_edit", kwargs={"pk": item.pk}),
            {**ITEM_FORM, "photo": SimpleUploadedFile("taco.svg", polyglot_png(), content_type="image/svg+xml")},
        )

    assert response.status_code == 302
    item.refresh_from_db()
    assert stored_key_regex("items", "png").fullmatch(item.photo.name)
    assert png_ends_at_iend(default_storage.open(item.photo.name).read())


def test_svg_as_a_place_photo_is_refused_by_the_field_and_nothing_is_stored(owner_client, place_a, settings):
    response = _upload_photo(owner_client, place_a, "logo.svg", SVG, content_type="image/svg+xml")

    assert response.status_code == 400
    assert response.context["form"].errors["image"] == [SVG_MESSAGE]
    assert (Photo.objects.count(), _stored_files(settings)) == (0, [])


def test_svg_as_an_item_photo_is_refused_by_the_field_and_no_item_is_made(owner_client, menu_a, settings):
    response = owner_client.post(
        reverse("portal:item_create", kwargs={"pk": menu_a.pk}),
        {**ITEM_FORM, "photo": SimpleUploadedFile("dish.png", SVG, content_type="image/png")},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["photo"] == [SVG_MESSAGE]
    assert (MenuItem.objects.count(), _stored_files(settings)) == (0, [])


def test_place_photo_on_s3_is_typed_by_its_content_not_by_the_upload(owner_client, place_a, public_s3, settings):
    # given photos stored on the (local) S3 endpoint
    # when a polyglot PNG is uploaded as x.html with the part's type text/html
    response = _upload_photo(owner_client, place_a, "x.html", polyglot_png(), content_type="text/html")

    # then the object's type is image/png, and S3 answers it so
    assert response.status_code == 302
    photo = Photo.objects.get(place=place_a)
    assert stored_key_regex("photos", "png").fullmatch(photo.image.name)
    key = {"Bucket": settings.AWS_STORAGE_BUCKET_NAME, "Key": f"public/{photo.image.name}"}
    assert public_s3.head_object(**key)["ContentType"] == "image/png"
    # (read through a signed link: the test bucket has no public-read policy, as production's has)
    link = public_s3.generate_presigned_url("get_object", Params=key, ExpiresIn=60)
    with urllib.request.urlopen(link, timeout=5) as answer:  # noqa: S310 - the local endpoint
        body = answer.read()
        assert answer.headers["Content-Type"] == "image/png"
    assert png_ends_at_iend(body)
    assert HTML_PAYLOAD not in body
