"""Staff actions on vendors and certificates, and how certificate files are opened."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from tests.factories import BusinessCertificateFactory, VendorFactory
from vendors.models import BusinessCertificate, Vendor

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return NOW


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _act(client, model_name, action, ids, **extra):
    url = reverse(f"admin:vendors_{model_name}_changelist")
    return client.post(url, {"action": action, "_selected_action": ids, **extra})


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "status"), [("verify", "verified"), ("reject", "rejected")])
def test_vendor_action_when_staff_sets_status_time_and_reviewer(staff_client, staff_user, frozen_now, action, status):
    # given two pending vendors and one that is not selected
    first, second, untouched = VendorFactory(), VendorFactory(), VendorFactory()

    # when
    response = _act(staff_client, "vendor", action, [first.pk, second.pk], note="Licence checked by phone")

    # then
    assert response.status_code == 302
    for vendor in Vendor.objects.filter(pk__in=[first.pk, second.pk]):
        assert vendor.verification_status == status
        assert vendor.verified_at == NOW
        assert vendor.verified_by == staff_user
        assert vendor.verification_note == "Licence checked by phone"
    untouched.refresh_from_db()
    assert (untouched.verification_status, untouched.verified_at, untouched.verified_by) == ("pending", None, None)


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "status"), [("approve", "approved"), ("reject", "rejected")])
def test_certificate_action_when_staff_sets_review(clean_s3, staff_client, staff_user, frozen_now, action, status):
    # given
    certificate = BusinessCertificateFactory()

    # when
    response = _act(staff_client, "businesscertificate", action, [certificate.pk], note="Expiry date readable")

    # then
    assert response.status_code == 302
    certificate = BusinessCertificate.objects.get(pk=certificate.pk)
    assert certificate.status == status
    assert certificate.reviewer == staff_user
    assert certificate.reviewed_at == NOW
    assert certificate.reviewer_note == "Expiry date readable"


@pytest.mark.django_db
def test_certificate_file_when_staff_redirects_to_short_lived_signed_url(clean_s3, staff_client, settings):
    # given
    certificate = BusinessCertificateFactory()

    # when
    response = staff_client.get(reverse("admin:vendors_businesscertificate_file", args=[certificate.pk]))

    # then: a signed link to the private bucket that expires in PRIVATE_FILE_URL_SECONDS
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}" == settings.AWS_S3_ENDPOINT_URL
    assert location.path == f"/{settings.AWS_PRIVATE_BUCKET_NAME}/private/{certificate.file.name}"
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert "X-Amz-Signature" in query
    assert query["X-Amz-Expires"] == [str(settings.PRIVATE_FILE_URL_SECONDS)]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_certificate_change_page_when_staff_links_the_admin_view_not_the_bucket(clean_s3, staff_client, settings):
    # given
    certificate = BusinessCertificateFactory()

    # when
    page = staff_client.get(reverse("admin:vendors_businesscertificate_change", args=[certificate.pk]))

    # then
    assert page.status_code == 200
    assert reverse("admin:vendors_businesscertificate_file", args=[certificate.pk]) in page.text
    assert settings.AWS_S3_ENDPOINT_URL not in page.text


@pytest.mark.django_db
def test_certificate_file_when_not_staff_redirects_to_login(clean_s3, client, consumer):
    # given
    certificate = BusinessCertificateFactory()
    client.force_login(consumer)

    # when
    response = client.get(reverse("admin:vendors_businesscertificate_file", args=[certificate.pk]))

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_certificate_file_when_local_private_storage_streams_the_file(staff_client, monkeypatch, tmp_path):
    # given the embedded defaults: private files on the local disk, outside MEDIA_ROOT
    local = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(BusinessCertificate._meta.get_field("file"), "storage", local)
    certificate = BusinessCertificateFactory()

    # when
    response = staff_client.get(reverse("admin:vendors_businesscertificate_file", args=[certificate.pk]))

    # then
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%test\n"
    assert response["Content-Type"] == "application/pdf"
