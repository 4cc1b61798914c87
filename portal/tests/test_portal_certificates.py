"""Certificates in the portal: content-checked upload to private S3, opened via short-lived links."""

import io
import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests import factories
from vendors.models import BusinessCertificate, CertificateStatus

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _keys(s3, settings) -> list[str]:
    return [obj["Key"] for obj in s3.list_objects_v2(Bucket=settings.AWS_PRIVATE_BUCKET_NAME).get("Contents", [])]


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def owner_client(client, owner_a):
    client.force_login(owner_a)
    return client


@pytest.mark.django_db
def test_certificate_upload_stores_file_in_private_s3_and_signed_link_serves_the_same_bytes(
    s3, settings, owner_client, vendor_a, owner_a
):
    # given an owner and a PDF
    before = set(_keys(s3, settings))
    upload = SimpleUploadedFile("permit.pdf", PDF, content_type="application/pdf")

    # when they upload it
    response = owner_client.post(
        reverse("portal:certificates"), {"kind": "health_permit", "expires_on": "2031-05-01", "file": upload}
    )

    # then one certificate row and one new private object exist
    assert response.status_code == 302
    certificate = BusinessCertificate.objects.get(vendor=vendor_a)
    assert (certificate.kind, str(certificate.expires_on), certificate.content_type, certificate.size_bytes) == (
        "health_permit",
        "2031-05-01",
        "application/pdf",
        len(PDF),
    )
    assert certificate.uploaded_by == owner_a
    assert certificate.original_filename == "permit.pdf"
    new_keys = set(_keys(s3, settings)) - before
    assert new_keys == {f"private/{certificate.file.name}"}
    assert certificate.file.name.startswith(f"certificates/vendor-{vendor_a.pk}/")

    # and the open link redirects to a presigned URL that expires and serves the same bytes
    opened = owner_client.get(reverse("portal:certificate_open", kwargs={"pk": certificate.pk}))
    assert opened.status_code == 302
    link = opened["Location"]
    assert link.startswith(settings.AWS_S3_ENDPOINT_URL)
    query = parse_qs(urlsplit(link).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert int(query["X-Amz-Expires"][0]) == settings.PRIVATE_FILE_URL_SECONDS
    with urllib.request.urlopen(link, timeout=5) as served:  # noqa: S310 - the local moto endpoint
        assert served.read() == PDF

    # and the bucket refuses the object without the signature
    unsigned = link.split("?", 1)[0]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned, timeout=5)  # noqa: S310
    assert refused.value.code == 403


@pytest.mark.django_db
def test_certificate_upload_accepts_a_real_jpeg_and_stores_it_as_jpg(s3, owner_client, vendor_a):
    upload = SimpleUploadedFile("scan.jpeg", _jpeg(), content_type="image/jpeg")

    response = owner_client.post(reverse("portal:certificates"), {"kind": "insurance", "file": upload})

    assert response.status_code == 302
    certificate = BusinessCertificate.objects.get(vendor=vendor_a)
    assert (certificate.content_type, certificate.file.name.rsplit(".", 1)[1]) == ("image/jpeg", "jpg")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        (
            "permit.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200,
            "this file&#x27;s content is none of them",
        ),
        ("permit.pdf", b"", "The submitted file is empty."),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "This image is damaged or not really an image."),
    ],
    ids=["renamed-exe", "empty", "fake-png"],
)
def test_certificate_upload_refuses_bad_content_with_a_message_and_stores_nothing(
    s3, settings, owner_client, vendor_a, filename, content, message
):
    # given the bucket as it is
    before = _keys(s3, settings)

    # when a file with bad content is uploaded
    upload = SimpleUploadedFile(filename, content, content_type="application/pdf")
    response = owner_client.post(reverse("portal:certificates"), {"kind": "health_permit", "file": upload})

    # then the page answers 400 with the message by the field, and nothing is stored
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "The certificate was not uploaded" in html
    assert _keys(s3, settings) == before
    assert BusinessCertificate.objects.count() == 0


