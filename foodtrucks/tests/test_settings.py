"""Settings from the environment: embedded defaults, PostgreSQL/Redis/S3 when configured, production."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROBE = """
import json, sys, threading, types, django
from django.conf import settings

# A stand-in for pgserver: the settings' choice of database is under test, not a second real server.
started = []
def get_server(pgdata):
    started.append(str(pgdata))
    return types.SimpleNamespace(
        get_postmaster_info=lambda: types.SimpleNamespace(socket_dir=pgdata),
        _lock=threading.Lock(),
        global_process_id_list=types.SimpleNamespace(get=lambda: []),
    )
sys.modules["pgserver"] = types.SimpleNamespace(get_server=get_server)

django.setup()
from django.core.files.storage import storages
private = storages["private"]
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "db_host": settings.DATABASES["default"].get("HOST", ""),
    "db_user": settings.DATABASES["default"].get("USER", ""),
    "embedded_started": started,
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION", ""),
    "broker": settings.CELERY_BROKER_URL,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "debug": settings.DEBUG,
    "default_storage": settings.STORAGES["default"]["BACKEND"],
    "private_storage": settings.STORAGES["private"]["BACKEND"],
    "public_signed": settings.STORAGES["default"].get("OPTIONS", {}).get("querystring_auth"),
    "private_signed": settings.STORAGES["private"].get("OPTIONS", {}).get("querystring_auth"),
    "private_expire": settings.STORAGES["private"].get("OPTIONS", {}).get("querystring_expire"),
    "private_url": private.url("certificates/vendor-1/permit.pdf") if hasattr(private, "bucket_name") else None,
}))
"""
PRODUCTION_SECRETS = {
    "DJANGO_SECRET_KEY": "k7#Qv9!pLz2@Wm4$Rt6^Yn8&Bc1*Xd3(Fg5)Hj0_Ks-Ua+Ie=Oo",
    "DJANGO_ALLOWED_HOSTS": "foodtrucks.example.com",
    "DATABASE_URL": "postgres://app:secret@db.internal:5432/foodtrucks",
    "REDIS_URL": "redis://cache.internal:6379/0",
}


def _run(args: list[str], settings_module: str, **env: str) -> subprocess.CompletedProcess:
    """Run Python with a clean environment: only PATH, the settings module and what the test gives."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": settings_module, **env}
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def _probe(**env: str) -> dict:
    result = _run(["-c", PROBE], "foodtrucks.settings.local", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module", autouse=True)
def _no_dotenv():
    # A developer's .env would change the defaults under test.
    assert not (BASE_DIR / ".env").exists(), "tests of the embedded defaults need no .env file"


def test_local_settings_when_no_environment_use_embedded_defaults():
    found = _probe()

    assert found["embedded_started"] == [str(BASE_DIR / ".pgdata")]
    assert (found["engine"], found["db_host"], found["db_user"], found["db_name"]) == (
        "django.db.backends.postgresql",
        str(BASE_DIR / ".pgdata"),  # the server's Unix socket folder
        "postgres",
        "postgres",
    )
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["eager"] is True
    assert found["broker"] == "memory://"
    assert found["debug"] is True
    assert found["default_storage"] == "django.core.files.storage.FileSystemStorage"
    assert found["private_storage"] == "django.core.files.storage.FileSystemStorage"


def test_local_settings_when_database_url_postgres_use_postgresql():
    found = _probe(DATABASE_URL="postgres://app:secret@db.internal:5433/trucks")

    assert found["embedded_started"] == []
    assert (found["engine"], found["db_name"], found["db_host"]) == (
        "django.db.backends.postgresql",
        "trucks",
        "db.internal",
    )


def test_local_settings_when_redis_url_use_redis_cache_and_broker():
    found = _probe(REDIS_URL="redis://cache.internal:6379/2")

    assert found["cache"] == "foodtrucks.cache.ResilientRedisCache"
    assert found["cache_location"] == "redis://cache.internal:6379/2"
    assert found["broker"] == "redis://cache.internal:6379/2"
    assert found["eager"] is False


def test_local_settings_when_bucket_given_use_s3_with_signed_private_links():
    found = _probe(
        AWS_STORAGE_BUCKET_NAME="foodtrucks-media",
        AWS_PRIVATE_BUCKET_NAME="foodtrucks-private",
        AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY="example-secret",
        PRIVATE_FILE_URL_SECONDS="120",
    )

    assert found["default_storage"] == "foodtrucks.media.S3MediaStorage"
    assert found["private_storage"] == "foodtrucks.media.S3MediaStorage"
    assert (found["public_signed"], found["private_signed"], found["private_expire"]) == (False, True, 120)
    assert "foodtrucks-private" in found["private_url"]
    assert "X-Amz-Signature=" in found["private_url"]  # Signature Version 4
    assert "X-Amz-Expires=120" in found["private_url"]


def test_production_settings_when_secrets_given_pass_check_deploy():
    result = _run(["manage.py", "check", "--deploy"], "foodtrucks.settings.production", **PRODUCTION_SECRETS)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_when_no_secret_key_refuse_to_start():
    env = {k: v for k, v in PRODUCTION_SECRETS.items() if k != "DJANGO_SECRET_KEY"}

    result = _run(["manage.py", "check"], "foodtrucks.settings.production", **env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_when_debug_asked_refuse_to_start():
    result = _run(["manage.py", "check"], "foodtrucks.settings.production", DJANGO_DEBUG="true", **PRODUCTION_SECRETS)

    assert result.returncode != 0
    assert "DJANGO_DEBUG must not be set" in result.stderr
