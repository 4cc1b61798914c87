import pytest

from tests.factories import BusinessCertificateFactory


def _private_keys(s3, bucket: str) -> set[str]:
    return {obj["Key"] for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


@pytest.mark.django_db
def test_certificate_file_is_stored_in_private_s3_bucket(s3, settings):
    # given whatever other tests left in the shared local bucket
    before = _private_keys(s3, settings.AWS_PRIVATE_BUCKET_NAME)

    # when a certificate is stored
    certificate = BusinessCertificateFactory()

    # then exactly its file was added, under the private prefix, and it opens only through a signed link
    assert _private_keys(s3, settings.AWS_PRIVATE_BUCKET_NAME) - before == {f"private/{certificate.file.name}"}
    assert "X-Amz-Signature" in certificate.file.url or "Signature" in certificate.file.url
