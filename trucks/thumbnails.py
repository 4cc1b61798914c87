"""Thumbnails of place photos and item photos: two WebP sizes, made once by Pillow in a Celery task.

Why Pillow in a task rather than easy-thumbnails or sorl-thumbnail: both make thumbnails lazily, on the
first request that asks for one (a storage read, a resize and a write inside a web request, and a
cache or database lookup per thumbnail on every later page), and keep their own tables or key-value
store. Our photos are already cleaned once on upload (vendors.images.clean_image) and stored in the
public S3 storage; the cards of a list must name their thumbnail without any lookup per card. So the
services enqueue `trucks.make_thumbnails` after commit, the task makes both sizes once, off the
request, stores them next to the photo in the same public storage under names derived from the
photo's own key (nothing to look up: the card computes the URL from the photo's name), and records
the photo's width and height on the row. "Width known" means "thumbnails stored": the row is only
updated after both files are written, and only if it still points at the same photo.
"""

import io
import logging
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import DEFAULT_STORAGE_ALIAS
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db.models import Model
from PIL import Image, ImageOps, UnidentifiedImageError

from trucks.models import MenuItem, Photo

logger = logging.getLogger(__name__)

# Longest side in pixels: 160 for a list's card, 480 for a card shown large (a phone's full width).
THUMBNAIL_SIZES = (160, 480)
SMALL, LARGE = THUMBNAIL_SIZES
THUMBNAIL_FOLDER = "thumbs"
WEBP_QUALITY = 80
# Photos and item photos are public files in the default storage (trucks.services.PHOTO_STORAGE).
THUMBNAIL_STORAGE = DEFAULT_STORAGE_ALIAS


@dataclass(frozen=True)
class ImageField:
    """Where a model keeps an image and its recorded size."""

    model: type[Model]
    name: str
    width: str
    height: str


PHOTO_IMAGE = ImageField(Photo, "image", "width", "height")
ITEM_PHOTO = ImageField(MenuItem, "photo", "photo_width", "photo_height")
# The task's names for them (a task takes plain values).
IMAGE_FIELDS = {"photo": PHOTO_IMAGE, "item": ITEM_PHOTO}


def thumbnail_name(image_name: str, size: int) -> str:
    """thumbs/<the photo's key without extension>-<size>.webp: derived, so nothing has to be looked up."""
    stem = PurePosixPath(image_name).with_suffix("")
    return f"{THUMBNAIL_FOLDER}/{stem}-{size}.webp"


def thumbnail_names(image_name: str) -> list[str]:
    """Every thumbnail file of a stored image (none for no image): deleted with it."""
    return [thumbnail_name(image_name, size) for size in THUMBNAIL_SIZES] if image_name else []


def thumbnail_url(image_name: str, size: int, *, storage: Storage | None = None) -> str:
    return (storage or storages[THUMBNAIL_STORAGE]).url(thumbnail_name(image_name, size))


def image_card(image_name: str, *, width: int | None, height: int | None) -> dict | None:
    """{thumb_url, large_thumb_url, url, width, height} of a stored image, or None without one.

    The thumbnails' URLs are null until they are made (width unknown): the client shows `url` meanwhile.
    Computed from the names alone, no storage request (the public storage's URLs are unsigned).
    """
    if not image_name:
        return None
    storage = storages[THUMBNAIL_STORAGE]
    made = width is not None
    return {
        "thumb_url": thumbnail_url(image_name, SMALL, storage=storage) if made else None,
        "large_thumb_url": thumbnail_url(image_name, LARGE, storage=storage) if made else None,
        "url": storage.url(image_name),
        "width": width,
        "height": height,
    }


def _render(content: bytes) -> tuple[int, int, dict[int, bytes]]:
    """The image's (width, height) and a WebP of each THUMBNAIL_SIZES (never larger than the image)."""
    with Image.open(io.BytesIO(content)) as opened:
        image = ImageOps.exif_transpose(opened)
        image.load()
    width, height = image.size
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
    image = image.convert(mode)
    made = {}
    for size in THUMBNAIL_SIZES:
        thumb = image.copy()
        thumb.thumbnail((size, size), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        thumb.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=4)
        made[size] = buffer.getvalue()
    return width, height, made


def thumbnails_make(*, kind: str, pk: int) -> bool:
    """Make and store the thumbnails of a photo ("photo") or an item's photo ("item"), record its size.

    Idempotent: a row whose size is already recorded, a row that is gone, or an item without a photo is
    left alone (False). The files are written under their derived names (an earlier partial run's files
    are replaced), then the row is updated only if it still has no size and still names the same image:
    a photo replaced meanwhile gets its own task. A stored file that is missing or no image is logged
    and left (False); storage errors raise, for the task to retry.
    """
    field = IMAGE_FIELDS[kind]
    row = field.model.objects.filter(pk=pk).values(field.name, field.width).first()
    if row is None or not row[field.name] or row[field.width] is not None:
        return False
    name = row[field.name]
    storage = storages[THUMBNAIL_STORAGE]
    try:
        with storage.open(name, "rb") as stored:
            content = stored.read()
        width, height, made = _render(content)
    except FileNotFoundError:
        logger.warning("thumbnails: %s %s: stored image %s is missing", kind, pk, name)
        return False
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, ValueError) as error:
        logger.warning("thumbnails: %s %s: %s is not a readable image: %s", kind, pk, name, error)
        return False
    for size, data in made.items():
        target = thumbnail_name(name, size)
        storage.delete(target)  # a partial earlier run: the storage would otherwise pick another name
        storage.save(target, ContentFile(data))
    updated = field.model.objects.filter(**{"pk": pk, field.name: name, f"{field.width}__isnull": True}).update(
        **{field.width: width, field.height: height}
    )
    return updated == 1


def thumbnails_missing(*, kind: str, after_id: int, limit: int) -> list[int]:
    """Ids (after `after_id`, by id) of rows with an image whose thumbnails are not made yet."""
    field = IMAGE_FIELDS[kind]
    return list(
        field.model.objects.filter(pk__gt=after_id, **{f"{field.width}__isnull": True})
        .exclude(**{field.name: ""})
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def thumbnails_backfill(*, batch_size: int = 200) -> dict[str, int]:
    """Thumbnails for every row that has none yet, one row at a time (ids read in batches by id): how
    many were made by kind, and how many rows were left (a missing or unreadable file)."""
    made = dict.fromkeys(IMAGE_FIELDS, 0) | {"left": 0}
    for kind in IMAGE_FIELDS:
        after_id = 0
        while batch := thumbnails_missing(kind=kind, after_id=after_id, limit=batch_size):
            for pk in batch:
                if thumbnails_make(kind=kind, pk=pk):
                    made[kind] += 1
                else:
                    made["left"] += 1
            after_id = batch[-1]
    return made
