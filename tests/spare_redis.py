"""A Redis server of a test's own on a spare port (the shared one is never touched), stopped and
started at will, and the fixture that makes this process's live streams publish to it."""

import subprocess
from collections.abc import Iterator

import pytest
import redis

from tests.sse import free_port, wait_for_port


class SpareRedis:
    """A Redis server of the test's own on a spare port (no persistence), stopped and started at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def spare_redis(settings, monkeypatch) -> Iterator[SpareRedis]:
    """A spare Redis, which this process publishes to as well (the check-ins commit here)."""
    import django_eventstream.eventstream
    import django_eventstream.utils

    spare = SpareRedis()
    spare.start()
    try:
        own = {"host": "127.0.0.1", "port": spare.port, "db": 0, "socket_connect_timeout": 0.5}
        settings.EVENTSTREAM_REDIS = own
        monkeypatch.setattr(django_eventstream.eventstream, "redis_client", redis.Redis(**own))
        monkeypatch.setattr(django_eventstream.utils.tlocal, "loaded", {}, raising=False)  # a fresh storage
        yield spare
    finally:
        spare.stop()
