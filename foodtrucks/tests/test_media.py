"""Stored files are answered typed by their key and with nosniff: local media serving and S3 objects.

The local route is served only with DEBUG (foodtrucks/urls.py); this module is a URLconf of the
project's routes plus that one, so the tests run it under the test settings.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile

from foodtrucks import urls as project_urls
from foodtrucks.media import media_urlpatterns
from tests.images import HTML_PAYLOAD, phone_jpeg, png_bytes, polyglot_png
from vendors.services import certificate_upload

urlpatterns = [*project_urls.urlpatterns, *media_urlpatterns()]
handler404 = project_urls.handler404

KEY = "photos/2026/12/0123456789abcdef0123456789abcdef"


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [(f"{KEY}.png", png_bytes(), "image/png"), (f"{KEY}.jpg", phone_jpeg(), "image/jpeg")],
)
def test_local_media_answers_an_image_with_its_type_and_nosniff(client, name, content, content_type):
    default_storage.save(name, ContentFile(content))

    response = client.get(f"/media/{name}")

    assert (response.status_code, response["Content-Type"], response["X-Content-Type-Options"]) == (
        200,
        content_type,
        "nosniff",
    )
    assert b"".join(response.streaming_content) == content


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("name", ["photos/2025/03/x.html", "photos/2025/03/x.svg", "photos/2025/03/x.bin"])
def test_local_media_does_not_answer_a_stored_file_that_is_not_an_image_key(client, name):
    # given a file stored the old way, under the client's name (manage.py media_rename_uploads renames it)
    default_storage.save(name, ContentFile(polyglot_png()))

    response = client.get(f"/media/{name}")

    assert response.status_code == 404
    assert HTML_PAYLOAD not in response.content


@pytest.mark.django_db
def test_s3_object_type_comes_from_its_key_not_from_the_uploads_own_type(public_s3, settings):
    # given an upload whose multipart part claims text/html (django-storages would store that type)
    upload = SimpleUploadedFile("x.html", png_bytes(), content_type="text/html")

    # when it is stored under an image key, and a file under any other key
    image = storages["default"].save(f"{KEY}.png", upload)
    other = storages["default"].save("photos/2026/12/legacy.html", ContentFile(polyglot_png()))

    # then S3 keeps the key's type: an image, or a download, never a page
    bucket = settings.AWS_STORAGE_BUCKET_NAME
    types = [public_s3.head_object(Bucket=bucket, Key=f"public/{name}")["ContentType"] for name in (image, other)]
    assert types == ["image/png", "application/octet-stream"]


@pytest.mark.django_db
def test_certificate_object_type_comes_from_its_checked_content(clean_s3, settings, owner_a, vendor_a):
    # given a PDF uploaded as page.html with the part's type text/html
    upload = SimpleUploadedFile("page.html", b"%PDF-1.4\n" + HTML_PAYLOAD, content_type="text/html")

    certificate = certificate_upload(
        vendor=vendor_a, uploaded_by=owner_a, kind="health_permit", file=upload, expires_on=None
    )

    head = clean_s3.head_object(Bucket=settings.AWS_PRIVATE_BUCKET_NAME, Key=f"private/{certificate.file.name}")
    assert (certificate.file.name.endswith(".pdf"), head["ContentType"]) == (True, "application/pdf")
