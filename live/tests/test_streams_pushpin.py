"""The live streams behind a real Pushpin (the GRIP proxy, Debian package `pushpin`) in front of the
Procfile's web process, gunicorn with ONE sync worker: Pushpin holds the open streams, so the worker
still answers other requests; a check-in reaches the held streams within a second; a reconnect with
Last-Event-ID is replayed what it missed; a box never hears a place far outside its tiles; a burst of
stream opens is queued, never refused."""

import asyncio

import django_grip
import httpx
import pytest

from live.tests.check_ins import api_check_in
from tests import factories
from tests.pushpin import pushpin_installed, running_pushpin
from tests.sse import SseClient, free_port, wsgi_server

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not pushpin_installed(), reason="pushpin is not installed (scripts/ensure-services.sh)"),
]

BOX = "30.0,-98.0,30.5,-97.5"


@pytest.fixture(scope="module")
def edge(django_db_setup, django_db_blocker):
    """Pushpin's URL, in front of gunicorn (1 sync worker) that trusts it; yields the Pushpin handle."""
    web_port = free_port()
    with (
        running_pushpin(web_port) as pushpin,
        django_db_blocker.unblock(),
        wsgi_server(port=web_port, workers=1, GRIP_URL=pushpin.grip_url),
    ):
        yield pushpin


@pytest.fixture
def publishing_to(edge, settings):
    """This process (where the test's check-ins commit) publishes to the test's Pushpin."""
    settings.GRIP_URL = edge.grip_url
    django_grip._pubcontrol = None  # built from the settings on first use
    yield edge
    django_grip._pubcontrol = None


def test_pushpin_holds_the_streams_and_the_one_worker_stays_free(publishing_to, staff_a, place_a):
    url = f"{publishing_to.url}/api/v1/live/places/?bbox={BOX}"
    with SseClient(url) as first, SseClient(url) as second:
        # two streams held, yet the single sync worker answers a plain request at once
        assert httpx.get(f"{publishing_to.url}/api/v1/categories/", timeout=5).status_code == 200

        api_check_in(staff_a, place_a, lat=30.27, lng=-97.75)

        for stream in (first, second):
            change = stream.next("change", timeout=1.0)
            assert (change.json()["place_id"], change.json()["kind"]) == (place_a.pk, "opened")
            assert change.id


def test_pushpin_reconnect_with_last_event_id_loses_nothing(publishing_to, staff_a, place_a):
    url = f"{publishing_to.url}/api/v1/live/places/?bbox={BOX}"
    with SseClient(url) as stream:
        api_check_in(staff_a, place_a, lat=30.30, lng=-97.70)
        last_id = stream.next("change").id
    api_check_in(staff_a, place_a, lat=30.31, lng=-97.71)
    api_check_in(staff_a, place_a, lat=30.32, lng=-97.72)

    with SseClient(url, headers={"Last-Event-ID": last_id}) as stream:
        missed = [stream.next("change").json()["lat"], stream.next("change").json()["lat"]]
        api_check_in(staff_a, place_a, lat=30.33, lng=-97.73)
        live = stream.next("change").json()["lat"]
    assert (missed, live) == ([30.31, 30.32], 30.33)


def test_pushpin_box_never_hears_a_place_outside_its_tiles(publishing_to, staff_a, vendor_a):
    far = factories.PlaceFactory(vendor=vendor_a, lat=40.7, lng=-74.0)
    inside = factories.PlaceFactory(vendor=vendor_a, lat=30.2672, lng=-97.7431)
    with SseClient(f"{publishing_to.url}/api/v1/live/places/?bbox={BOX}") as stream:
        api_check_in(staff_a, far, lat=40.71, lng=-74.01)
        api_check_in(staff_a, inside, lat=30.27, lng=-97.75)
        assert stream.next("change", timeout=1.0).json()["place_id"] == inside.pk


async def _open_statuses(url: str, count: int) -> list[bytes]:
    """Opens `count` streams at once (raw sockets) and returns each answer's status line."""
    host, port = url.removeprefix("http://").split(":")
    path = f"/api/v1/live/places/?bbox={BOX}"

    async def one() -> tuple[bytes, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        return await asyncio.wait_for(reader.readline(), timeout=60), writer

    answers = await asyncio.gather(*(one() for _ in range(count)))
    for _status, writer in answers:
        writer.close()
    return [status.strip() for status, _writer in answers]


def test_pushpin_queues_a_burst_of_stream_opens_instead_of_refusing_them(edge):
    # Every app reconnecting at once (after a deploy): Pushpin's proxy answered 502 at once to the
    # requests beyond the 100 it had queued to zurl; with `max_open_requests` they wait their turn.
    statuses = asyncio.run(_open_statuses(edge.url, 400))
    refused = [status for status in statuses if not status.endswith(b" 200 OK")]
    assert refused == [], f"{len(refused)} of 400 opens refused, e.g. {refused[0]!r}"


def test_pushpin_streams_are_told_to_resync_when_a_change_cannot_reach_redis(
    publishing_to, spare_redis, staff_a, place_a
):
    # This process publishes through a Redis of its own; the streams are held by Pushpin.
    feed = f"{publishing_to.url}/api/v1/places/changes/"
    cursor = httpx.get(feed, timeout=5).json()["next_cursor"]
    url = f"{publishing_to.url}/api/v1/live/places/?bbox={BOX}"
    with SseClient(url) as stream:
        spare_redis.stop()  # the publisher's Redis goes away: the change cannot enter the window
        api_check_in(staff_a, place_a, lat=30.27, lng=-97.75)  # the write itself answers 200

        # the stream is told at once that it missed something, with no id (its Last-Event-ID stays)
        resync = stream.next("resync", timeout=2.0)
        assert resync.id is None
        assert resync.json()["channels"][0].startswith("geo")

    # and the change is where the app looks after a resync: the catch-up feed
    changed = httpx.get(feed, params={"since": cursor}, timeout=5).json()["places"]
    assert [(card["id"], card["is_open"]) for card in changed] == [(place_a.pk, True)]
