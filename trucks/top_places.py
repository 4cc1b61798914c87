"""Top-rated places of a city, ranked once and kept in the cache until a rating there changes.

The cache holds only the ranked ids; the cards are read fresh, so the open switch and live location
are never stale. When Redis is down the cache backend answers misses (foodtrucks.cache), so the
ranking is computed directly: never a 500.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from trucks.models import Place

TOP_PLACES_LIMIT = 50
# A missed invalidation (cache down at that moment) heals after this long.
TOP_PLACES_CACHE_SECONDS = 10 * 60


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
    cached = cache.get(key)
    if cached is not None:
        return cached
    ids = top_place_ids_compute(city=city)
    _store(key, ids)
    return ids


def _store(key: str, ids: list[int]) -> None:
    cache.set(key, ids, TOP_PLACES_CACHE_SECONDS)


def top_places_warm() -> int:
    """Rank every city at once and store each ranking, so no consumer waits for a cold cache.

    One query over the places that can rank (enough visible ratings), best first; the cities are
    told apart the same way the cache keys are (trimmed, case-folded). Returns how many cities.
    """
    rows = (
        Place.objects.filter(is_active=True, rating_count__gte=settings.TOP_PLACES_MIN_RATINGS)
        .exclude(city="")
        .order_by("-rating_avg", "-rating_count", "id")
        .values_list("id", "city")
    )
    by_city: dict[str, list[int]] = {}
    for place_id, city in rows.iterator(chunk_size=5000):
        ranked = by_city.setdefault(city.strip().casefold(), [])
        if len(ranked) < TOP_PLACES_LIMIT:
            ranked.append(place_id)
    for city, ids in by_city.items():
        _store(_cache_key(city), ids)
    return len(by_city)


def top_places_invalidate(*, city: str) -> None:
    """Forget the city's ranking (the next read recomputes it)."""
    cache.delete(_cache_key(city))


def top_places_invalidate_on_commit(*, city: str) -> None:
    if city:
        transaction.on_commit(lambda: top_places_invalidate(city=city))
