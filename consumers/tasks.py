"""Celery tasks of the consumer lists: the place-view buffer's flush."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from redis.exceptions import RedisError

from consumers import services, view_buffer


@shared_task(
    name="consumers.flush_place_views",
    autoretry_for=(OperationalError, InterfaceError, RedisError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
)
def flush_place_views() -> dict:
    """Beat job (every few seconds) and the reads' wake-up: write the buffered place views in batches.
    Idempotent: an entry is acknowledged after its batch commits, and a redelivered one is a duplicate."""
    result = view_buffer.views_flush(write=services.place_views_write)
    return {"views": result.views, "batches": result.batches, "claimed": result.claimed}
