"""The Redis pub/sub listener of an ASGI process, supervised.

django-eventstream hands each ASGI process's streams the events the other processes publish through
one Redis pub/sub subscription (`events_channel`), read by a task the process's first stream starts.
The library's task ends for good when that connection breaks (Redis restarted, a network cut), and the
process's streams then hear nothing more until the process restarts. This listener takes its place
(live.apps): it reconnects with backoff for as long as it takes, notices a connection gone silent by a
ping, and after each reconnect tells every open stream of the process to catch up:

- it is sent a `resync` event, carrying the stream's own position as its id: what other processes
  published while this one was deaf, and any change committed while its publisher could not reach
  Redis (that publish failed and was only logged), the app refetches through the catch-up feed, which
  has every committed change; then it carries on from the event's id (a reconnect with that id is
  replayed the window from there).

The `resync` is put in each stream's own queue, as a published event would be: the stream sends it
without reading anything. (It first re-read its replay window, django-eventstream's path after a queue
overflow; but the library reads the window of every stream of a process on one thread, and a stream
sent an event while its read waits reads again: with 2,000 streams and a change every half second
the process fell 15 s behind and delivered 8,770 of 60,000 changes. Measured, docs/live.md.)

Pub/sub itself keeps nothing for a subscriber that is away, so a reconnect always means "maybe
missed something": redis-py's own silent reconnect (which resubscribes without saying so) is turned
off for this connection, and every reconnect goes through here.
"""

import asyncio
import contextlib
import json
import logging
import random
import time

from django.conf import settings
from django_eventstream.event import Event
from django_eventstream.views import RedisListener, get_listener_manager

logger = logging.getLogger(__name__)

CHANNEL = "events_channel"  # django-eventstream's pub/sub channel
BACKOFF_FIRST = 0.5  # seconds before the first reconnect; doubled after each failure
BACKOFF_MAX = 15.0
PING_EVERY = 10.0  # seconds without a message before the listener pings Redis
SILENT_LIMIT = 25.0  # seconds without a message or a pong: the connection is dead
SUBSCRIBE_TIMEOUT = 5.0
# The listener's own connect timeout. The publishers' is 0.5 s (a request must not wait on a Redis that
# is away), but the listener connects from the event loop of a process that may be opening thousands of
# streams at that moment: a loop busy for half a second made a healthy Redis look unreachable, and
# every open stream was sent a needless catch-up and resync.
CONNECT_TIMEOUT = 5.0
# The pseudo channel of the resync put in a stream's queue: one the stream does not listen to, so the
# stream keeps its position and writes it as the event's id.
RESYNC_QUEUE = "live.resync"


class SupervisedRedisListener(RedisListener):
    def __init__(self) -> None:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        options = {**settings.EVENTSTREAM_REDIS, "socket_connect_timeout": CONNECT_TIMEOUT}
        self.redis_client = Redis(**options, retry=Retry(NoBackoff(), 0))
        self.pubsub = None
        self.reconnects = 0

    async def start(self) -> None:
        """Runs for the life of the process (the task django-eventstream's first stream starts)."""
        delay = BACKOFF_FIRST
        lost = False
        while True:
            try:
                await self._subscribe()
                if lost:
                    # subscribed again first, then the catch-up: nothing published from now on is missed
                    self.reconnects += 1
                    listeners = open_stream_listeners()
                    catch_up(listeners)
                    logger.warning("live: Redis pub/sub back; %d open streams sent resync", len(listeners))
                lost = False
                delay = BACKOFF_FIRST
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # whatever broke the connection, the task goes on
                lost = True
                logger.warning("live: Redis pub/sub lost (%r); reconnecting in %.1f s", error, delay)
            await self._close()
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not a secret
            delay = min(delay * 2, BACKOFF_MAX)

    async def _subscribe(self) -> None:
        """Subscribed once Redis confirms it (SUBSCRIBE only sends: a refusal comes as the reply)."""
        self.pubsub = self.redis_client.pubsub()
        await self.pubsub.subscribe(CHANNEL)
        deadline = time.monotonic() + SUBSCRIBE_TIMEOUT
        while time.monotonic() < deadline:
            message = await self.pubsub.get_message(timeout=deadline - time.monotonic())
            if message is not None and message["type"] == "subscribe":
                return
        raise ConnectionError(f"no subscription confirmed in {SUBSCRIBE_TIMEOUT:.0f} s")

    async def _listen(self) -> None:
        heard = time.monotonic()
        while True:
            message = await self.pubsub.get_message(timeout=PING_EVERY)
            now = time.monotonic()
            if message is not None:
                heard = now
                if message["type"] == "message":
                    try:
                        hand_out(message["data"])
                    except (ValueError, KeyError, TypeError):  # one bad message is no lost connection
                        logger.exception("live: unreadable pub/sub message skipped")
            elif now - heard >= SILENT_LIMIT:
                raise ConnectionError(f"no answer from Redis in {SILENT_LIMIT:.0f} s")
            elif now - heard >= PING_EVERY:
                await self.pubsub.ping()  # its pong is the next message

    async def _close(self) -> None:
        if self.pubsub is not None:
            with contextlib.suppress(Exception):
                await self.pubsub.aclose()
            self.pubsub = None
        with contextlib.suppress(Exception):
            await self.redis_client.connection_pool.disconnect()


def hand_out(raw: bytes | str) -> None:
    """One pub/sub message to the process's streams listening to its channel (as the library does)."""
    message = json.loads(raw)
    event = Event(message["channel"], message["event_type"], message["data"], id=message["pub_id"])
    get_listener_manager().add_to_queues(event.channel, event)


def open_stream_listeners() -> list:
    """The listeners of the process's open streams."""
    manager = get_listener_manager()
    with manager.lock:
        return list({listener for group in manager.listeners_by_channel.values() for listener in group})


def catch_up(listeners: list) -> None:
    """Queues a `resync` (django-eventstream's "stream-reset", renamed by live.streams) to each of
    `listeners` and wakes them."""
    manager = get_listener_manager()
    with manager.lock:
        for listener in listeners:
            data = json.dumps({"channels": sorted(listener.channels)})
            listener.channel_items.setdefault(RESYNC_QUEUE, []).append(Event(RESYNC_QUEUE, "stream-reset", data))
    for listener in listeners:
        listener.wake_threadsafe()
