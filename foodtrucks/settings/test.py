"""Test settings: PostgreSQL and Redis (the real parts), S3 through a local moto_server."""

import socket

from .base import *  # noqa: F403
from .base import BASE_DIR, _eventstream_redis, _storages, env

DEBUG = False
DATABASES = {
    "default": {
        **env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/foodtrucks"),
        "CONN_MAX_AGE": 0,
    },
}


def _worker_redis_url(url: str, worker: str) -> str:
    """Each pytest-xdist worker gets its own Redis database: cache.clear() flushes a whole database."""
    if not worker.startswith("gw"):
        return url
    base, _, db = url.rpartition("/")
    return f"{base}/{(int(db or 0) + int(worker[2:])) % 16}"


REDIS_URL = _worker_redis_url(
    env("REDIS_URL", default="redis://127.0.0.1:6379/1"), env("PYTEST_XDIST_WORKER", default="")
)
CACHES = {
    "default": {
        "BACKEND": "foodtrucks.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "test-" + env("PYTEST_XDIST_WORKER", default="main"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
CELERY_BROKER_URL = REDIS_URL
EVENTSTREAM_REDIS = _eventstream_redis(REDIS_URL)
EVENTSTREAM_STORAGE_CLASS = "live.storage.ReplayWindowStorage"
# Detail reads write their view in the request, as before the buffer; consumers/tests/test_view_buffer.py
# turns the buffer on.
PLACE_VIEW_BUFFER = False
CELERY_TASK_ALWAYS_EAGER = True

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Maps draw no tiles in tests (no network); the reverse geocoder is off unless a test turns it on.
MAP_TILE_URL = ""
REVERSE_GEOCODER_URL = ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The test session starts moto_server on this port (tests/s3.py); each xdist worker has its own.
MOTO_PORT = env.int("MOTO_PORT", default=0) or _free_port()
AWS_S3_ENDPOINT_URL = f"http://127.0.0.1:{MOTO_PORT}"
AWS_STORAGE_BUCKET_NAME = "foodtrucks-test-public"
AWS_PRIVATE_BUCKET_NAME = "foodtrucks-test-private"
AWS_ACCESS_KEY_ID = "testing"
AWS_SECRET_ACCESS_KEY = "testing"  # noqa: S105 - moto accepts any key
# Photos go to a temporary folder; certificates to the real (local) S3 endpoint.
STORAGES = {
    **_storages(use_s3=False),
    "private": {
        "BACKEND": _storages(use_s3=True)["private"]["BACKEND"],
        "OPTIONS": {
            **_storages(use_s3=True)["private"]["OPTIONS"],
            # _storages() reads base.py's values (from the environment); these are the test session's.
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "bucket_name": AWS_PRIVATE_BUCKET_NAME,
            "access_key": AWS_ACCESS_KEY_ID,
            "secret_key": AWS_SECRET_ACCESS_KEY,
        },
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".test-media"

# --- operations (docs/operations.md) ------------------------------------------------------------
# django-axes is off in tests: its backend refuses authenticate() without a request, which is what
# Client.login() does. Tests of the lockout itself turn it on with the `axes_enabled` fixture
# (conftest.py); force_login() works either way.
AXES_ENABLED = False
