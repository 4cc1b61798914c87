"""Probes: /healthz answers without touching anything; /readyz reports each dependency."""

import socket

import pytest

from foodtrucks import cache as resilient_cache


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dead_redis_cache(settings):
    """The default cache pointed at a port where nothing listens."""
    location = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "foodtrucks.cache.ResilientRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield location
    resilient_cache._down_until.pop(location, None)


def test_healthz_when_called_answers_ok_without_queries(client, db, django_assert_num_queries):
    # given a running process
    # when the liveness probe is called
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    # then it answers ok and touches no database
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_when_posted_to_answers_405(client):
    assert client.post("/healthz").status_code == 405


def test_readyz_when_everything_answers_is_200_with_each_check(client, db):
    # when the readiness probe is called with PostgreSQL, Redis and the broker up
    response = client.get("/readyz")
    # then every check is ok
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert sorted(body["checks"]) == ["broker", "cache", "database:default"]
    assert {check["status"] for check in body["checks"].values()} == {"ok"}


def test_readyz_when_cache_is_down_is_503_naming_the_cache(client, db, dead_redis_cache):
    # given a cache server that does not answer
    # when the readiness probe is called
    response = client.get("/readyz")
    # then it is not ready, and says which dependency failed
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"] == {"status": "error", "error": "CacheUnavailable"}
    assert body["checks"]["database:default"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok"


def test_readyz_when_broker_is_down_is_503_naming_the_broker(client, db, settings):
    # given a Celery broker that does not answer
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    # when the readiness probe is called
    response = client.get("/readyz")
    # then it is not ready because of the broker only
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"] == {"status": "error", "error": "OperationalError"}
    assert checks["cache"]["status"] == "ok"


def test_readyz_when_cache_comes_back_is_ready_again_at_once(client, db, dead_redis_cache, settings):
    # given a failed probe that opened the cache circuit
    assert client.get("/readyz").status_code == 503
    # when Redis is reachable again (the real one)
    settings.CACHES = {
        "default": {
            "BACKEND": "foodtrucks.cache.ResilientRedisCache",
            "LOCATION": settings.REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # then the next probe is ready: ping() asks Redis itself, not the circuit
    assert client.get("/readyz").status_code == 200
