"""The API's rate limits: DRF's scopes, rates and client identities, counted in one Redis round trip.

DRF's own throttle keeps each client's request times as a pickled list in the cache: a GET and a SET
per request, unpickling and pickling up to `num_requests` floats (measured: a third of the CPU of a
small list page, docs/performance-requests.md). Here each client has two counters instead, this
window's and the last one's, and a request is allowed while

    last window's count × (the part of the last window still inside the sliding window) + this window's count

is below the rate (the "sliding window counter": exact when the last window's requests were evenly
spread, close otherwise; unlike a fixed window it never lets twice the rate through across a window's
edge). A Lua script reads both counters and, when allowed, counts the request: one round
trip, atomic (two concurrent requests cannot both take the last slot, which DRF's GET-then-SET could).

A Redis outage needs nothing here either: the circuit of the cache backend
(foodtrucks.cache.ResilientRedisCache) is honoured, and a failure lets the request through, as DRF's
throttle did with the cache answering misses. Without Redis (the local-memory cache of `make run`)
DRF's own counting applies.
"""

import logging

from django.core.cache import caches
from rest_framework import throttling

from foodtrucks.cache import CACHE_ERRORS, ResilientRedisCache

logger = logging.getLogger(__name__)

# KEYS: this window's counter, the last window's. ARGV: the rate, the window in seconds, the part of
# the last window still inside the sliding window (0..1). Answers {allowed (1/0), this, last}.
_COUNT_SCRIPT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if previous * tonumber(ARGV[3]) + current >= tonumber(ARGV[1]) then
  return {0, current, previous}
end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], 2 * tonumber(ARGV[2]))
return {1, current + 1, previous}
"""
_script = None


def _count(redis_client, *, keys: list[str], args: list) -> list:
    """Run the script by its SHA (loaded into Redis on the first call, and again after a Redis restart)."""
    global _script
    if _script is None:
        _script = redis_client.register_script(_COUNT_SCRIPT)
    return _script(keys=keys, args=args, client=redis_client)


# One redis-py client per connection pool, made once: Django's get_client() builds a new client (and its
# table of some 170 response callbacks) on every call, which cost more CPU than the script's round trip.
_clients: dict = {}


def _client_for(cache: ResilientRedisCache):
    pool = cache._cache._get_connection_pool(write=True)
    client = _clients.get(pool)
    if client is None:
        client = _clients[pool] = cache._cache._client(connection_pool=pool)
    return client


class CountingRateThrottle(throttling.SimpleRateThrottle):
    """DRF's SimpleRateThrottle counted by two Redis counters per client (see the module's docstring)."""

    def allow_request(self, request, view):
        cache = caches["default"]  # the backend itself (django.core.cache.cache is a proxy to it)
        if self.rate is None or not isinstance(cache, ResilientRedisCache):
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        if cache._is_down():
            return True
        now = self.timer()
        window, elapsed = divmod(now, self.duration)
        base = cache.make_and_validate_key(self.key)
        keys = [f"{base}:{int(window)}", f"{base}:{int(window) - 1}"]
        last_weight = 1.0 - elapsed / self.duration
        try:
            redis_client = _client_for(cache)
            allowed, current, previous = _count(
                redis_client, keys=keys, args=[self.num_requests, self.duration, last_weight]
            )
        except CACHE_ERRORS as error:
            cache._failed("throttle", error)
            return True
        if allowed:
            return True
        self._wait = self._seconds_until_allowed(
            current=int(current), previous=int(previous), elapsed=elapsed, last_weight=last_weight
        )
        return False

    def _seconds_until_allowed(self, *, current: int, previous: int, elapsed: float, last_weight: float) -> float:
        """When the weighted count falls below the rate, if nobody asks meanwhile (at least 1 s)."""
        duration, rate = self.duration, self.num_requests
        if current >= rate:
            # Next window: this one's count weighs (1 - t/duration), below the rate after t.
            return max(1.0, duration - elapsed + duration * (1 - rate / current))
        # This window: the last one's weight must fall until previous × weight + current < rate.
        return max(1.0, (last_weight - (rate - current) / previous) * duration)

    def wait(self):
        if hasattr(self, "_wait"):
            return self._wait
        return super().wait()


class AnonRateThrottle(throttling.AnonRateThrottle, CountingRateThrottle):
    pass


class UserRateThrottle(throttling.UserRateThrottle, CountingRateThrottle):
    """Per signed-in user only: anonymous clients are AnonRateThrottle's (one counter, not two)."""

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


class ScopedRateThrottle(throttling.ScopedRateThrottle, CountingRateThrottle):
    pass
