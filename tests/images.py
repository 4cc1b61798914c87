"""Hostile and ordinary image uploads for the tests, and what a clean stored image looks like."""

import io
import re

from PIL import Image

# A page appended after a valid image: browsers render it when the file is served as text/html.
HTML_PAYLOAD = b"<html><body><script>document.title='owned'</script></body></html>"
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.domain)</script></svg>'
)
# Where the phone was: 40°44'55" N, 73°59'11" W (EXIF GPS IFD tags 1-4).
GPS_IFD = 0x8825
GPS = {1: "N", 2: (40.0, 44.0, 55.0), 3: "W", 4: (73.0, 59.0, 11.0)}
EXIF_ORIENTATION = 0x0112
# EXIF orientation 6: the camera was turned; shown upright, the picture is turned 90° clockwise.
ROTATED_CLOCKWISE = 6
RED, BLUE = (220, 20, 20), (20, 20, 220)


def png_bytes(size: tuple[int, int] = (6, 4), color: tuple[int, int, int] = (0, 128, 0)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def polyglot_png() -> bytes:
    """A PNG that Pillow opens, with an HTML page after its last chunk."""
    return png_bytes() + HTML_PAYLOAD


def phone_jpeg() -> bytes:
    """An 8 × 4 JPEG as a phone stores it: left half red, right half blue, EXIF with the GPS position
    and orientation 6. Shown upright it is 4 × 8, red on top."""
    image = Image.new("RGB", (8, 4), BLUE)
    image.paste(RED, (0, 0, 4, 4))
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = ROTATED_CLOCKWISE
    exif[GPS_IFD] = GPS
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95, exif=exif.tobytes())
    return buffer.getvalue()


def dominant(pixel: tuple[int, ...]) -> str:
    """ "red" or "blue": which of the two colours a (lossy) JPEG pixel is."""
    return "red" if pixel[0] > pixel[2] else "blue"


def stored_key_regex(folder: str, extension: str) -> re.Pattern:
    """A random stored key: folder/year/month/32 hex digits.extension."""
    return re.compile(rf"{folder}/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.{extension}")


def png_ends_at_iend(content: bytes) -> bool:
    """Nothing after the PNG's last chunk (IEND and its CRC)."""
    return content.endswith(b"IEND\xaeB`\x82")


def jpeg_ends_at_eoi(content: bytes) -> bool:
    """Nothing after the JPEG's end-of-image marker."""
    return content.endswith(b"\xff\xd9")
