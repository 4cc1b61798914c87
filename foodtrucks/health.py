"""Probes for the load balancer, the orchestrator and monitoring (policy: docs/operations.md).

/healthz               liveness: the process answers (no database, no cache); restart it when it fails.
/readyz                readiness: 503 only for what this process cannot serve without, its databases
                       (every alias: the primary, and the replica when one is configured, because the
                       router sends reads there). Redis (the cache) and the Celery broker are reported
                       in the body and listed under "degraded", with a 200: the app serves every
                       request without them (the cache fails open, events and sessions are in
                       PostgreSQL), and an outage of a shared dependency must not pull every web
                       process out of rotation at once.
/healthz/dependencies  every dependency, for dashboards and alerting: 503 when any one is down.

Cache and broker checks run on a small thread pool with a time budget, so a Redis that hangs
(instead of refusing) cannot make /readyz slower than the balancer's probe timeout: a check still
running when the budget is spent reads as down ("Timeout") and the next probe joins it rather than
starting another.
"""

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 2
# /readyz waits this long for the cache and broker checks (together) before reporting them down.
READY_OPTIONAL_BUDGET_SECONDS = 0.5
# /healthz/dependencies waits for every check to finish within its own timeouts.
DEPENDENCIES_BUDGET_SECONDS = PROBE_TIMEOUT_SECONDS + 1

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
# The check still running for each (dependency, address): a probe joins it instead of piling up.
_in_flight: dict[tuple[str, str], Future] = {}
# The last status seen for each (dependency, address): a change is logged once, not every probe.
_last_status: dict[tuple[str, str], str] = {}


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


def _optional_checks() -> dict[str, tuple[str, Callable[[], None]]]:
    """The dependencies the app serves without: name -> (the address it is checked at, the check)."""
    location = settings.CACHES["default"].get("LOCATION", "")
    return {
        "cache": (str(location), check_cache),
        "broker": (settings.CELERY_BROKER_URL, check_broker),
    }


def _run(check: Callable[[], None]) -> dict:
    started = time.monotonic()
    try:
        check()
    except Exception as error:  # any failure of a dependency is reported, never a 500
        return {"status": "down", "error": error.__class__.__name__, "message": str(error)}
    return {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}


def _submit(key: tuple[str, str], check: Callable[[], None]) -> Future:
    global _pool
    with _pool_lock:
        if _pool is None:  # made in the serving process (gunicorn preloads the app before forking)
            _pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="dependency-check")
        future = _in_flight.get(key)
        if future is None or future.done():
            future = _in_flight[key] = _pool.submit(_run, check)
        return future


def _optional_results(budget_seconds: float) -> dict[str, dict]:
    futures = {
        name: (address, _submit((name, address), check)) for name, (address, check) in _optional_checks().items()
    }
    wait([future for _, future in futures.values()], timeout=budget_seconds)
    results = {}
    for name, (address, future) in futures.items():
        if future.done():
            result = future.result()
        else:  # still running: a hanging server reads as down; the next probe joins this check
            result = {"status": "down", "error": "Timeout", "message": f"no answer within {budget_seconds} s"}
        results[name] = _noted(name, address, result, required=False)
    return results


def _noted(name: str, address: str, result: dict, *, required: bool) -> dict:
    """Log a change of a dependency's status (once per change); the answer names the error class only."""
    result = dict(result)  # a joined check's result is shared between probes
    message = result.pop("message", "")
    previous = _last_status.get((name, address))
    _last_status[(name, address)] = result["status"]
    if result["status"] != "ok" and previous != result["status"]:
        consequence = "not ready" if required else "serving degraded, still ready"
        logger.warning("dependency down: %s (%s: %s); %s", name, result["error"], message, consequence)
    elif result["status"] == "ok" and previous not in (None, "ok"):
        logger.info("dependency back: %s", name)
    return result


def database_aliases() -> list[str]:
    """Every configured database: the primary, and the replica when DATABASE_REPLICA_URL adds one."""
    return list(connections)


def _database_results() -> dict[str, dict]:
    return {
        f"database:{alias}": _noted(
            f"database:{alias}", alias, _run(lambda alias=alias: check_database(alias)), required=True
        )
        for alias in database_aliases()
    }


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = _database_results()
    ready = all(check["status"] == "ok" for check in checks.values())
    optional = _optional_results(READY_OPTIONAL_BUDGET_SECONDS)
    checks.update(optional)
    degraded = [name for name, check in optional.items() if check["status"] != "ok"]
    body = {"status": "ok" if ready else "unavailable", "checks": checks, "degraded": degraded}
    return JsonResponse(body, status=200 if ready else 503)


@never_cache
@require_GET
def dependencies(request: HttpRequest) -> JsonResponse:
    checks = {**_database_results(), **_optional_results(DEPENDENCIES_BUDGET_SECONDS)}
    down = [name for name, check in checks.items() if check["status"] != "ok"]
    return JsonResponse(
        {"status": "down" if down else "ok", "checks": checks, "down": down}, status=503 if down else 200
    )
