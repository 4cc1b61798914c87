"""Edge middleware: request ids, body size caps, and a clean 503 while the database is away."""

import logging
import re
import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from foodtrucks.errors import DATABASE_ERRORS, request_too_large, service_unavailable
from foodtrucks.logging import request_id_var

logger = logging.getLogger(__name__)

# What we accept from a client or proxy as a request id; anything else gets a fresh uuid4.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    """Takes X-Request-ID (or makes one), exposes it to logs and echoes it on the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        # Cleared when the response is finished (below), not here: Django logs the response status
        # ("Not Found: /x", "Service Unavailable: /y") after the middleware chain has returned.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def _clear_request_id(**kwargs) -> None:
    request_id_var.set("-")


request_finished.connect(_clear_request_id, dispatch_uid="foodtrucks.clear_request_id")


class RequestSizeLimitMiddleware:
    """413 for a body over the cap, judged by Content-Length before anything reads it.

    DRF parses JSON straight from the stream, so DATA_UPLOAD_MAX_MEMORY_SIZE alone would not cap
    API bodies. Multipart bodies (photos, certificates) get the larger MULTIPART_MAX_BODY_BYTES.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = self._limit(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            logger.warning("request body too large: %s bytes (limit %s) for %s", length, limit, request.path)
            return request_too_large(request, limit=limit)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return request_too_large(request, limit=self._limit(request) or 0)
        return None

    @staticmethod
    def _limit(request: HttpRequest) -> int | None:
        if request.content_type == "multipart/form-data":
            return settings.MULTIPART_MAX_BODY_BYTES
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class DatabaseUnavailableMiddleware:
    """While PostgreSQL is unreachable, answer 503 with Retry-After instead of a 500.

    Connections are re-checked at the start of every request (CONN_HEALTH_CHECKS), so the app
    recovers by itself as soon as the database is back. handler500 covers the same errors raised
    outside views.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            logger.error("database unavailable: %s", exception.__class__.__name__, exc_info=exception)
            return service_unavailable(request)
        return None
