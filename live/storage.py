"""The replay window of the live streams: the last events of each channel, kept in Redis.

django-eventstream numbers each channel's events (1, 2, 3 …) and asks the storage for what came after
a client's Last-Event-ID. This storage keeps at most LIVE_REPLAY_EVENTS events per channel for at
most LIVE_REPLAY_SECONDS; a client asking from further back than that gets EventDoesNotExist, which
the stream turns into a "resync" event (refetch the map, then carry on from the current id).
"""

import json

import redis
from django.conf import settings
from django_eventstream.event import Event
from django_eventstream.storage import EventDoesNotExist, StorageBase

PREFIX = "live:"


class ReplayWindowStorage(StorageBase):
    def __init__(self) -> None:
        self._redis: redis.Redis | None = None

    @property
    def redis(self) -> redis.Redis:
        if self._redis is None:
            self._redis = redis.Redis(**settings.EVENTSTREAM_REDIS)
        return self._redis

    @staticmethod
    def _counter(channel: str) -> str:
        return f"{PREFIX}id:{channel}"

    @staticmethod
    def _events(channel: str) -> str:
        return f"{PREFIX}events:{channel}"

    def append_event(self, channel: str, event_type: str, data: str) -> Event:
        event_id = self.redis.incr(self._counter(channel))
        window, ttl = settings.LIVE_REPLAY_EVENTS, settings.LIVE_REPLAY_SECONDS
        with self.redis.pipeline(transaction=False) as pipe:
            # A sorted set by id: the window is one trim, a replay one range read.
            pipe.zadd(self._events(channel), {json.dumps([event_id, event_type, data]): event_id})
            pipe.zremrangebyrank(self._events(channel), 0, -window - 1)
            pipe.expire(self._events(channel), ttl)
            pipe.expire(self._counter(channel), 7 * 24 * 3600)
            pipe.execute()
        return Event(channel, event_type, data, id=event_id)

    def get_current_id(self, channel: str) -> int:
        return int(self.redis.get(self._counter(channel)) or 0)

    def get_events(self, channel: str, last_id: int, limit: int = 100) -> list[Event]:
        current = self.get_current_id(channel)
        if last_id == current:
            return []
        if last_id > current:  # the counter was lost (Redis flushed): the client must resync
            raise EventDoesNotExist("the stream restarted", current)
        rows = self.redis.zrangebyscore(self._events(channel), last_id + 1, "+inf", start=0, num=limit)
        events = [Event(channel, kind, data, id=event_id) for event_id, kind, data in map(json.loads, rows)]
        if not events or events[0].id != last_id + 1:  # older than the window: something was missed
            raise EventDoesNotExist("the replay window has passed", current)
        return events
