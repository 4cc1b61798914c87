"""Deleting a certificate: the row now, the private file by a task once the delete has committed."""

import pytest
from django.urls import reverse

from tests.factories import BusinessCertificateFactory
from vendors import services
from vendors.models import BusinessCertificate


def _keys(s3, settings) -> list[str]:
    return [obj["Key"] for obj in s3.list_objects_v2(Bucket=settings.AWS_PRIVATE_BUCKET_NAME).get("Contents", [])]


@pytest.mark.django_db
def test_certificate_delete_removes_the_private_file_only_after_commit(
    clean_s3, settings, django_capture_on_commit_callbacks
):
    # given a certificate stored in the private bucket
    certificate = BusinessCertificateFactory()
    key = f"private/{certificate.file.name}"
    assert key in _keys(clean_s3, settings)

    # when it is deleted
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_delete(certificate=certificate)
        # then, until the commit, the file stays (a rollback would leave the row pointing at it)
        assert key in _keys(clean_s3, settings)

    # and after it, the row and the file are gone
    assert not BusinessCertificate.objects.exists()
    assert key not in _keys(clean_s3, settings)


@pytest.mark.django_db
def test_certificate_deleted_in_the_admin_takes_its_private_file_along(
    clean_s3, settings, client, staff_user, django_capture_on_commit_callbacks
):
    # given two certificates, and a staff member in the admin
    first, second = BusinessCertificateFactory(), BusinessCertificateFactory()
    keys = [f"private/{first.file.name}", f"private/{second.file.name}"]
    client.force_login(staff_user)

    # when they delete both with the list's "delete selected" action
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:vendors_businesscertificate_changelist"),
            {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
        )

    # then the rows and their files are gone
    assert response.status_code == 302
    assert not BusinessCertificate.objects.exists()
    assert [key in _keys(clean_s3, settings) for key in keys] == [False, False]
