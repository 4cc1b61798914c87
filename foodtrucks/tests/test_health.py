"""Probes: /healthz answers without touching anything; /readyz fails only for the databases and reports
the cache and the broker; /healthz/dependencies fails for any of them."""

import logging
import socket
import threading

import pytest
from django.db.utils import OperationalError

from foodtrucks import cache as resilient_cache
from foodtrucks import health


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def generous_budget(monkeypatch):
    """Time enough for every check to finish on a busy machine: these tests assert what each one says."""
    monkeypatch.setattr(health, "READY_OPTIONAL_BUDGET_SECONDS", 10)
    monkeypatch.setattr(health, "DEPENDENCIES_BUDGET_SECONDS", 10)


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


@pytest.fixture
def dead_broker(settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"


@pytest.fixture
def unreachable_replica(monkeypatch):
    """A second database alias, as DATABASE_REPLICA_URL adds, whose server refuses connections.

    Django's test case refuses connections to aliases it was not set up with, so the replica's check
    is stood in for here; a real PostgreSQL stopped under a live server is test_faults.py's.
    """
    real_check = health.check_database

    def check_database(alias):
        if alias == "replica":
            raise OperationalError('connection to server at "10.0.0.9", port 5432 failed: Connection refused')
        real_check(alias)

    monkeypatch.setattr(health, "database_aliases", lambda: ["default", "replica"])
    monkeypatch.setattr(health, "check_database", check_database)


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


def test_readyz_when_everything_answers_is_200_with_each_check(client, db, generous_budget):
    # when the readiness probe is called with PostgreSQL, Redis and the broker up
    response = client.get("/readyz")
    # then every check is ok and nothing is degraded
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["degraded"]) == ("ok", [])
    assert sorted(body["checks"]) == ["broker", "cache", "database:default"]
    assert {check["status"] for check in body["checks"].values()} == {"ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_when_cache_is_down_stays_ready_and_names_the_cache(
    client, db, dead_redis_cache, generous_budget, caplog
):
    # given a cache server that does not answer (the app serves cache misses meanwhile)
    # when the readiness probe is called
    with caplog.at_level(logging.WARNING, logger="foodtrucks.health"):
        response = client.get("/readyz")
    # then the process stays in rotation, and the body and the log say what is down
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["degraded"]) == ("ok", ["cache"])
    assert body["checks"]["cache"] == {"status": "down", "error": "CacheUnavailable"}
    assert body["checks"]["database:default"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok"
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "foodtrucks.health"]
    assert [(level, message.split(" (")[0]) for level, message in logged] == [("WARNING", "dependency down: cache")]
    assert logged[0][1].endswith("; serving degraded, still ready")


def test_readyz_when_broker_is_down_stays_ready_and_names_the_broker(client, db, dead_broker, generous_budget):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["degraded"]) == ("ok", ["broker"])
    assert body["checks"]["broker"] == {"status": "down", "error": "OperationalError"}
    assert body["checks"]["cache"]["status"] == "ok"


def test_readyz_when_cache_and_broker_are_down_is_still_200(client, db, dead_redis_cache, dead_broker, generous_budget):
    response = client.get("/readyz")
    assert (response.status_code, response.json()["degraded"]) == (200, ["cache", "broker"])


def test_readyz_when_the_replica_is_unreachable_is_503(client, db, unreachable_replica, generous_budget):
    # given a configured replica that cannot be reached: the router sends reads there, and they would fail
    # when the readiness probe is called
    response = client.get("/readyz")
    # then the process is taken out of rotation, naming that database
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["degraded"]) == ("unavailable", [])
    assert body["checks"]["database:replica"] == {"status": "down", "error": "OperationalError"}
    assert body["checks"]["database:default"]["status"] == "ok"


def test_readyz_when_cache_comes_back_reports_it_at_once(client, db, dead_redis_cache, settings, generous_budget):
    # given a probe that found the cache down (and opened the cache circuit)
    assert client.get("/readyz").json()["degraded"] == ["cache"]
    # when Redis is reachable again (the real one)
    settings.CACHES = {
        "default": {
            "BACKEND": "foodtrucks.cache.ResilientRedisCache",
            "LOCATION": settings.REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # then the next probe says so: ping() asks Redis itself, not the circuit
    response = client.get("/readyz")
    assert (response.status_code, response.json()["degraded"]) == (200, [])


def test_readyz_when_a_check_hangs_answers_within_its_budget_and_probes_do_not_pile_up(
    client, db, monkeypatch, settings
):
    # given a cache check that does not return (a Redis that accepts and never answers)
    released = threading.Event()
    calls = []

    def hanging_check():
        calls.append(1)
        released.wait(timeout=30)

    monkeypatch.setattr(health, "check_cache", hanging_check)
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": "redis://hanging:1/0"}}
    try:
        # when two probes come while it hangs
        first = client.get("/readyz")
        second = client.get("/readyz")
    finally:
        released.set()
    # then both answer (the budget is spent, not the check's own timeout), in rotation, the cache
    # down by timeout; the second joined the running check instead of starting another
    for response in (first, second):
        assert response.status_code == 200
        assert response.json()["checks"]["cache"] == {"status": "down", "error": "Timeout"}
    assert len(calls) == 1


def test_dependencies_when_everything_answers_is_200(client, db, generous_budget):
    response = client.get("/healthz/dependencies")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["down"]) == ("ok", [])
    assert sorted(body["checks"]) == ["broker", "cache", "database:default"]
    assert "no-cache" in response["Cache-Control"]


def test_dependencies_when_cache_and_broker_are_down_is_503_naming_both(
    client, db, dead_redis_cache, dead_broker, generous_budget
):
    # given Redis down for both the cache and the broker: the web process is still ready
    assert client.get("/readyz").status_code == 200
    # when the dependency check is called (dashboards, alerting)
    response = client.get("/healthz/dependencies")
    # then it fails, naming each one
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["down"]) == ("down", ["cache", "broker"])
    assert body["checks"]["cache"] == {"status": "down", "error": "CacheUnavailable"}
    assert body["checks"]["broker"] == {"status": "down", "error": "OperationalError"}


def test_dependencies_when_the_replica_is_unreachable_is_503(client, db, unreachable_replica, generous_budget):
    response = client.get("/healthz/dependencies")
    assert (response.status_code, response.json()["down"]) == (503, ["database:replica"])
