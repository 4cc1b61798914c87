"""Error answers in one shape: JSON ``{"detail": ...}`` under /api/, a small standalone page elsewhere.

The pages render without a request context, so they need neither the database nor the session:
the 503 page must work while PostgreSQL is down.
"""

import logging
import sys

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# The database went away (restart, failover, network) or refused the work (timeouts, deadlocks),
# or the Celery broker did not take a task: the request may succeed if retried shortly.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, BrokerError)
RETRY_AFTER_SECONDS = 5


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def error_response(request: HttpRequest, *, status: int, detail: str, title: str) -> HttpResponse:
    if is_api_request(request):
        # The API's one error shape (foodtrucks/api_errors.py): `errors` is there, empty, for no field.
        return JsonResponse({"detail": detail, "errors": {}}, status=status)
    html = render_to_string("errors/error.html", {"status": status, "title": title, "detail": detail})
    return HttpResponse(html, status=status)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    response = error_response(
        request,
        status=503,
        detail="Service temporarily unavailable.",
        title="Back in a moment",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def request_too_large(request: HttpRequest, *, limit: int) -> HttpResponse:
    megabytes = limit / (1024 * 1024)
    return error_response(
        request,
        status=413,
        detail=f"Request body too large: the limit is {megabytes:g} MB.",
        title="Too large",
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, status=400, detail="Bad request.", title="Bad request")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(
        request,
        status=403,
        detail="You do not have permission to perform this action.",
        title="Not allowed",
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, status=404, detail="Not found.", title="Page not found")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500; an outage that escaped the middleware (e.g. a session save) is a 503, not a 500."""
    exception = sys.exc_info()[1]
    if isinstance(exception, UNAVAILABLE_ERRORS):
        return service_unavailable(request)
    return error_response(request, status=500, detail="Server error.", title="Something went wrong")
