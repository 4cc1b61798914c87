"""A Redis cache that treats an outage as a miss, so the app keeps answering without Redis.

Every operation that fails with a Redis or socket error is logged and answered as a miss (reads
return the default, writes do nothing, ``add`` reports "not added", ``incr`` "no such key"). After
a failure the backend stops calling Redis for ``failure_backoff`` seconds, so requests during an
outage do not each wait for a connection timeout; ``ping()`` (used by /readyz) always asks Redis.
DRF throttles keep their history in the cache: during an outage they see no history and allow.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError, OSError)

# Monotonic time until which each Redis location counts as down; shared by the threads of a process.
_down_until: dict[str, float] = {}
_lock = threading.Lock()


class CacheUnavailable(Exception):
    """Raised by ``ping()`` when Redis does not answer."""


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = {**params, "OPTIONS": dict(params.get("OPTIONS") or {})}
        self.failure_backoff = float(params["OPTIONS"].pop("failure_backoff", 5))
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)

    # -- the circuit ------------------------------------------------------------------------------
    def _is_down(self) -> bool:
        return _down_until.get(self._location, 0.0) > time.monotonic()

    def _failed(self, operation: str, error: Exception) -> None:
        with _lock:
            already_down = self._is_down()
            _down_until[self._location] = time.monotonic() + self.failure_backoff
        if not already_down:
            logger.warning(
                "cache unavailable, serving misses for %ss: %s failed with %s: %s",
                self.failure_backoff,
                operation,
                error.__class__.__name__,
                error,
            )

    def _call(self, operation: str, fallback, *args, **kwargs):
        if self._is_down():
            return fallback()
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except CACHE_ERRORS as error:
            self._failed(operation, error)
            return fallback()

    def ping(self) -> None:
        """Ask Redis directly (bypassing the circuit); closes the circuit when it answers."""
        try:
            self._cache.get_client(write=True).ping()
        except CACHE_ERRORS as error:
            self._failed("ping", error)
            raise CacheUnavailable(str(error)) from error
        _down_until.pop(self._location, None)

    # -- the cache API ----------------------------------------------------------------------------
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", lambda: False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", lambda: default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", lambda: None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", lambda: False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", lambda: False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", dict, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", lambda: False, key, version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (cache unavailable).")

        return self._call("incr", missing, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", lambda: list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", lambda: None, keys, version)

    def clear(self):
        return self._call("clear", lambda: False)
