"""Cleaning an uploaded image before it is stored: the one function every image upload goes through.

The upload's bytes decide what it is (JPEG or PNG, by content, as vendors.file_checks); it is then
decoded and encoded again by Pillow, in the same format (a JPEG stays a JPEG, a PNG stays a PNG: no
format normalisation, so a PNG keeps its transparency). Re-encoding keeps only the pixels, so
- whatever was appended or embedded (an HTML or script payload after the image data: a polyglot) is gone;
- every metadata block is gone: EXIF (a phone's GPS position, the camera's serial number), XMP, ICC
  profiles (the colours are first converted to sRGB, so the photo still looks the same), comments and
  text chunks; the EXIF orientation is applied to the pixels first, so the photo stays upright.
The decoded size is capped in pixels (a small file can decode to gigabytes: a decompression bomb), and
the upload in bytes. The caller names the stored file: a random key with `extension` (trucks.models).
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from vendors.file_checks import PHOTO_MAX_BYTES, check_size, sniff_kind

# 40 megapixels: more than any phone's default photo (12–24 MP), and its decoded RGBA (160 MB) is
# what a web worker can afford once. Pillow's own alarm (MAX_IMAGE_PIXELS, 89 MP) comes later.
PHOTO_MAX_PIXELS = 40_000_000

# The formats an image may be stored in, by the kind sniff_kind reads from the first bytes.
_FORMATS = {
    # Many phones write MPO (a JPEG with extra frames: depth maps, previews); the first frame is the photo.
    "jpeg": {"read": {"JPEG", "MPO"}, "write": "JPEG", "extension": "jpg", "content_type": "image/jpeg"},
    "png": {"read": {"PNG"}, "write": "PNG", "extension": "png", "content_type": "image/png"},
}
IMAGE_EXTENSIONS = tuple(spec["extension"] for spec in _FORMATS.values())
JPEG_QUALITY = 90

_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded image: the bytes to store, their type, and the extension its stored key takes."""

    content: bytes
    content_type: str
    extension: str
    width: int
    height: int

    def as_file(self) -> ContentFile:
        """The bytes as a file to assign to an ImageField; the name only carries the extension."""
        return ContentFile(self.content, name=f"image.{self.extension}")


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<") and b"<svg" in text


def _read_head(file, n: int = 1024) -> bytes:
    file.seek(0)
    head = file.read(n)
    file.seek(0)
    return head


def _kind(file) -> str:
    head = _read_head(file)
    kind = sniff_kind(head)
    if kind in _FORMATS:
        return kind
    if _looks_like_svg(head):
        raise ValidationError(
            "SVG images are not accepted (they can carry scripts): upload a JPEG or PNG photo.", code="svg"
        )
    raise ValidationError("Upload a JPEG or PNG photo.", code="type")


def _too_many_pixels(max_pixels: int, size: str = "") -> ValidationError:
    return ValidationError(
        f"This image is too large in pixels{size}; the limit is {max_pixels / 1_000_000:g} megapixels.",
        code="too_many_pixels",
    )


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """The pixels in sRGB, so that dropping the embedded colour profile does not shift the colours."""
    if not icc_profile or image.mode not in ("RGB", "RGBA", "L", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        # A broken profile: keep the pixels as they are (most profiles are sRGB anyway).
        return image


def _storable(image: Image.Image, write_format: str) -> Image.Image:
    """The image in a mode its format stores plainly: L or RGB for JPEG; L, LA, RGB or RGBA for PNG.

    A PNG's transparency survives as an alpha channel (a palette's or a single transparent colour
    lives in `info`, which is dropped before saving).
    """
    if write_format == "JPEG":
        return image if image.mode in ("L", "RGB") else image.convert("RGB")
    if "transparency" in image.info:
        return image.convert("RGBA")
    if image.mode in ("L", "LA", "RGB", "RGBA"):
        return image
    if image.mode.startswith("I"):
        # 16- or 32-bit greyscale: scaled down to 8 bits (convert("L") would clip it to white).
        return image.convert("I").point(lambda value: value / 256).convert("L")
    return image.convert("RGBA" if image.mode in ("PA", "La") else "RGB")


def clean_image(
    file: UploadedFile, *, max_bytes: int | None = PHOTO_MAX_BYTES, max_pixels: int = PHOTO_MAX_PIXELS
) -> CleanImage:
    """The upload re-encoded without anything but its pixels, or a ValidationError saying why not.

    `max_bytes` caps the upload itself (None: no cap, for files already stored); `max_pixels` its
    decoded size, checked from the header before anything is decoded.
    """
    if max_bytes is not None:
        check_size(file, max_bytes)
    kind = _kind(file)
    spec = _FORMATS[kind]
    damaged = ValidationError("This image is damaged or not really an image.", code="bad_image")
    file.seek(0)
    try:
        # Opening reads the header only; the pixel cap is checked before load() decodes anything.
        # (Pillow itself refuses twice its MAX_IMAGE_PIXELS already in open(): DecompressionBombError.)
        with Image.open(file) as opened:
            if opened.format not in spec["read"]:
                raise ValidationError("The image content does not match its type.", code="bad_image")
            width, height = opened.size
            if width * height > max_pixels:
                raise _too_many_pixels(max_pixels, f" ({width} × {height})")
            opened.seek(0)
            opened.load()
            icc_profile = opened.info.get("icc_profile")
            upright = ImageOps.exif_transpose(opened)
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(max_pixels) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise damaged from exc
    finally:
        file.seek(0)

    image = _storable(_to_srgb(upright, icc_profile), spec["write"])
    # Nothing of the upload's metadata may ride along: Pillow's writers fall back to `info` for some
    # blocks (a PNG's ICC profile and text, a JPEG's comment).
    image.info = {}
    out = io.BytesIO()
    if spec["write"] == "JPEG":
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        image.save(out, format="PNG")
    return CleanImage(
        content=out.getvalue(),
        content_type=spec["content_type"],
        extension=spec["extension"],
        width=image.width,
        height=image.height,
    )
