"""clean_image: JPEG or PNG by content, re-encoded with nothing but the pixels, upright, size-capped."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, PngImagePlugin

from tests.images import (
    GPS,
    GPS_IFD,
    HTML_PAYLOAD,
    SVG,
    dominant,
    jpeg_ends_at_eoi,
    phone_jpeg,
    png_bytes,
    png_ends_at_iend,
    polyglot_png,
)
from vendors.images import clean_image


def _upload(content: bytes, name: str = "upload.bin", content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _refusal(content: bytes, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        clean_image(_upload(content), **kwargs)
    return refused.value.messages


@pytest.mark.parametrize("name", ["x.html", "x.svg", "x.png"])
def test_polyglot_png_whatever_its_name_comes_back_as_a_bare_png(name):
    # given a valid PNG with an HTML page appended, named as the attacker likes
    upload = _upload(polyglot_png(), name=name, content_type="text/html")

    # when it is cleaned
    cleaned = clean_image(upload)

    # then it is a PNG by its content, and nothing follows the image data
    assert (cleaned.extension, cleaned.content_type, cleaned.as_file().name) == ("png", "image/png", "image.png")
    assert png_ends_at_iend(cleaned.content)
    assert HTML_PAYLOAD not in cleaned.content
    with Image.open(io.BytesIO(cleaned.content)) as reread:
        assert (reread.format, reread.size, reread.getpixel((0, 0))) == ("PNG", (6, 4), (0, 128, 0))


def test_phone_jpeg_loses_its_exif_and_gps_and_is_turned_upright():
    # given a phone's JPEG: GPS position and orientation 6 in its EXIF
    with Image.open(io.BytesIO(phone_jpeg())) as original:
        assert (original.size, original.getexif().get_ifd(GPS_IFD)) == ((8, 4), GPS)

    # when it is cleaned
    cleaned = clean_image(_upload(phone_jpeg(), name="IMG_0001.JPG"))

    # then it is a JPEG without any EXIF, its pixels turned as the orientation said (red on top)
    assert (cleaned.extension, cleaned.content_type, cleaned.width, cleaned.height) == ("jpg", "image/jpeg", 4, 8)
    assert jpeg_ends_at_eoi(cleaned.content)
    assert b"Exif" not in cleaned.content
    with Image.open(io.BytesIO(cleaned.content)) as reread:
        assert (reread.format, reread.size, dict(reread.getexif())) == ("JPEG", (4, 8), {})
        assert (dominant(reread.getpixel((2, 1))), dominant(reread.getpixel((2, 6)))) == ("red", "blue")


def test_png_text_chunks_and_colour_profile_are_dropped():
    # given a PNG with a text chunk and an embedded colour profile
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "taken at 12 Elm Street")
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    Image.new("RGB", (3, 3), (10, 200, 30)).save(buffer, format="PNG", pnginfo=text, icc_profile=profile)

    # when it is cleaned
    cleaned = clean_image(_upload(buffer.getvalue()))

    # then neither is stored
    assert b"Elm Street" not in cleaned.content
    with Image.open(io.BytesIO(cleaned.content)) as reread:
        assert reread.info == {}


def test_transparent_palette_png_keeps_its_transparency_as_alpha():
    palette = Image.new("P", (2, 1))
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    palette.putpixel((1, 0), 1)
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG", transparency=0)

    cleaned = clean_image(_upload(buffer.getvalue()))

    with Image.open(io.BytesIO(cleaned.content)) as reread:
        assert (reread.mode, reread.getpixel((0, 0)), reread.getpixel((1, 0))) == (
            "RGBA",
            (0, 0, 0, 0),
            (255, 0, 0, 255),
        )


def test_multi_picture_jpeg_from_a_phone_is_accepted_as_its_first_picture():
    # given an MPO (a JPEG with a second picture, as many phones write)
    buffer = io.BytesIO()
    Image.new("RGB", (6, 4), (220, 20, 20)).save(
        buffer, format="MPO", save_all=True, append_images=[Image.new("RGB", (6, 4), (20, 20, 220))]
    )

    cleaned = clean_image(_upload(buffer.getvalue(), name="photo.jpg"))

    with Image.open(io.BytesIO(cleaned.content)) as reread:
        assert (reread.format, reread.size, dominant(reread.getpixel((3, 2)))) == ("JPEG", (6, 4), "red")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (SVG, "SVG images are not accepted (they can carry scripts): upload a JPEG or PNG photo."),
        (
            b"\xef\xbb\xbf  <svg xmlns='http://www.w3.org/2000/svg'/>",
            "SVG images are not accepted (they can carry scripts): upload a JPEG or PNG photo.",
        ),
        (b"<html><body>hello</body></html>", "Upload a JPEG or PNG photo."),
        (b"%PDF-1.4 a document", "Upload a JPEG or PNG photo."),
        (b"GIF89a\x01\x00\x01\x00", "Upload a JPEG or PNG photo."),
        (png_bytes()[:40], "This image is damaged or not really an image."),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "This image is damaged or not really an image."),
    ],
    ids=["svg", "svg-after-bom", "html", "pdf", "gif", "truncated-png", "png-magic-only"],
)
def test_anything_but_a_readable_jpeg_or_png_is_refused_with_a_clear_message(content, message):
    assert _refusal(content) == [message]


def test_image_over_the_pixel_cap_is_refused_before_it_is_decoded():
    # given a small file that decodes to 5,000 × 2,000 pixels (10 MP)
    buffer = io.BytesIO()
    Image.new("1", (5000, 2000)).save(buffer, format="PNG")
    assert len(buffer.getvalue()) < 20_000

    # then with a 4 MP cap it is refused, by its size in pixels
    assert _refusal(buffer.getvalue(), max_pixels=4_000_000) == [
        "This image is too large in pixels (5000 × 2000); the limit is 4 megapixels."
    ]


def test_decompression_bomb_beyond_pillows_own_limit_is_refused_with_the_same_message():
    # given a PNG header claiming 20,000 × 10,000 pixels (200 MP: Pillow refuses it on open)
    buffer = io.BytesIO()
    Image.new("1", (20000, 10000)).save(buffer, format="PNG")

    assert _refusal(buffer.getvalue()) == ["This image is too large in pixels; the limit is 40 megapixels."]


def test_upload_over_the_byte_cap_or_empty_is_refused():
    one_and_a_half_mb = png_bytes() + b"\0" * (1_572_864 - len(png_bytes()))

    assert _refusal(one_and_a_half_mb, max_bytes=1_048_576) == ["The file is too large (1.5 MB); the limit is 1 MB."]
    assert _refusal(b"") == ["The file is empty."]
