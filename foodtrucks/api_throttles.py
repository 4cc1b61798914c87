"""DRF's rate limits, failing open when the cache (Redis) is unreachable.

The counters live in the cache; without this, a Redis outage would turn every request into a 500.
A warning is logged and the request goes through; the limits come back with the cache.
"""

import logging

from rest_framework import throttling

from trucks.top_places import CACHE_ERRORS

logger = logging.getLogger(__name__)


class _FailOpen:
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            logger.warning("throttle %s: cache unreachable (%s); letting the request through", self.scope, exc)
            return True


class AnonRateThrottle(_FailOpen, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_FailOpen, throttling.UserRateThrottle):
    """Per signed-in user only: anonymous clients are AnonRateThrottle's (one counter, not two)."""

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


class ScopedRateThrottle(_FailOpen, throttling.ScopedRateThrottle):
    pass
