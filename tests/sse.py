"""A real ASGI server (uvicorn in its own process, on the test database and Redis) and a real SSE
client (httpx, reading in a thread) for the live stream tests."""

import contextlib
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.db import connection

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


def test_database_url() -> str:
    """The URL of the database the tests run on (pytest-django's test_… database)."""
    db = connection.settings_dict
    host, port, user = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432, db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _app_env(**extra_env: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "foodtrucks.settings.test",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        **extra_env,
    }


@contextlib.contextmanager
def _serving(command: list[str], port: int, env: dict[str, str]) -> Iterator[str]:
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()  # open streams may keep a graceful shutdown waiting: then kill it
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def asgi_server(port: int | None = None, **extra_env: str) -> Iterator[str]:
    """uvicorn serving foodtrucks.asgi, on the test database and Redis; yields its base URL."""
    port = port or free_port()
    command = [sys.executable, "-m", "uvicorn", "foodtrucks.asgi:application", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning", "--lifespan", "off", "--timeout-graceful-shutdown", "2"]
    with _serving(command, port, _app_env(**extra_env)) as url:
        yield url


@contextlib.contextmanager
def wsgi_server(port: int | None = None, workers: int = 1, **extra_env: str) -> Iterator[str]:
    """gunicorn (the Procfile's web process: sync workers) serving foodtrucks.wsgi; yields its base URL."""
    port = port or free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "foodtrucks.wsgi"]
    env = _app_env(
        HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY=str(workers), GUNICORN_ACCESSLOG="/dev/null", **extra_env
    )
    with _serving(command, port, env) as url:
        yield url


@dataclass
class SseEvent:
    event: str
    id: str | None
    data: str

    def json(self):
        return json.loads(self.data)


class SseClient:
    """Opens `url` as an event stream in a thread; the events arrive in `events` (a queue)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None):
        self.events: queue.Queue[SseEvent] = queue.Queue()
        self.status: int | None = None
        self.opened = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(5.0, read=None))
        self._thread = threading.Thread(target=self._read, args=(url, headers or {}), daemon=True)
        self._thread.start()
        if not self.opened.wait(10):
            raise TimeoutError("the stream did not open")

    def _read(self, url: str, headers: dict[str, str]) -> None:
        try:
            with self._client.stream("GET", url, headers={"Accept": "text/event-stream", **headers}) as response:
                self.status = response.status_code
                event, event_id, data = "message", None, []
                for line in response.iter_lines():
                    if line == "":
                        if data or event != "message":
                            self.events.put(SseEvent(event, event_id, "\n".join(data)))
                            if event == "stream-open":
                                self.opened.set()
                        event, event_id, data = "message", None, []
                    elif line.startswith(":"):
                        continue
                    else:
                        field, _, value = line.partition(":")
                        value = value[1:] if value.startswith(" ") else value
                        if field == "event":
                            event = value
                        elif field == "id":
                            event_id = value
                        elif field == "data":
                            data.append(value)
                if response.status_code != 200:
                    self.opened.set()
        except (httpx.HTTPError, RuntimeError):
            pass
        finally:
            self.opened.set()

    def next(self, event: str = "change", timeout: float = 1.0) -> SseEvent:
        """The next event named `event` within `timeout` seconds (others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {event!r} event within {timeout} s")
            try:
                got = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if got.event == event:
                return got

    def close(self) -> None:
        self._client.close()
        self._thread.join(0.2)  # a read blocked until the next heartbeat ends with the server

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
