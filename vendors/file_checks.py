"""Content checks for uploaded files: the bytes decide what a file is, never its name.

Used by the certificate upload (PDF, JPEG, PNG); photos (JPEG, PNG) are checked and re-encoded by
vendors.images.clean_image, which sniffs and caps them with the pieces below.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

PDF_MAGIC = b"%PDF-"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

PHOTO_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str


_KINDS = {
    "pdf": CheckedFile("application/pdf", "pdf"),
    "jpeg": CheckedFile("image/jpeg", "jpg"),
    "png": CheckedFile("image/png", "png"),
}


def _head(file: UploadedFile, n: int = 16) -> bytes:
    file.seek(0)
    head = file.read(n)
    file.seek(0)
    return head


def sniff_kind(head: bytes) -> str | None:
    """ "pdf", "jpeg", "png" from the first bytes, or None."""
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if head.startswith(JPEG_MAGIC):
        return "jpeg"
    if head.startswith(PNG_MAGIC):
        return "png"
    return None


def _verify_image(file: UploadedFile, expected_format: str) -> None:
    file.seek(0)
    try:
        with Image.open(file) as image:
            actual = (image.format or "").lower()
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError("This image is damaged or not really an image.", code="bad_image") from exc
    finally:
        file.seek(0)
    if actual != expected_format:
        raise ValidationError("The image content does not match its type.", code="bad_image")


def check_size(file: UploadedFile, max_bytes: int) -> None:
    if file.size is None or file.size == 0:
        raise ValidationError("The file is empty.", code="empty")
    if file.size > max_bytes:
        raise ValidationError(
            f"The file is too large ({file.size / 1_048_576:.1f} MB); the limit is {max_bytes / 1_048_576:.0f} MB.",
            code="too_large",
        )


def check_document(file: UploadedFile, *, max_bytes: int) -> CheckedFile:
    """A certificate: PDF, JPEG or PNG by content, not empty, at most `max_bytes`."""
    check_size(file, max_bytes)
    kind = sniff_kind(_head(file))
    if kind is None:
        raise ValidationError("Upload a PDF, JPEG or PNG file (this file's content is none of them).", code="type")
    if kind != "pdf":
        _verify_image(file, kind)
    return _KINDS[kind]
