"""The place-view buffer: a detail read appends its VIEW to a Redis stream instead of writing the database.

A read (`view_append`) does one Redis round trip (MULTI: XADD to the stream, ZADD to the user's
pending recently-viewed set, trim and expire it). A worker (`views_flush`, the Celery task
`consumers.flush_place_views`, every few seconds and woken early when a batch is waiting) reads the
stream through a consumer group, inserts each batch in one transaction, and only after the commit
acknowledges (XACK, XDEL) the entries and removes them from the users' pending sets.

Guarantees (docs/place-views.md):
- at least once: an entry leaves the stream only after its rows are committed; a worker that dies
  mid-batch leaves its entries pending in the group, and the next run claims them (XAUTOCLAIM) once
  they have been idle `PLACE_VIEW_BUFFER_CLAIM_IDLE_SECONDS`;
- never counted twice: each entry carries a client id made at the read, the event insert is
  `ON CONFLICT DO NOTHING` on it, and the recently-viewed upsert keeps the later time (GREATEST);
- recently viewed is right on the user's next request: the read also writes (place, time) to a
  sorted set per user, which `recently_viewed_pending` returns and the list merges with the table;
- a read never fails for Redis: when the append fails the caller writes synchronously.
"""

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from django.conf import settings
from django.db import transaction
from redis.exceptions import RedisError, ResponseError

from consumers.models import RECENTLY_VIEWED_LIMIT

logger = logging.getLogger(__name__)

STREAM = "place-views"
GROUP = "place-views-flush"
PENDING_KEY = "place-views:recent:{user_id}"
# A pending set outlives any sane flush delay; it only bounds memory if the worker is gone for good.
PENDING_TTL_SECONDS = 24 * 60 * 60
WAKE_KEY = "place-views:wake"
REDIS_ERRORS = (RedisError, OSError)
FAILURE_BACKOFF_SECONDS = 5.0

_clients: dict[str, redis.Redis] = {}
_down_until = 0.0
_lock = threading.Lock()

# Remove (member, score) from a pending set only when the set still holds that score or an older one:
# a newer read of the same place, appended while the batch was written, stays pending.
_FORGET_FLUSHED = """
for i = 1, #KEYS do
  local current = redis.call('ZSCORE', KEYS[i], ARGV[2 * i - 1])
  if current and tonumber(current) <= tonumber(ARGV[2 * i]) then
    redis.call('ZREM', KEYS[i], ARGV[2 * i - 1])
  end
end
return #KEYS
"""


class BufferUnavailable(Exception):
    """Redis did not take the view; the caller writes it synchronously."""


@dataclass(frozen=True)
class BufferedView:
    entry_id: str
    client_id: uuid.UUID
    user_id: int
    place_id: int
    viewed_at: datetime


@dataclass(frozen=True)
class FlushResult:
    views: int
    batches: int
    claimed: int
    seconds: float


def client() -> redis.Redis:
    """One client (and connection pool) per process and URL, with short timeouts: a read waits at most ~0.5 s."""
    url = settings.REDIS_URL
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    return _clients[url]


def _is_down() -> bool:
    return _down_until > time.monotonic()


def _failed(error: Exception) -> None:
    global _down_until
    with _lock:
        already_down = _is_down()
        _down_until = time.monotonic() + FAILURE_BACKOFF_SECONDS
    if not already_down:
        logger.warning(
            "place-view buffer unavailable for %ss, writing views synchronously: %s", FAILURE_BACKOFF_SECONDS, error
        )


def circuit_reset() -> None:
    """Forget a recorded outage (tests, and an operator after Redis is back)."""
    global _down_until
    _down_until = 0.0


def view_append(*, user_id: int, place_id: int, viewed_at: datetime) -> uuid.UUID:
    """Buffer one view; raises BufferUnavailable when Redis does not answer (then for a few seconds
    without asking it, so an outage does not cost every read a timeout)."""
    if _is_down():
        raise BufferUnavailable("recent failure")
    client_id = uuid.uuid4()
    score = viewed_at.timestamp()
    key = PENDING_KEY.format(user_id=user_id)
    fields = {"c": client_id.hex, "u": user_id, "p": place_id, "t": repr(score)}
    try:
        pipe = client().pipeline(transaction=True)
        pipe.xadd(STREAM, fields)
        pipe.zadd(key, {place_id: score}, gt=True)
        pipe.zremrangebyrank(key, 0, -RECENTLY_VIEWED_LIMIT - 1)
        pipe.expire(key, PENDING_TTL_SECONDS)
        pipe.execute()
    except REDIS_ERRORS as error:
        _failed(error)
        raise BufferUnavailable(str(error)) from error
    return client_id


