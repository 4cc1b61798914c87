"""django-axes hooks: one lockout key for every login door, and the answer a locked-out client gets."""

import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from foodtrucks.errors import is_api_request


def login_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The login email, whichever door it came through.

    The admin and portal forms send it as ``username``; the API sends ``email``. It is lower-cased
    so that "A@x.com" and "a@x.com" share one failure counter.
    """
    for source in (credentials or {}, getattr(request, "data", None) or {}, request.POST):
        for field in ("username", "email"):
            value = source.get(field) if hasattr(source, "get") else None
            if isinstance(value, str) and value.strip():
                return value.strip().lower()
    return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the address the trusted proxies saw (X-Forwarded-For)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            # Each trusted proxy appends the address it received from; the client is `proxies` from the right.
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """429 with Retry-After: JSON for the API, a short page for the portal and the admin."""
    cool_off = get_cool_off(request)
    seconds = math.ceil(cool_off.total_seconds()) if cool_off else None
    minutes = math.ceil(seconds / 60) if seconds else None
    if is_api_request(request):
        detail = "Too many failed login attempts."
        if minutes:
            detail += f" Try again in {minutes} minutes."
        response = JsonResponse({"detail": detail, "errors": {}}, status=429)
    else:
        context = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
        response = render(request, "axes/lockout.html", context, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
