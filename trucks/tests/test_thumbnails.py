"""Thumbnails of place photos and item photos: made after commit, two WebP sizes, size recorded, once."""

import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from tests import factories
from tests.images import png_bytes
from trucks import services
from trucks.models import MenuItem, Photo
from trucks.thumbnails import thumbnail_name, thumbnails_make


def upload(size: tuple[int, int], name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(size), content_type="image/png")


def stored_image(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    return image


def thumbnail_formats_and_sizes(image_name: str) -> list[tuple[str, tuple[int, int]]]:
    images = [stored_image(thumbnail_name(image_name, size)) for size in (160, 480)]
    return [(image.format, image.size) for image in images]


@pytest.fixture
def owner(owner_a):
    return owner_a


@pytest.fixture
def menu_a(vendor_a):
    return factories.MenuFactory(vendor=vendor_a)


def test_photo_add_makes_two_webp_thumbnails_after_commit_and_records_the_size(
    place_a, owner, django_capture_on_commit_callbacks
):
    # given a 1200 × 800 photo uploaded to a place
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        photo = services.photo_add(place=place_a, image=upload((1200, 800)), caption="", uploaded_by=owner)
        # then nothing is made inside the transaction
        assert not default_storage.exists(thumbnail_name(photo.image.name, 160))

    # when the transaction commits
    for callback in callbacks:
        callback()

    # then both sizes are stored as WebP, the longest side 160 and 480, and the row knows the size
    photo.refresh_from_db()
    assert (photo.width, photo.height) == (1200, 800)
    assert thumbnail_formats_and_sizes(photo.image.name) == [("WEBP", (160, 107)), ("WEBP", (480, 320))]
    assert thumbnail_name(photo.image.name, 160).startswith("thumbs/photos/")


def test_thumbnails_of_a_small_photo_are_never_enlarged(place_a, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.photo_add(place=place_a, image=upload((100, 300)), caption="", uploaded_by=owner)

    photo.refresh_from_db()
    assert (photo.width, photo.height) == (100, 300)
    assert thumbnail_formats_and_sizes(photo.image.name) == [("WEBP", (53, 160)), ("WEBP", (100, 300))]


def test_thumbnails_make_again_changes_nothing(place_a, owner, django_capture_on_commit_callbacks):
    # given a photo whose thumbnails are made
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.photo_add(place=place_a, image=upload((640, 480)), caption="", uploaded_by=owner)
    small = thumbnail_name(photo.image.name, 160)
    default_storage.delete(small)

    # when the task runs again (a retry, a second delivery)
    made = thumbnails_make(kind="photo", pk=photo.pk)

    # then it sees the recorded size and leaves the files alone
    assert made is False
    assert not default_storage.exists(small)


def test_thumbnails_make_of_a_missing_file_or_row_records_nothing(place_a):
    photo = Photo.objects.create(place=place_a, image="photos/2026/01/" + "0" * 32 + ".png")

    assert thumbnails_make(kind="photo", pk=photo.pk) is False
    assert thumbnails_make(kind="photo", pk=photo.pk + 1000) is False
    photo.refresh_from_db()
    assert (photo.width, photo.height) == (None, None)


def test_item_photo_thumbnails_follow_a_replaced_photo(menu_a, django_capture_on_commit_callbacks):
    # given an item with a 800 × 600 photo, thumbnails made
    with django_capture_on_commit_callbacks(execute=True):
        item = services.item_create(menu=menu_a, name="Taco", price=Decimal("3"), photo=upload((800, 600)))
    old = item.photo.name
    item.refresh_from_db()
    assert (item.photo_width, item.photo_height) == (800, 600)
    assert thumbnail_formats_and_sizes(old) == [("WEBP", (160, 120)), ("WEBP", (480, 360))]

    # when a 300 × 300 photo replaces it
    with django_capture_on_commit_callbacks(execute=True):
        services.item_update(item=item, data={}, photo=upload((300, 300)))

    # then the new photo has its own thumbnails and size, and the old thumbnails are deleted with the old photo
    item = MenuItem.objects.get(pk=item.pk)
    assert (item.photo_width, item.photo_height) == (300, 300)
    assert thumbnail_formats_and_sizes(item.photo.name) == [("WEBP", (160, 160)), ("WEBP", (300, 300))]
    assert [default_storage.exists(name) for name in (old, thumbnail_name(old, 160), thumbnail_name(old, 480))] == [
        False,
        False,
        False,
    ]


def test_item_photo_removed_forgets_its_size(menu_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = services.item_create(menu=menu_a, name="Taco", price=Decimal("3"), photo=upload((50, 40)))
    item.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        services.item_update(item=item, data={}, remove_photo=True)

    item = MenuItem.objects.get(pk=item.pk)
    assert (item.photo.name, item.photo_width, item.photo_height) == ("", None, None)


def test_photo_delete_deletes_its_thumbnails(place_a, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.photo_add(place=place_a, image=upload((300, 200)), caption="", uploaded_by=owner)
    names = [photo.image.name, thumbnail_name(photo.image.name, 160), thumbnail_name(photo.image.name, 480)]
    assert [default_storage.exists(name) for name in names] == [True, True, True]

    with django_capture_on_commit_callbacks(execute=True):
        services.photo_delete(photo=photo)

    assert [default_storage.exists(name) for name in names] == [False, False, False]


def test_backfill_command_makes_the_thumbnails_of_photos_stored_before(place_a):
    # given a place photo and an item photo stored without thumbnails (before this feature), and an item without photo
    photo = Photo.objects.create(place=place_a, image=upload((400, 200)))
    item = factories.MenuItemFactory(photo=upload((200, 400), "dish.png"))
    bare = factories.MenuItemFactory()
    out = io.StringIO()

    # when the backfill runs, twice
    call_command("make_thumbnails", stdout=out)
    call_command("make_thumbnails", stdout=out)

    # then each image got its thumbnails once
    photo.refresh_from_db()
    item.refresh_from_db()
    bare.refresh_from_db()
    assert (photo.width, photo.height, item.photo_width, item.photo_height) == (400, 200, 200, 400)
    assert thumbnail_formats_and_sizes(photo.image.name) == [("WEBP", (160, 80)), ("WEBP", (400, 200))]
    assert thumbnail_formats_and_sizes(item.photo.name) == [("WEBP", (80, 160)), ("WEBP", (200, 400))]
    assert bare.photo_width is None
    assert out.getvalue().splitlines() == [
        "Made the thumbnails of 1 photo(s) and 1 item photo(s); 0 left.",
        "Made the thumbnails of 0 photo(s) and 0 item photo(s); 0 left.",
    ]
