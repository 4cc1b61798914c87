"""An ASGI process's Redis pub/sub listener outlives Redis: a real uvicorn process on a Redis server of
the test's own (a spare port, so the shared one is never touched), a real SSE client. Redis is stopped
and started again while a stream is open: the stream is told to resync, then hears a check-in made
after Redis came back (django-eventstream's own listener ended for good: the stream heard nothing).
With Redis up but the subscription cut, what was published meanwhile comes from the replay window."""

import subprocess
from collections.abc import Iterator

import pytest
import redis
from django.urls import reverse

from tests.sse import SseClient, asgi_server, free_port, wait_for_port

pytestmark = pytest.mark.django_db(transaction=True)

BOX = "30.0,-98.0,30.5,-97.5"


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


def _api_check_in(member, place, *, lat: float, lng: float) -> None:
    from conftest import token_client

    response = token_client(member).post(
        reverse("api-vendor-place-check-in", kwargs={"place_id": place.pk}),
        {"lat": lat, "lng": lng, "is_open": True},
        format="json",
    )
    assert response.status_code == 200, response.content


def test_a_stream_hears_changes_again_after_redis_comes_back(spare_redis, django_db_blocker, staff_a, place_a):
    with (
        django_db_blocker.unblock(),
        asgi_server(REDIS_URL=f"redis://127.0.0.1:{spare_redis.port}/0") as server,
        SseClient(f"{server}/api/v1/live/places/?bbox={BOX}") as stream,
    ):
        _api_check_in(staff_a, place_a, lat=30.27, lng=-97.75)
        assert stream.next("change", timeout=1.0).json()["lat"] == 30.27

        spare_redis.stop()  # Redis goes away under the open stream ...
        spare_redis.start()  # ... and comes back, empty (no persistence)

        resync = stream.next("resync", timeout=10.0)  # the listener reconnected: refetch, then carry on
        assert resync.id
        _api_check_in(staff_a, place_a, lat=30.28, lng=-97.76)
        assert stream.next("change", timeout=1.0).json()["lat"] == 30.28


def test_a_stream_is_sent_what_was_published_while_its_listener_was_away(
    spare_redis, django_db_blocker, staff_a, place_a
):
    """Redis stays up, but the process's subscription is cut and cannot come back for a while (its
    SUBSCRIBE refused): a change published meanwhile reaches the stream from the replay window once
    the listener is back, then `resync`."""
    admin = redis.Redis(port=spare_redis.port)
    with (
        django_db_blocker.unblock(),
        asgi_server(REDIS_URL=f"redis://127.0.0.1:{spare_redis.port}/0") as server,
        SseClient(f"{server}/api/v1/live/places/?bbox={BOX}") as stream,
    ):
        _api_check_in(staff_a, place_a, lat=30.27, lng=-97.75)
        assert stream.next("change", timeout=1.0).json()["lat"] == 30.27

        admin.execute_command("ACL", "SETUSER", "default", "-subscribe")
        assert admin.client_kill_filter(_type="pubsub") == 1
        _api_check_in(staff_a, place_a, lat=30.28, lng=-97.76)  # published while nobody listens there
        with pytest.raises(TimeoutError):
            stream.next("change", timeout=1.0)

        admin.execute_command("ACL", "SETUSER", "default", "+subscribe")
        assert stream.next("change", timeout=20.0).json()["lat"] == 30.28  # from the replay window
        assert stream.next("resync", timeout=1.0).id
        _api_check_in(staff_a, place_a, lat=30.29, lng=-97.77)
        assert stream.next("change", timeout=1.0).json()["lat"] == 30.29
