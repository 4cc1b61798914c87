"""manage.py media_rename_uploads: photo files stored under their uploader's name get a random key."""

import io
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from tests import factories
from tests.images import (
    HTML_PAYLOAD,
    dominant,
    phone_jpeg,
    png_bytes,
    png_ends_at_iend,
    polyglot_png,
    stored_key_regex,
)
from trucks.models import MenuItem, Photo
from trucks.thumbnails import thumbnail_names

pytestmark = pytest.mark.django_db

DAMAGED = "This image is damaged or not really an image."


def _stored_files(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("media_rename_uploads", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def old_uploads(place_a, vendor_a):
    """A folder of photos stored the old way, a photo already under a random key, a damaged and a missing file."""
    default_storage.save("photos/2025/03/menu board.html", ContentFile(polyglot_png()))
    default_storage.save("items/2025/03/IMG_0001.JPG", ContentFile(phone_jpeg()))
    default_storage.save("photos/2025/03/broken.png", ContentFile(b"\x89PNG\r\n\x1a\n not really"))
    keyed = default_storage.save("photos/2026/11/0123456789abcdef0123456789abcdef.png", ContentFile(png_bytes()))
    item = factories.MenuItemFactory(menu=factories.MenuFactory(vendor=vendor_a), photo="items/2025/03/IMG_0001.JPG")
    return {
        "board": Photo.objects.create(place=place_a, image="photos/2025/03/menu board.html"),
        "item": item,
        "broken": Photo.objects.create(place=place_a, image="photos/2025/03/broken.png"),
        "gone": Photo.objects.create(place=place_a, image="photos/2025/03/gone.png"),
        "keyed": Photo.objects.create(place=place_a, image=keyed),
    }


def test_rename_points_rows_at_clean_files_under_random_keys_and_deletes_the_old_files(
    old_uploads, settings, django_capture_on_commit_callbacks
):
    # when the command runs over the folder
    with django_capture_on_commit_callbacks(execute=True):
        out, err = _run()

    # then the photo and the item photo point at random keys of their real type, with clean content
    board, item, broken, gone, keyed = (type(row).objects.get(pk=row.pk) for row in old_uploads.values())
    assert stored_key_regex("photos", "png").fullmatch(board.image.name)
    assert stored_key_regex("items", "jpg").fullmatch(item.photo.name)
    board_bytes = default_storage.open(board.image.name).read()
    assert png_ends_at_iend(board_bytes)
    assert HTML_PAYLOAD not in board_bytes
    with Image.open(default_storage.open(item.photo.name)) as reread:
        assert (reread.size, dict(reread.getexif()), dominant(reread.getpixel((2, 1)))) == ((4, 8), {}, "red")
    # and the damaged and missing files are left (and said), the keyed photo untouched, the old files gone
    assert (broken.image.name, gone.image.name, keyed.image.name) == (
        "photos/2025/03/broken.png",
        "photos/2025/03/gone.png",
        old_uploads["keyed"].image.name,
    )
    # (the renamed images' thumbnails are made anew: their names derive from the new keys)
    assert _stored_files(settings) == {
        board.image.name,
        *thumbnail_names(board.image.name),
        item.photo.name,
        *thumbnail_names(item.photo.name),
        "photos/2025/03/broken.png",
        keyed.image.name,
    }
    assert err == (
        f"Photo {broken.pk}: photos/2025/03/broken.png left for staff: {DAMAGED}\n"
        f"Photo {gone.pk}: photos/2025/03/gone.png left for staff: the file is missing.\n"
    )
    assert out.splitlines() == [
        f"Photo {board.pk}: photos/2025/03/menu board.html -> {board.image.name}",
        f"MenuItem {item.pk}: items/2025/03/IMG_0001.JPG -> {item.photo.name}",
        "Renamed 2 stored image(s); 2 left for staff.",
    ]


def test_second_run_changes_nothing(old_uploads, settings, django_capture_on_commit_callbacks):
    # given a first run
    with django_capture_on_commit_callbacks(execute=True):
        _run()
    files = _stored_files(settings)
    names = sorted(Photo.objects.values_list("image", flat=True)) + sorted(
        MenuItem.objects.values_list("photo", flat=True)
    )

    # when it runs again
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        out, _ = _run()

    # then no row, no file and nothing after commit changed: only the files left for staff are said again
    assert out.splitlines() == ["Renamed 0 stored image(s); 2 left for staff."]
    assert _stored_files(settings) == files
    assert (
        sorted(Photo.objects.values_list("image", flat=True)) + sorted(MenuItem.objects.values_list("photo", flat=True))
        == names
    )
    assert callbacks == []


def test_dry_run_lists_what_it_would_do_and_changes_nothing(old_uploads, settings):
    files = _stored_files(settings)

    out, err = _run("--dry-run")

    board, item = old_uploads["board"], old_uploads["item"]
    lines = out.splitlines()
    assert re.fullmatch(
        rf"Photo {board.pk}: photos/2025/03/menu board\.html would be stored as photos/\S+\.png", lines[0]
    )
    assert re.fullmatch(rf"MenuItem {item.pk}: items/2025/03/IMG_0001\.JPG would be stored as items/\S+\.jpg", lines[1])
    assert lines[2:] == ["Would rename 2 stored image(s); 2 left for staff."]
    assert err.count("left for staff") == 2
    assert _stored_files(settings) == files
    assert (Photo.objects.get(pk=board.pk).image.name, MenuItem.objects.get(pk=item.pk).photo.name) == (
        "photos/2025/03/menu board.html",
        "items/2025/03/IMG_0001.JPG",
    )


def test_a_file_two_rows_share_is_deleted_only_once_neither_names_it(
    place_a, settings, django_capture_on_commit_callbacks
):
    # given two photos naming one old file
    default_storage.save("photos/2025/03/front.jpeg", ContentFile(phone_jpeg()))
    first = Photo.objects.create(place=place_a, image="photos/2025/03/front.jpeg")
    second = Photo.objects.create(place=place_a, image="photos/2025/03/front.jpeg")

    with django_capture_on_commit_callbacks(execute=True):
        _run()

    # then each has its own new file, and the old one is gone
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.image.name != second.image.name
    assert _stored_files(settings) == {
        first.image.name,
        second.image.name,
        *thumbnail_names(first.image.name),
        *thumbnail_names(second.image.name),
    }
