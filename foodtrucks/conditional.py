"""Conditional GETs for the API: an ETag from the data's version, 304 when the client already has it.

A view computes its ETag from what its answer is made of (a version number read in one cheap query,
the query string, the clock's bucket) before doing the work, and answers 304 Not Modified without
rendering when `If-None-Match` names it. Answers carrying an ETag say `Cache-Control: no-cache`
(store, but ask each time); personal ones are made `private, no-cache` by PrivateApiAnswersMiddleware.

The clock is part of every ETag, in buckets of API_ETAG_CLOCK_SECONDS: answers hold fields computed
from the time (a card's `next_opening` and `location_status`, a search by `open_within`), which change
with no write to log; a bucket bounds how long an unchanged ETag may hide them.
"""

import hashlib
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response

REVALIDATE = "no-cache"


def clock_bucket(now: datetime) -> int:
    return int(now.timestamp()) // settings.API_ETAG_CLOCK_SECONDS


def weak_etag(*parts: object) -> str:
    """A weak ETag (same data, byte-for-byte equality not promised) from `parts`."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=12).hexdigest()
    return f'W/"{digest}"'


def query_key(request) -> str:
    """The query string, its parameters sorted, so `?a=1&b=2` and `?b=2&a=1` share an ETag."""
    return "&".join(f"{key}={value}" for key in sorted(request.GET) for value in request.GET.getlist(key))


def not_modified(request: HttpRequest, etag: str) -> HttpResponse | None:
    """A 304 (with the ETag) when `If-None-Match` names `etag` on a GET or HEAD, else None.

    `If-None-Match: *` is left to the full answer: the version is computed without knowing whether
    the resource exists, and a 304 must never stand for a 404.
    """
    if request.headers.get("If-None-Match", "").strip() == "*":
        return None
    response = get_conditional_response(request, etag=etag)
    if response is not None:
        mark_revalidate(response, etag)
    return response


def mark_revalidate(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = REVALIDATE
    return response
