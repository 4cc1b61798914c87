import pytest

from tests.factories import BusinessCertificateFactory


@pytest.mark.django_db
def test_certificate_file_is_stored_in_private_s3_bucket(s3, settings):
    certificate = BusinessCertificateFactory()

    listed = s3.list_objects_v2(Bucket=settings.AWS_PRIVATE_BUCKET_NAME)["Contents"]

    assert [obj["Key"] for obj in listed] == [f"private/{certificate.file.name}"]
    assert "X-Amz-Signature" in certificate.file.url or "Signature" in certificate.file.url
