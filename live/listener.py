"""The Redis pub/sub listener of an ASGI process, supervised.

django-eventstream hands each ASGI process's streams the events the other processes publish through
one Redis pub/sub subscription (`events_channel`), read by a task the process's first stream starts.
The library's task ends for good when that connection breaks (Redis restarted, a network cut), and the
process's streams then hear nothing more until the process restarts. This listener takes its place
(live.apps): it reconnects with backoff for as long as it takes, notices a connection gone silent by a
ping, and after each reconnect tells every open stream of the process to catch up:

- the stream re-reads its channels' replay window from its last ids (django-eventstream's own path
  after a queue overflow): what other processes published while this one was deaf;
- then it is sent a `resync` event: a change committed while its publisher could not reach Redis
  never entered the window (the publish failed and was only logged), so the app refetches through the
  catch-up feed, which has every committed change, and carries on from the event's id.

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


class SupervisedRedisListener(RedisListener):
    def __init__(self) -> None:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        self.redis_client = Redis(**settings.EVENTSTREAM_REDIS, retry=Retry(NoBackoff(), 0))
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
                    count = catch_up_open_streams()
                    logger.warning("live: Redis pub/sub back; %d open streams catch up and resync", count)
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


def catch_up_open_streams() -> int:
    """Wakes every open stream of the process to re-read its replay window and then send `resync`
    (live.streams); returns how many."""
    manager = get_listener_manager()
    with manager.lock:
        listeners = {listener for group in manager.listeners_by_channel.values() for listener in group}
        for listener in listeners:
            listener.overflow = True  # the stream re-reads the window from its last ids
            listener.resync_pending = True
    for listener in listeners:
        listener.wake_threadsafe()
    return len(listeners)
