"""A real local S3 endpoint for the test session: moto_server on the port the settings chose."""

import shutil
import subprocess
import time
import urllib.request
from contextlib import contextmanager

import boto3
from django.conf import settings


def _wait_until_up(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not answer at {url}")


@contextmanager
def running_moto_server():
    executable = shutil.which("moto_server")
    if executable is None:
        raise RuntimeError("moto_server is not installed (pip install 'moto[server]')")
    process = subprocess.Popen(
        [executable, "-H", "127.0.0.1", "-p", str(settings.MOTO_PORT)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(f"{settings.AWS_S3_ENDPOINT_URL}/moto-api/")
        client = boto3.client(
            "s3",
            endpoint_url=settings.AWS_S3_ENDPOINT_URL,
            aws_access_key_id=settings.AWS_ACCESS_KEY_ID,
            aws_secret_access_key=settings.AWS_SECRET_ACCESS_KEY,
            region_name="us-east-1",
        )
        for bucket in {settings.AWS_STORAGE_BUCKET_NAME, settings.AWS_PRIVATE_BUCKET_NAME}:
            client.create_bucket(Bucket=bucket)
        yield client
    finally:
        process.terminate()
        process.wait(timeout=10)


def empty_s3_buckets(client) -> None:
    """Delete every object of the test buckets: what one test stores never shows up in another."""
    for bucket in {settings.AWS_STORAGE_BUCKET_NAME, settings.AWS_PRIVATE_BUCKET_NAME}:
        keys = [obj["Key"] for obj in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in keys]})
