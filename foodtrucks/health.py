"""Liveness and readiness probes for the load balancer and the orchestrator.

/healthz: the process answers (no database, no cache); restart the process when it fails.
/readyz: every database alias, the cache and the Celery broker answer; take the process out of
rotation while it is 503.
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 2


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def check_database(alias: str) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    ping = getattr(cache, "ping", None)
    if ping is not None:
        ping()
        return
    # Backends without ping (local memory in development): a write and a read.
    cache.set("readyz:probe", "ok", timeout=10)
    if cache.get("readyz:probe") != "ok":
        raise RuntimeError("cache did not return what was written")


def check_broker() -> None:
    transport_options = {"socket_connect_timeout": PROBE_TIMEOUT_SECONDS, "socket_timeout": PROBE_TIMEOUT_SECONDS}
    with Connection(
        settings.CELERY_BROKER_URL, connect_timeout=PROBE_TIMEOUT_SECONDS, transport_options=transport_options
    ) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=PROBE_TIMEOUT_SECONDS)


def _run(check: Callable[[], None]) -> dict:
    started = time.monotonic()
    try:
        check()
    except Exception as error:  # any failure of a dependency means "not ready", never a 500
        logger.warning("readiness check failed: %s: %s", error.__class__.__name__, error)
        return {"status": "error", "error": error.__class__.__name__}
    return {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {f"database:{alias}": _run(lambda alias=alias: check_database(alias)) for alias in connections}
    checks["cache"] = _run(check_cache)
    checks["broker"] = _run(check_broker)
    ready = all(check["status"] == "ok" for check in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
