"""Celery tasks of the trucks app."""

from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError
from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from trucks.calendar_import import calendar_subscriptions_due, calendar_sync
from trucks.catch_up import change_log_prune
from trucks.geocoding import place_address_from_geocoder
from trucks.open_switch import places_switch_off_stale
from trucks.thumbnails import thumbnails_make
from trucks.top_places import top_places_warm
from trucks.upcoming import upcoming_stops_rebuild_from

# Work per run of the nightly rebuild before it queues the rest: below the 4 min soft time limit.
REBUILD_TASK_SECONDS = 120


@shared_task(
    name="trucks.switch_off_stale_open_places",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def switch_off_stale_open_places() -> int:
    """Beat job (every few minutes): no truck stays "open" long after its closing time."""
    return places_switch_off_stale(now=timezone.now())


@shared_task(
    name="trucks.warm_top_places",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def warm_top_places() -> int:
    """Beat job (before the cached rankings expire): every city's top list is ready in the cache."""
    return top_places_warm()


@shared_task(
    name="trucks.rebuild_upcoming_stops",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def rebuild_upcoming_stops(now: str | None = None, from_id: int = 0) -> int:
    """Beat job (nightly): every place's upcoming stops rebuilt from today, so the window moves on a day.

    Bounded: it works for REBUILD_TASK_SECONDS (well inside the task's soft time limit), then queues
    itself for the places left, with the same `now`, so a million places never meet the time limit.
    Idempotent: a rerun (a retry, a second beat) rebuilds the same rows.
    """
    at = datetime.fromisoformat(now) if now else timezone.now()
    made, next_id = upcoming_stops_rebuild_from(now=at, from_id=from_id, seconds=REBUILD_TASK_SECONDS)
    if next_id is not None:
        rebuild_upcoming_stops.delay(now=at.isoformat(), from_id=next_id)
    return made


@shared_task(
    name="trucks.make_thumbnails",
    autoretry_for=(OperationalError, InterfaceError, OSError, BotoCoreError, ClientError),
    retry_backoff=True,
    max_retries=5,
)
def make_thumbnails(kind: str, pk: int) -> bool:
    """After an upload (enqueued on commit): the photo's ("photo") or item's ("item") two WebP thumbnails
    and its recorded size. Idempotent: a row whose thumbnails are made is left alone."""
    return thumbnails_make(kind=kind, pk=pk)


@shared_task(
    name="trucks.sync_calendar",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def sync_calendar(subscription_id: int) -> str:
    """One subscribed calendar into its place's stops (on demand, or queued by the nightly job).
    Idempotent: the same feed synced twice changes nothing the second time; a broken feed is recorded."""
    result = calendar_sync(subscription_id=subscription_id)
    return result.error or f"{result.created} created, {result.updated} updated, {result.deleted} deleted"


@shared_task(
    name="trucks.sync_all_calendars",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def sync_all_calendars() -> int:
    """Beat job (nightly): every imported calendar re-synced, one task each (a slow feed delays only itself)."""
    ids = calendar_subscriptions_due()
    for subscription_id in ids:
        sync_calendar.delay(subscription_id)
    return len(ids)


@shared_task(
    name="trucks.reverse_geocode_place",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def reverse_geocode_place(place_id: int, lat: float, lng: float) -> bool:
    """After a check-in moved a place without an address: the geocoder's address, if it still sits there."""
    return place_address_from_geocoder(place_id=place_id, lat=lat, lng=lng)


@shared_task(
    name="trucks.prune_change_log",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def prune_change_log() -> int:
    """Beat job (daily): the catch-up feed's change log keeps CATCH_UP_RETENTION_DAYS."""
    return change_log_prune(now=timezone.now())