@pytest.mark.django_db
def test_certificate_upload_refuses_an_oversized_file_and_stores_nothing(s3, settings, owner_client):
    settings.CERTIFICATE_MAX_BYTES = 1024
    before = _keys(s3, settings)
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, content_type="application/pdf")

    response = owner_client.post(reverse("portal:certificates"), {"kind": "health_permit", "file": upload})

    assert response.status_code == 400
    assert "The file is too large (0.0 MB); the limit is 0 MB." in response.content.decode()
    assert _keys(s3, settings) == before
    assert BusinessCertificate.objects.count() == 0


@pytest.mark.django_db
def test_certificate_list_shows_review_status_note_and_expiry_warnings(s3, owner_client, vendor_a):
    today = timezone.localdate()
    factories.BusinessCertificateFactory(
        vendor=vendor_a,
        kind="business_licence",
        expires_on=today + timedelta(days=10),
        status=CertificateStatus.REJECTED,
        reviewer_note="The scan is unreadable.",
    )
    factories.BusinessCertificateFactory(vendor=vendor_a, kind="insurance", expires_on=today - timedelta(days=1))
    factories.BusinessCertificateFactory(vendor=vendor_a, kind="fire_inspection", expires_on=today + timedelta(days=90))

    html = owner_client.get(reverse("portal:certificates")).content.decode()

    assert html.count("Expiring soon") == 1
    assert html.count(">Expired<") == 1
    assert "Rejected" in html
    assert "The scan is unreadable." in html


@pytest.mark.django_db
def test_site_staff_may_open_any_certificate(s3, client, staff_user, vendor_a):
    certificate = factories.BusinessCertificateFactory(vendor=vendor_a)
    client.force_login(staff_user)

    response = client.get(reverse("portal:certificate_open", kwargs={"pk": certificate.pk}))

    assert response.status_code == 302
    assert "Signature=" in response["Location"]


@pytest.fixture
def local_private_storage(tmp_path, monkeypatch):
    """The embedded default: certificates on the local file system (no S3)."""
    field = BusinessCertificate._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path / "private", base_url=None))
    return field.storage


@pytest.mark.django_db
def test_local_storage_certificate_is_streamed_through_a_signed_link(local_private_storage, owner_client, vendor_a):
    # given a certificate on local private storage
    upload = SimpleUploadedFile("permit.pdf", PDF, content_type="application/pdf")
    owner_client.post(reverse("portal:certificates"), {"kind": "health_permit", "file": upload})
    certificate = BusinessCertificate.objects.get(vendor=vendor_a)
    assert local_private_storage.exists(certificate.file.name)

    # when the owner opens it
    opened = owner_client.get(reverse("portal:certificate_open", kwargs={"pk": certificate.pk}))

    # then they are sent to a signed portal URL that streams the bytes
    link = opened["Location"]
    assert link.startswith("/portal/certificates/file/")
    served = owner_client.get(link)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == PDF
    assert served["Content-Type"] == "application/pdf"
    assert served["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_local_storage_signed_link_expires_and_cannot_be_forged(
    local_private_storage, owner_client, vendor_a, settings, monkeypatch
):
    upload = SimpleUploadedFile("permit.pdf", PDF, content_type="application/pdf")
    owner_client.post(reverse("portal:certificates"), {"kind": "health_permit", "file": upload})
    certificate = BusinessCertificate.objects.get(vendor=vendor_a)
    link = owner_client.get(reverse("portal:certificate_open", kwargs={"pk": certificate.pk}))["Location"]

    # a tampered token is refused
    assert owner_client.get(link[:-3] + "abc/").status_code == 404

    # and once PRIVATE_FILE_URL_SECONDS have passed, the genuine one is refused too
    later = timezone.now().timestamp() + settings.PRIVATE_FILE_URL_SECONDS + 1
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert owner_client.get(link).status_code == 404