def recently_viewed_pending(*, user_id: int) -> dict[int, datetime]:
    """The user's views not flushed yet: place id -> newest view time (empty when Redis is down)."""
    if _is_down():
        return {}
    try:
        pairs = client().zrange(PENDING_KEY.format(user_id=user_id), 0, -1, withscores=True)
    except REDIS_ERRORS as error:
        _failed(error)
        return {}
    return {int(member): datetime.fromtimestamp(score, tz=UTC) for member, score in pairs}


def backlog_waiting() -> bool:
    """Whether a full batch is waiting (the read's wake-up: at most one early flush per second)."""
    try:
        redis_client = client()
        if redis_client.xlen(STREAM) < settings.PLACE_VIEW_BUFFER_BATCH:
            return False
        return bool(redis_client.set(WAKE_KEY, 1, nx=True, px=1000))
    except REDIS_ERRORS:
        return False


# --- the worker's side ---------------------------------------------------------------------------
def _consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _group_ensure(redis_client: redis.Redis) -> None:
    """The consumer group from the stream's first entry (id 0): entries added before it existed count."""
    try:
        redis_client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


def _parse(entry_id: bytes, fields: dict) -> BufferedView | None:
    try:
        return BufferedView(
            entry_id=entry_id.decode(),
            client_id=uuid.UUID(fields[b"c"].decode()),
            user_id=int(fields[b"u"]),
            place_id=int(fields[b"p"]),
            viewed_at=datetime.fromtimestamp(float(fields[b"t"]), tz=UTC),
        )
    except (KeyError, ValueError, TypeError):
        logger.error("place-view buffer: dropping malformed entry %s: %r", entry_id, fields)
        return None


def _claim_stale(redis_client: redis.Redis, consumer: str) -> list:
    """Entries a dead worker read and never acknowledged, idle long enough to be presumed abandoned."""
    idle_ms = settings.PLACE_VIEW_BUFFER_CLAIM_IDLE_SECONDS * 1000
    claimed, start = [], "0-0"
    while True:
        answer = redis_client.xautoclaim(
            STREAM, GROUP, consumer, min_idle_time=idle_ms, start_id=start, count=settings.PLACE_VIEW_BUFFER_BATCH
        )
        start, entries = answer[0], answer[1]
        claimed.extend(entry for entry in entries if entry[1] is not None)
        if start in (b"0-0", "0-0") or len(claimed) >= settings.PLACE_VIEW_BUFFER_BATCH:
            return claimed


def _batch_write(views: list[BufferedView], write) -> int:
    """Write the batch in one transaction; commit before anything is acknowledged."""
    with transaction.atomic():
        return write(views)


def _batch_acknowledge(redis_client: redis.Redis, entry_ids: list[str], views: list[BufferedView]) -> None:
    pipe = redis_client.pipeline(transaction=True)
    pipe.xack(STREAM, GROUP, *entry_ids)
    pipe.xdel(STREAM, *entry_ids)
    pipe.execute()
    if views:
        keys = [PENDING_KEY.format(user_id=view.user_id) for view in views]
        args = []
        for view in views:
            args += [view.place_id, repr(view.viewed_at.timestamp())]
        redis_client.eval(_FORGET_FLUSHED, len(keys), *keys, *args)


def views_flush(*, write, max_seconds: float = 20.0, consumer: str | None = None) -> FlushResult:
    """Drain the stream in batches through `write(views)` (called inside a transaction, answers how
    many it kept) until it is
    empty or `max_seconds` have passed. Stale pending entries of dead workers are claimed first."""
    started = time.monotonic()
    redis_client = client()
    consumer = consumer or _consumer_name()
    _group_ensure(redis_client)
    total = batches = claimed_count = 0
    claimed = _claim_stale(redis_client, consumer)
    claimed_count = len(claimed)
    while True:
        if claimed:
            entries, claimed = claimed, []
        else:
            answer = redis_client.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=settings.PLACE_VIEW_BUFFER_BATCH)
            entries = answer[0][1] if answer else []
        if not entries:
            break
        entry_ids = [entry_id.decode() for entry_id, _ in entries]
        views = [view for view in (_parse(entry_id, fields) for entry_id, fields in entries) if view]
        if views:
            total += _batch_write(views, write)
        _batch_acknowledge(redis_client, entry_ids, views)
        batches += 1
        if time.monotonic() - started > max_seconds:
            break
    return FlushResult(views=total, batches=batches, claimed=claimed_count, seconds=time.monotonic() - started)
