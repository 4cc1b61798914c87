"""The API's rate limits: DRF's, with one counter per client.

A Redis outage needs nothing here: the cache backend (foodtrucks.cache.ResilientRedisCache)
answers misses while Redis is down, so the limits let requests through and come back with Redis.
"""

from rest_framework import throttling


class AnonRateThrottle(throttling.AnonRateThrottle):
    pass


class UserRateThrottle(throttling.UserRateThrottle):
    """Per signed-in user only: anonymous clients are AnonRateThrottle's (one counter, not two)."""

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    pass
