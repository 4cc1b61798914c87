"""Faults: the app keeps answering (and stays ready) while Redis is down, and answers 503 (then
recovers by itself) while PostgreSQL is down. Every service stopped here is a private instance
started by the test; the machine's shared Redis and PostgreSQL are never touched."""

import concurrent.futures
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db.utils import InterfaceError, OperationalError
from django.test import Client, RequestFactory
from django.urls import path
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from foodtrucks import cache as resilient_cache
from foodtrucks import health
from foodtrucks.errors import server_error
from foodtrucks.middleware import ServiceUnavailableMiddleware
from foodtrucks.urls import handler400, handler403, handler404, handler500  # noqa: F401 - the project's

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SERVICE_START_SECONDS = 15


def _database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("api/v1/needs-db/", _database_gone),
    path("portal/needs-db/", _database_gone),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(probe, *, what: str, seconds: float = SERVICE_START_SECONDS):
    """Poll a readiness probe until it passes (a start-up wait, not a timing assumption)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if probe():
                return
        except (OSError, redis.RedisError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not come up within {seconds}s")
        time.sleep(0.05)


# --- the 503 answer, in process ---------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_api_request_when_database_is_unreachable_is_503_json_with_retry_after(client):
    response = client.get("/api/v1/needs-db/")
    assert response.status_code == 503
    assert response.json() == {"detail": "Service temporarily unavailable.", "errors": {}}
    assert response["Retry-After"] == "5"


@pytest.mark.urls(__name__)
def test_portal_request_when_database_is_unreachable_is_a_503_page(client):
    response = client.get("/portal/needs-db/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "<h1>Back in a moment</h1>" in response.content.decode()


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("gone"),
        InterfaceError("connection already closed"),
        BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
    ],
)
def test_unavailable_middleware_when_database_or_broker_errors_answers_503(error):
    request = RequestFactory().get("/api/v1/places/")
    response = ServiceUnavailableMiddleware(lambda r: None).process_exception(request, error)
    assert response.status_code == 503


def test_unavailable_middleware_when_other_errors_lets_them_through():
    request = RequestFactory().get("/api/v1/places/")
    assert ServiceUnavailableMiddleware(lambda r: None).process_exception(request, ValueError("bug")) is None


def test_handler500_when_a_database_error_escaped_the_views_answers_503():
    # e.g. the session save in SessionMiddleware.process_response while PostgreSQL restarts
    request = RequestFactory().get("/portal/")
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


# --- Redis down --------------------------------------------------------------------------------


@pytest.fixture
def private_redis():
    """A throwaway redis-server on a free port; yields a handle that can stop and start it."""

    class PrivateRedis:
        port = _free_port()
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self):
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
            _wait_until(client.ping, what="redis-server")

        def stop(self):
            self.process.kill()
            self.process.wait(timeout=10)

        def stored_keys(self):
            return redis.Redis(port=self.port).keys("*")

    server = PrivateRedis()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()
    resilient_cache._down_until.pop(server.url, None)


def _cache_settings(backend: str, location: str) -> dict:
    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": location,
            "KEY_PREFIX": "faults",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def generous_probe_budget(monkeypatch):
    """Time enough for the cache and broker checks to finish on a busy machine: the tests read their errors."""
    monkeypatch.setattr(health, "READY_OPTIONAL_BUDGET_SECONDS", 10)
    monkeypatch.setattr(health, "DEPENDENCIES_BUDGET_SECONDS", 10)


@pytest.mark.services
def test_api_when_redis_dies_keeps_answering_and_stays_ready(db, settings, private_redis, generous_probe_budget):
    # given the cache (and so DRF's throttle history) and the Celery broker on one private Redis
    settings.CACHES = _cache_settings("foodtrucks.cache.ResilientRedisCache", private_redis.url)
    settings.CELERY_BROKER_URL = private_redis.url
    client = Client(raise_request_exception=False)
    assert client.get("/api/v1/schema/").status_code == 200
    assert any(b"throttle_anon" in key for key in private_redis.stored_keys())
    assert client.get("/readyz").json()["degraded"] == []
    # when Redis dies
    private_redis.stop()
    # then the API still answers (the throttle sees no history and allows), liveness is fine,
    # readiness keeps the process in rotation and says what is down, the dependency check fails
    assert [client.get("/api/v1/schema/").status_code for _ in range(3)] == [200, 200, 200]
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert (ready.json()["status"], ready.json()["degraded"]) == ("ok", ["cache", "broker"])
    assert ready.json()["checks"]["cache"] == {"status": "down", "error": "CacheUnavailable"}
    assert ready.json()["checks"]["broker"] == {"status": "down", "error": "OperationalError"}
    assert ready.json()["checks"]["database:default"]["status"] == "ok"
    dependencies = client.get("/healthz/dependencies")
    assert (dependencies.status_code, dependencies.json()["down"]) == (503, ["cache", "broker"])


@pytest.mark.services
def test_cache_when_redis_dies_with_the_stock_backend_raises(db, settings, private_redis):
    # the control: the same outage through Django's own RedisCache raises into the caller
    settings.CACHES = _cache_settings("django.core.cache.backends.redis.RedisCache", private_redis.url)
    cache.set("menu", 1)
    assert cache.get("menu") == 1
    private_redis.stop()
    with pytest.raises(RedisError):
        cache.get("menu")


@pytest.mark.services
def test_cache_when_redis_is_down_fails_fast_without_calling_redis(db, settings, private_redis, monkeypatch):
    settings.CACHES = _cache_settings("foodtrucks.cache.ResilientRedisCache", private_redis.url)
    private_redis.stop()
    # given one failed call, which opens the circuit
    assert cache.get("menu", "miss") == "miss"

    # when more calls come during the back-off
    def no_network(*args, **kwargs):
        raise AssertionError("Redis was called while the circuit is open")

    monkeypatch.setattr(cache._cache, "get_client", no_network)
    # then every operation answers as a miss at once, without touching the network
    assert cache.get("menu", "miss") == "miss"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set("menu", 1) is None
    assert cache.add("menu", 1) is False
    assert cache.delete("menu") is False
    assert cache.has_key("menu") is False
    assert cache.get_or_set("menu", 7) == 7
    with pytest.raises(ValueError, match="not found"):
        cache.incr("hits")


@pytest.mark.services
def test_cache_when_redis_comes_back_is_used_again(db, settings, private_redis, generous_probe_budget):
    settings.CACHES = _cache_settings("foodtrucks.cache.ResilientRedisCache", private_redis.url)
    client = Client(raise_request_exception=False)
    private_redis.stop()
    assert client.get("/readyz").json()["degraded"] == ["cache"]
    # when Redis is back on the same address
    private_redis.start()
    # then the next readiness probe closes the circuit and the cache stores again
    assert client.get("/readyz").json()["degraded"] == []
    cache.set("menu", "tacos")
    assert cache.get("menu") == "tacos"


# --- PostgreSQL restarts under a live gunicorn ------------------------------------------------------


class PrivatePostgres:
    """A throwaway PostgreSQL 15 cluster in a temporary directory, run as the postgres user."""

    def __init__(self):
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="ft-pg-"))
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: the cluster belongs to postgres
            shutil.chown(self.root, "postgres")
        self.data = self.root / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _pg(self, *args):
        command = ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def init(self):
        self._pg(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self):
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start"
        )

    def stop(self):
        self._pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self):
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def private_postgres():
    if not (PG_BIN / "initdb").exists():
        pytest.fail("PostgreSQL 15 server binaries are required for this test")
    server = PrivatePostgres()
    server.init()
    server.start()
    yield server
    server.destroy()


def _get(url: str, headers: dict) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback test server
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.services
def test_gunicorn_when_postgres_restarts_answers_503_then_recovers_by_itself(private_postgres, tmp_path):
    # given the production settings under gunicorn (the real config file), on a private database
    base_dir = Path(django_settings.BASE_DIR)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_", "AWS_", "CELERY_"))},
        "DJANGO_SETTINGS_MODULE": "foodtrucks.settings.production",
        "DJANGO_SECRET_KEY": "fault-test-" + "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": private_postgres.url,
        "DATABASE_CONN_MAX_AGE": "600",  # one persistent connection that the restart will break
        "PORT": str(_free_port()),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
    }
    python = str(base_dir / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=base_dir, check=True, timeout=120)
    create_token = (
        "from accounts.models import User; from rest_framework.authtoken.models import Token; "
        "u = User.objects.create_user(email='ops@example.com', password='x-long-password-1', "
        "phone_number='+14155550199', first_name='Ops', last_name='Test'); "
        "print(Token.objects.create(user=u, key='a' * 40).key)"
    )
    subprocess.run([python, "manage.py", "shell", "-c", create_token], env=env, cwd=base_dir, check=True, timeout=60)
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(base_dir / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "foodtrucks.wsgi"],
        env=env,
        cwd=base_dir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    api = {"Authorization": "Token " + "a" * 40, "X-Forwarded-Proto": "https"}
    page = {"Cookie": "sessionid=doesnotexist", "X-Forwarded-Proto": "https"}
    try:
        _wait_until(lambda: _get(f"{base}/healthz", {})[0] == 200, what="gunicorn")
        assert _get(f"{base}/api/v1/schema/", api)[0] == 200
        assert _get(f"{base}/readyz", {})[0] == 200

        # when PostgreSQL goes away under concurrent requests
        private_postgres.stop()
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            during = list(pool.map(lambda _: _get(f"{base}/api/v1/schema/", api), range(8)))

        # then every API request gets a clean 503 in JSON with Retry-After, never a 500
        assert [status for status, _, _ in during] == [503] * 8
        assert {body for _, _, body in during} == {b'{"detail": "Service temporarily unavailable.", "errors": {}}'}
        assert {headers["Retry-After"] for _, headers, _ in during} == {"5"}
        # and pages get the small 503 page; liveness holds, readiness says why
        status, _, body = _get(f"{base}/admin/", page)
        assert (status, b"Back in a moment" in body) == (503, True)
        assert _get(f"{base}/healthz", {})[0] == 200
        status, _, body = _get(f"{base}/readyz", {})
        assert status == 503
        assert json.loads(body)["status"] == "unavailable"
        assert json.loads(body)["checks"]["database:default"] == {"status": "down", "error": "OperationalError"}
        status, _, body = _get(f"{base}/healthz/dependencies", {})
        assert (status, json.loads(body)["down"]) == (503, ["database:default"])

        # when PostgreSQL is back, with the app left running
        private_postgres.start()
        # then the very next requests succeed: connections are health-checked and reopened
        assert _get(f"{base}/api/v1/schema/", api)[0] == 200
        assert _get(f"{base}/readyz", {})[0] == 200
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    # and the logs tell the story: JSON lines, each 503 in the access log and the app log under one request id
    lines = [json.loads(line) for line in (tmp_path / "gunicorn.log").read_text().splitlines() if line.startswith("{")]
    access_ids = {line["request_id"] for line in lines if line.get("status") == 503}
    app_ids = {line["request_id"] for line in lines if line.get("message", "").startswith("Service Unavailable")}
    assert len(access_ids) == 11  # 8 API calls, the admin page, the readiness probe, the dependency check
    assert app_ids == access_ids
