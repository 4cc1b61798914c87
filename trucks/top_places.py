"""Top-rated places of a city, ranked once and kept in the cache until a rating there changes.

The cache holds only the ranked ids; the cards are read fresh, so the open switch and live location
are never stale. When the cache (Redis) is down the ranking is computed directly: never a 500.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

from trucks.models import Place

logger = logging.getLogger(__name__)

TOP_PLACES_LIMIT = 50
# A missed invalidation (cache down at that moment) heals after this long.
TOP_PLACES_CACHE_SECONDS = 10 * 60
CACHE_ERRORS = (RedisError, ConnectionError, TimeoutError, OSError)


def _cache_key(city: str) -> str:
    digest = hashlib.sha256(city.strip().casefold().encode()).hexdigest()[:32]
    return f"top-places:v1:{digest}"


def top_place_ids_compute(*, city: str) -> list[int]:
    """Active places of `city` (any case) with enough visible ratings, best first."""
    return list(
        Place.objects.filter(
            is_active=True, city__iexact=city.strip(), rating_count__gte=settings.TOP_PLACES_MIN_RATINGS
        )
        .order_by("-rating_avg", "-rating_count", "id")
        .values_list("id", flat=True)[:TOP_PLACES_LIMIT]
    )


def top_place_ids(*, city: str) -> list[int]:
    key = _cache_key(city)
    try:
        cached = cache.get(key)
    except CACHE_ERRORS as exc:
        logger.warning("top places: cache unreachable on read (%s); computing directly", exc)
        return top_place_ids_compute(city=city)
    if cached is not None:
        return cached
    ids = top_place_ids_compute(city=city)
    try:
        cache.set(key, ids, TOP_PLACES_CACHE_SECONDS)
    except CACHE_ERRORS as exc:
        logger.warning("top places: cache unreachable on write (%s)", exc)
    return ids


def top_places_invalidate(*, city: str) -> None:
    """Forget the city's ranking (the next read recomputes it)."""
    try:
        cache.delete(_cache_key(city))
    except CACHE_ERRORS as exc:
        logger.warning("top places: cache unreachable on invalidate (%s)", exc)


def top_places_invalidate_on_commit(*, city: str) -> None:
    if city:
        transaction.on_commit(lambda: top_places_invalidate(city=city))
