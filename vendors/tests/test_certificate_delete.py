"""Deleting a certificate: the row now, the private file by a task once the delete has committed."""

import pytest

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
