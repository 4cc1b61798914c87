"""Fixtures shared by every app's tests: users and roles, API clients, the local S3 endpoint."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from foodtrucks.celery import app as celery_app
from tests import factories, mail
from tests.s3 import empty_s3_buckets, running_moto_server
from vendors.models import Role

# Fixtures kept beside their helpers: a spare Redis server (tests/spare_redis.py).
pytest_plugins = ["tests.spare_redis"]


@pytest.fixture(autouse=True)
def _clean_cache():
    """Throttle counters and cached lists never leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 endpoint (moto_server) with the test buckets; yields a boto3 client."""
    with running_moto_server() as client:
        yield client


@pytest.fixture
def s3(s3_server, settings):
    yield s3_server


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def consumer(db):
    return factories.UserFactory(email="consumer@example.com")


def token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def consumer_client(consumer):
    return token_client(consumer)


@pytest.fixture
def staff_user(db):
    return factories.StaffUserFactory(email="admin@example.com")


@pytest.fixture
def vendor_a(db):
    return factories.VendorFactory(business_name="Vendor A")


@pytest.fixture
def vendor_b(db):
    return factories.VendorFactory(business_name="Vendor B")


def _member(vendor, role, email):
    user = factories.UserFactory(email=email)
    factories.VendorMemberFactory(vendor=vendor, user=user, role=role)
    return user


@pytest.fixture
def owner_a(vendor_a):
    return _member(vendor_a, Role.OWNER, "owner-a@example.com")


@pytest.fixture
def manager_a(vendor_a):
    return _member(vendor_a, Role.MANAGER, "manager-a@example.com")


@pytest.fixture
def staff_a(vendor_a):
    return _member(vendor_a, Role.STAFF, "staff-a@example.com")


@pytest.fixture
def owner_b(vendor_b):
    return _member(vendor_b, Role.OWNER, "owner-b@example.com")


@pytest.fixture
def place_a(vendor_a):
    return factories.PlaceFactory(vendor=vendor_a, name="Taco Truck A")


@pytest.fixture
def place_b(vendor_b):
    return factories.PlaceFactory(vendor=vendor_b, name="Burger Stand B", kind="stand")


@pytest.fixture
def axes_enabled(settings, db):
    """Brute-force protection on (it is off in test settings so Client.login() keeps working)."""
    settings.AXES_ENABLED = True
    yield settings


@pytest.fixture
def clean_s3(s3):
    """The local S3 endpoint, emptied after the test."""
    yield s3
    empty_s3_buckets(s3)


@pytest.fixture
def public_s3(settings, clean_s3):
    """Public files (photos) on the local S3 endpoint, as in production: the default storage switched to
    the settings' S3 storage for this test; yields the boto3 client."""
    private = settings.STORAGES["private"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": private["BACKEND"],
            "OPTIONS": {
                **private["OPTIONS"],
                "bucket_name": settings.AWS_STORAGE_BUCKET_NAME,
                "location": "public",
                "default_acl": None,
                "querystring_auth": False,
            },
        },
    }
    yield clean_s3


@pytest.fixture
def smtp_outage(settings):
    """Email goes through a server that drops the connection: every attempt fails unless the test sets
    `smtp_outage.failures` lower; `smtp_outage.attempts` counts them."""
    settings.EMAIL_BACKEND = "tests.mail.OutageEmailBackend"
    mail.outage.attempts, mail.outage.failures = 0, 1_000
    return mail.outage


@pytest.fixture
def eager_retries():
    """In-process tasks retry as on a worker. (While eager tasks propagate their errors, as in the test
    settings, Celery raises a task's first Retry to the caller instead of running the retry.)"""
    saved = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = saved
