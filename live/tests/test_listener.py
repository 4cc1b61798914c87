"""An ASGI process's Redis pub/sub listener outlives Redis: a real uvicorn process on a Redis server of
the test's own (a spare port, so the shared one is never touched), a real SSE client. Redis is stopped
and started again while a stream is open: the stream is told to resync, then hears a check-in made
after Redis came back (django-eventstream's own listener ended for good: the stream heard nothing).
With Redis up but the subscription cut, what was published meanwhile comes from the replay window."""

import pytest
import redis

from live.tests.check_ins import api_check_in
from tests.sse import SseClient, asgi_server

pytestmark = pytest.mark.django_db(transaction=True)

BOX = "30.0,-98.0,30.5,-97.5"


def test_a_stream_hears_changes_again_after_redis_comes_back(spare_redis, django_db_blocker, staff_a, place_a):
    with (
        django_db_blocker.unblock(),
        asgi_server(REDIS_URL=f"redis://127.0.0.1:{spare_redis.port}/0") as server,
        SseClient(f"{server}/api/v1/live/places/?bbox={BOX}") as stream,
    ):
        api_check_in(staff_a, place_a, lat=30.27, lng=-97.75)
        assert stream.next("change", timeout=1.0).json()["lat"] == 30.27

        spare_redis.stop()  # Redis goes away under the open stream ...
        spare_redis.start()  # ... and comes back, empty (no persistence)

        resync = stream.next("resync", timeout=10.0)  # the listener reconnected: refetch, then carry on
        assert resync.id
        api_check_in(staff_a, place_a, lat=30.28, lng=-97.76)
        assert stream.next("change", timeout=1.0).json()["lat"] == 30.28


def test_a_stream_is_sent_resync_at_its_position_when_its_listener_was_away(
    spare_redis, django_db_blocker, staff_a, place_a
):
    """Redis stays up, but the process's subscription is cut and cannot come back for a while (its
    SUBSCRIBE refused): once the listener is back the stream is sent `resync` at its own position
    (the change published meanwhile is in the catch-up feed; a reconnect from that position is
    replayed it from the window), then live changes again."""
    admin = redis.Redis(port=spare_redis.port)
    with (
        django_db_blocker.unblock(),
        asgi_server(REDIS_URL=f"redis://127.0.0.1:{spare_redis.port}/0") as server,
        SseClient(f"{server}/api/v1/live/places/?bbox={BOX}") as stream,
    ):
        api_check_in(staff_a, place_a, lat=30.27, lng=-97.75)
        assert stream.next("change", timeout=1.0).json()["lat"] == 30.27

        admin.execute_command("ACL", "SETUSER", "default", "-subscribe")
        assert admin.client_kill_filter(_type="pubsub") == 1
        api_check_in(staff_a, place_a, lat=30.28, lng=-97.76)  # published while nobody listens there
        with pytest.raises(TimeoutError):
            stream.next("change", timeout=1.0)

        admin.execute_command("ACL", "SETUSER", "default", "+subscribe")
        resync = stream.next("resync", timeout=20.0)
        assert resync.json()["channels"]
        api_check_in(staff_a, place_a, lat=30.29, lng=-97.77)
        assert stream.next("change", timeout=1.0).json()["lat"] == 30.29

        # the resync's id is the stream's position before the gap: a reconnect from it replays the change
        url = f"{server}/api/v1/live/places/?bbox={BOX}"
        with SseClient(url, headers={"Last-Event-ID": resync.id}) as again:
            assert again.next("change", timeout=5.0).json()["lat"] == 30.28
