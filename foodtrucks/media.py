"""Stored files are answered with the type of their key's extension and `nosniff`, never a guess.

The services store every file under a random key with the extension of its checked content
(trucks.models photo keys, vendors.models certificate keys), so the extension is the type:
- on S3, `S3MediaStorage` sets each object's Content-Type from the key when it is written: not from
  the upload's own Content-Type header (django-storages' default takes that first) and not from a
  client's file name. S3 answers with the stored type and never guesses. An object cannot carry
  `X-Content-Type-Options`: the CDN in front adds it (docs/operations.md);
- locally (DEBUG), `serve_public_media` answers only image keys, with their type and `nosniff`.
"""

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.views.static import serve
from storages.backends.s3 import S3Storage

# Every type a stored file may be answered with, by its key's extension.
STORED_CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",  # thumbnails (trucks.thumbnails)
    "pdf": "application/pdf",
}
# Anything else is a download, never a page.
UNKNOWN_CONTENT_TYPE = "application/octet-stream"


def content_type_for(name: str) -> str:
    return STORED_CONTENT_TYPES.get(PurePosixPath(name).suffix[1:].lower(), UNKNOWN_CONTENT_TYPE)


class S3MediaStorage(S3Storage):
    """django-storages' S3 storage, with each object's Content-Type from its key alone."""

    def get_object_parameters(self, name: str) -> dict:
        return {**super().get_object_parameters(name), "ContentType": content_type_for(name)}


def serve_public_media(request: HttpRequest, path: str) -> HttpResponse:
    """A public file from MEDIA_ROOT (development only): images only, typed by their key, nosniff."""
    content_type = content_type_for(path)
    if not content_type.startswith("image/"):
        # Public storage holds photos only: an old name such as photos/x.html is not answered at all.
        raise Http404("Not an image.")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


def media_urlpatterns() -> list[URLPattern]:
    """The route of serve_public_media under MEDIA_URL (none when MEDIA_URL is another host)."""
    prefix = settings.MEDIA_URL
    if not prefix or urlsplit(prefix).netloc:
        return []
    return [re_path(rf"^{re.escape(prefix.lstrip('/'))}(?P<path>.*)$", serve_public_media, name="media")]
