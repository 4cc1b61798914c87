"""Edge middleware: request ids, body size caps, JSON bodies checked up front, private API answers kept
out of shared caches, a clean 503 while the database or broker is away, and the audit trail's actor."""

import logging
import re
import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from foodtrucks.api_parsers import loads_untrusted
from foodtrucks.audit_context import acting_as
from foodtrucks.errors import (
    UNAVAILABLE_ERRORS,
    error_response,
    is_api_request,
    request_too_large,
    service_unavailable,
)
from foodtrucks.logging import request_id_var

logger = logging.getLogger(__name__)

# What we accept from a client or proxy as a request id; anything else gets a fresh uuid4.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# The consumer's own resources: /api/v1/me/..., and any "me" segment further down (live/me/...).
_OWN_RESOURCE = re.compile(r"/me(/|$)")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PRIVATE_CACHE_CONTROL = "private, no-store"
# A personal read that carries an ETag (foodtrucks.conditional): the client's own cache may keep it,
# provided it asks each time (If-None-Match); shared caches still never do.
PRIVATE_REVALIDATE_CACHE_CONTROL = "private, no-cache"


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


class PrivateApiAnswersMiddleware:
    """API answers given per token never reach a shared cache: `Cache-Control: private, no-store`.

    Personal means: the request carries credentials (Authorization), or it is a write (log-in and
    sign-up answer a token; every other write answers the writer's own data), or it addresses the
    caller's own resources (a `me` path segment: a 401 there is private too). The rule is judged
    from the request alone, so it holds for every answer, errors and 503s included, and for every
    endpoint added later. Every API answer also varies by Authorization. A personal GET answered with
    an ETag (or its 304) is `private, no-cache`: the client may keep it and revalidate.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_api_request(request):
            patch_vary_headers(response, ("Authorization",))
            if _is_personal(request):
                revalidate = request.method in ("GET", "HEAD") and response.has_header("ETag")
                response["Cache-Control"] = PRIVATE_REVALIDATE_CACHE_CONTROL if revalidate else PRIVATE_CACHE_CONTROL
        return response


def _is_personal(request: HttpRequest) -> bool:
    return (
        "HTTP_AUTHORIZATION" in request.META
        or request.method not in _SAFE_METHODS
        or bool(_OWN_RESOURCE.search(request.path_info))
    )


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


class JsonBodyMiddleware:
    """Reads every JSON body once, before sessions, authentication or any view: a bad one is a 400.

    A body nested too deep, a number no float holds, NaN, bytes that are not text, an unpaired
    surrogate (foodtrucks/api_parsers.py) is refused here, in the error shape of the door it came
    through, whatever view it was for and whether or not that view reads a body. An accepted body
    is kept as `request.json_body`, where DRF's parser and any plain view take it from.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _declares_json(request.content_type):
            try:
                body = request.body
            except RequestDataTooBig:
                return request_too_large(request, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
            if body:
                try:
                    request.json_body = loads_untrusted(body, encoding=request.encoding or settings.DEFAULT_CHARSET)
                except ValueError as error:
                    logger.info("JSON body refused for %s: %s", request.path, error)
                    return error_response(
                        request, status=400, detail=f"JSON parse error - {error}", title="Bad request"
                    )
        return self.get_response(request)


def _declares_json(content_type: str | None) -> bool:
    return content_type == "application/json" or bool(content_type and content_type.endswith("+json"))


class ServiceUnavailableMiddleware:
    """While PostgreSQL (or the Celery broker) is unreachable, answer 503 with Retry-After, not 500.

    Connections are re-checked at the start of every request (CONN_HEALTH_CHECKS), so the app
    recovers by itself as soon as the database is back. handler500 covers the same errors raised
    outside views.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, UNAVAILABLE_ERRORS):
            logger.error("service unavailable: %s", exception.__class__.__name__, exc_info=exception)
            return service_unavailable(request)
        return None


class AuditActorMiddleware:
    """Makes the request's user the actor of the audit entries the services write during it
    (foodtrucks.audit_context; read lazily, so the API's token user counts once DRF has set it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(request):
            return self.get_response(request)
