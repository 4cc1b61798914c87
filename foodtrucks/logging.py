"""Request ids in logs: a context variable set per request and a filter that stamps every record."""

import logging
from contextvars import ContextVar

# "-" outside a request (management commands, Celery, start-up).
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` so formatters (plain or JSON) can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True
