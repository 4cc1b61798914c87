"""A vendor's own calendar into a place's dated stops: fetch (SSRF-safe) or read the uploaded .ics,
expand recurring events (recurring-ical-events: RRULE, RDATE, EXDATE, moved occurrences), and sync
the events of the next STOP_DAYS_AHEAD local days into schedule exceptions, all or nothing.

Each event occurrence becomes one ScheduleException of its local day in the place's zone: `moved`
when the event names a location (LOCATION, GEO), `special_hours` otherwise; CalendarEventStop records
which (UID + RECURRENCE-ID), so a re-sync updates a changed event, deletes a removed one and never
imports one twice. Not imported (and counted in the preview): all-day events, events of a day or
longer, a second event on a day already taken (by an earlier event, or by an exception the vendor
made by hand, which the feed never overwrites). A broken feed (HTTP error, not iCalendar, too large,
too slow) raises CalendarFeedError before any write; the sync records it on the subscription for
the owner, and the place's stops stay as they were.
"""

import ipaddress
import socket
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urljoin, urlsplit

import certifi
import recurring_ical_events
import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from trucks.models import CalendarEventStop, CalendarSubscription, ExceptionKind, Place, ScheduleException
from trucks.upcoming import STOP_DAYS_AHEAD, upcoming_stops_rebuild

MAX_FEED_BYTES = 2_000_000
FETCH_TIMEOUT_SECONDS = 10
MAX_REDIRECTS = 3


class CalendarFeedError(Exception):
    """The feed cannot be read: the message is for the vendor (the portal shows it)."""


@dataclass(frozen=True)
class FeedEvent:
    """One occurrence of an event, on its local day in the place's zone."""

    uid: str
    recurrence_id: str
    day: date
    opens: time
    closes: time
    address: str
    lat: float | None
    lng: float | None
    summary: str

    @property
    def kind(self) -> str:
        return ExceptionKind.MOVED if self.address or self.lat is not None else ExceptionKind.SPECIAL_HOURS


@dataclass(frozen=True)
class FeedReading:
    events: list[FeedEvent]  # those that become stops, by start
    skipped: list[str]  # why the others do not


# --- fetching ------------------------------------------------------------------------------------------


def _checked_address(url: str) -> str:
    """The address the feed will be fetched from: only http(s), and only an address on the internet, so a
    feed URL cannot reach our own network (SSRF). The fetch connects to this very address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CalendarFeedError("The calendar address must start with http:// or https://.")
    try:
        infos = socket.getaddrinfo(parts.hostname, _port(parts), proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError) as error:
        raise CalendarFeedError(f"The calendar's host {parts.hostname} was not found.") from error
    addresses = [info[4][0] for info in infos]
    if not settings.CALENDAR_FETCH_ALLOW_PRIVATE and not all(ipaddress.ip_address(a).is_global for a in addresses):
        raise CalendarFeedError("The calendar address points to a private network; it cannot be fetched.")
    return addresses[0]


def _port(parts) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def _get_pinned(url: str, address: str) -> urllib3.BaseHTTPResponse:
    """GET `url` from `address`, the one that was checked: the host is never resolved a second time (no
    DNS-rebinding window between the check and the connection). HTTPS still verifies the certificate
    against the URL's host name (SNI and hostname check), and the Host header is the URL's."""
    parts = urlsplit(url)
    timeout = urllib3.Timeout(connect=FETCH_TIMEOUT_SECONDS, read=FETCH_TIMEOUT_SECONDS)
    options = {"port": _port(parts), "timeout": timeout, "retries": False, "maxsize": 1}
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, **options)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {
        "Host": parts.netloc.rpartition("@")[2],
        "Accept": "text/calendar, */*;q=0.5",
        "User-Agent": "FoodTruckFinder-Calendar/1",
    }
    return pool.urlopen("GET", target, headers=headers, redirect=False, preload_content=False)


def calendar_fetch(url: str) -> bytes:
    """The feed's bytes: redirects followed by hand (each target checked), at most MAX_FEED_BYTES, within
    FETCH_TIMEOUT_SECONDS per connect and per read."""
    for _ in range(MAX_REDIRECTS + 1):
        address = _checked_address(url)
        try:
            response = _get_pinned(url, address)
        except urllib3.exceptions.TimeoutError as error:
            raise CalendarFeedError("The calendar did not answer in time.") from error
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise CalendarFeedError("The calendar could not be reached.") from error
        try:
            location = response.headers.get("Location")
            if response.status in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise CalendarFeedError(f"The calendar answered HTTP {response.status}.")
            content = b""
            try:
                for chunk in response.stream(64 * 1024):
                    content += chunk
                    if len(content) > MAX_FEED_BYTES:
                        raise CalendarFeedError(f"The calendar is larger than {MAX_FEED_BYTES // 1_000_000} MB.")
            except urllib3.exceptions.TimeoutError as error:
                raise CalendarFeedError("The calendar did not answer in time.") from error
            except (urllib3.exceptions.HTTPError, OSError) as error:
                raise CalendarFeedError("The calendar stopped answering.") from error
            return content
        finally:
            response.release_conn()
    raise CalendarFeedError("The calendar address redirects too many times.")


def _feed_bytes(subscription: CalendarSubscription) -> bytes:
    if subscription.url:
        return calendar_fetch(subscription.url)
    return subscription.ics_text.encode()


# --- reading ---------------------------------------------------------------------------------------------


def calendar_read(content: bytes, *, place: Place, now: datetime) -> FeedReading:
    """The events of the place's local today .. STOP_DAYS_AHEAD, expanded, one per local day."""
    if len(content) > MAX_FEED_BYTES:
        raise CalendarFeedError(f"The calendar is larger than {MAX_FEED_BYTES // 1_000_000} MB.")
    try:
        calendar = Calendar.from_ical(content)
        if calendar.name != "VCALENDAR":
            raise CalendarFeedError("The file is not an iCalendar (.ics) calendar.")
        zone = place.tzinfo
        today = now.astimezone(zone).date()
        occurrences = recurring_ical_events.of(calendar).between(today, today + timedelta(days=STOP_DAYS_AHEAD + 1))
        occurrences = list(occurrences)
        # the UIDs of recurring events: only their occurrences are told apart by RECURRENCE-ID
        recurring = {
            str(event.get("UID", "")).strip()
            for event in calendar.walk("VEVENT")
            if "RRULE" in event or "RDATE" in event or "RECURRENCE-ID" in event
        }
    except CalendarFeedError:
        raise
    except Exception as error:  # icalendar and recurring-ical-events raise many kinds on a broken file
        raise CalendarFeedError("The file is not a readable iCalendar (.ics) calendar.") from error
    candidates, skipped = [], []
    for component in occurrences:
        event = _feed_event(component, zone=zone, skipped=skipped, recurring=recurring)
        if event is not None and event.day >= today:
            candidates.append((component.decoded("DTSTART"), event))
    candidates.sort(key=lambda pair: (pair[0].astimezone(zone), pair[1].uid))
    taken: set[date] = set()
    events = []
    for _, event in candidates:
        if event.day in taken:
            skipped.append(f"{event.summary or event.uid} on {event.day}: another event already has that day.")
            continue
        taken.add(event.day)
        events.append(event)
    return FeedReading(events=events, skipped=skipped)


def _feed_event(component, *, zone, skipped: list[str], recurring: set[str]) -> FeedEvent | None:
    uid = str(component.get("UID", "")).strip()
    summary = str(component.get("SUMMARY", "")).strip()
    start = component.decoded("DTSTART")
    end = component.decoded("DTEND") if "DTEND" in component else None
    if end is None and "DURATION" in component:
        end = start + component.decoded("DURATION")
    if not uid or not isinstance(start, datetime) or not isinstance(end, datetime):
        skipped.append(f"{summary or uid or 'An event'}: all-day or without a time; not a stop.")
        return None
    start = start.replace(tzinfo=zone) if start.tzinfo is None else start.astimezone(zone)  # floating: local
    end = end.replace(tzinfo=zone) if end.tzinfo is None else end.astimezone(zone)
    if not timedelta(0) < end - start < timedelta(hours=24) or start.time() == end.time():
        skipped.append(f"{summary or uid} on {start.date()}: a stop must last less than a day.")
        return None
    recurrence = component.get("RECURRENCE-ID") if uid in recurring else None
    recurrence_id = recurrence.dt.astimezone(UTC).isoformat() if recurrence and recurrence.dt else ""
    geo = component.get("GEO")
    lat, lng = (float(geo.latitude), float(geo.longitude)) if geo is not None else (None, None)
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        lat = lng = None
    return FeedEvent(
        uid=uid[:255],
        recurrence_id=recurrence_id[:40],
        day=start.date(),
        opens=start.time().replace(tzinfo=None),
        closes=end.time().replace(tzinfo=None),
        address=str(component.get("LOCATION", "")).strip()[:255],
        lat=lat,
        lng=lng,
        summary=summary[:255],
    )


def calendar_preview(*, subscription: CalendarSubscription, now: datetime | None = None) -> FeedReading:
    """What an import would make, without writing anything (CalendarFeedError when the feed is broken)."""
    return calendar_read(_feed_bytes(subscription), place=subscription.place, now=now or timezone.now())


# --- syncing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: int = 0
    error: str = ""


def calendar_sync(*, subscription_id: int, now: datetime | None = None, first_import: bool = False) -> SyncResult:
    """Bring the place's stops in line with the feed, in one transaction; a broken feed changes nothing
    and is recorded on the subscription (last_error, last_error_at). Idempotent: a second run with the
    same feed changes nothing. Without `first_import`, a subscription never imported is left alone."""
    now = now or timezone.now()
    subscription = CalendarSubscription.objects.select_related("place").get(pk=subscription_id)
    if subscription.imported_at is None and not first_import:
        return SyncResult()
    try:
        reading = calendar_read(_feed_bytes(subscription), place=subscription.place, now=now)
    except CalendarFeedError as error:
        CalendarSubscription.objects.filter(pk=subscription_id).update(last_error=str(error)[:500], last_error_at=now)
        return SyncResult(error=str(error))
    with transaction.atomic():
        subscription = CalendarSubscription.objects.select_for_update().select_related("place").get(pk=subscription_id)
        result = _apply(subscription=subscription, reading=reading, now=now)
        subscription.imported_at = subscription.imported_at or now
        subscription.last_synced_at = now
        subscription.last_error, subscription.last_error_at = "", None
        subscription.save(update_fields=["imported_at", "last_synced_at", "last_error", "last_error_at"])
        upcoming_stops_rebuild(place_ids=[subscription.place_id], now=now)
    return result


def _apply(*, subscription: CalendarSubscription, reading: FeedReading, now: datetime) -> SyncResult:
    place = subscription.place
    today = now.astimezone(place.tzinfo).date()
    linked = {
        (link.uid, link.recurrence_id): link
        for link in subscription.event_stops.select_related("exception").filter(exception__date__gte=today)
    }
    wanted = {(event.uid, event.recurrence_id): event for event in reading.events}
    # removed events first: their days are free for the others
    removed = [link.exception_id for key, link in linked.items() if key not in wanted]
    ScheduleException.objects.filter(pk__in=removed).delete()
    hand_made = set(
        ScheduleException.objects.filter(place=place, date__gte=today, calendar_event__isnull=True).values_list(
            "date", flat=True
        )
    )
    created = updated = skipped = 0
    # changed days move out of the way before any row takes them (the one-exception-a-day constraint)
    moving = [
        link.exception for key, link in linked.items() if key in wanted and link.exception.date != wanted[key].day
    ]
    ScheduleException.objects.filter(pk__in=[exception.pk for exception in moving]).delete()
    for key, event in wanted.items():
        if event.day in hand_made:
            skipped += 1
            continue
        fields = {
            "kind": event.kind,
            "opens": event.opens,
            "closes": event.closes,
            "address": event.address,
            "lat": event.lat,
            "lng": event.lng,
            "note": event.summary,
        }
        link = linked.get(key)
        if link is not None and link.exception.date == event.day:
            exception = link.exception
            changed = [name for name, value in fields.items() if getattr(exception, name) != value]
            if changed:
                for name in changed:
                    setattr(exception, name, fields[name])
                exception.full_clean()
                exception.save(update_fields=changed)
                updated += 1
            continue
        exception = ScheduleException(place=place, date=event.day, **fields)
        exception.full_clean(validate_unique=False)
        exception.save()
        CalendarEventStop.objects.update_or_create(
            subscription=subscription,
            uid=event.uid,
            recurrence_id=event.recurrence_id,
            defaults={"exception": exception},
        )
        if link is None:
            created += 1
        else:
            updated += 1
    return SyncResult(created=created, updated=updated, deleted=len(removed), skipped=skipped + len(reading.skipped))


def calendar_subscriptions_due() -> list[int]:
    """Ids of the subscriptions the nightly job re-syncs: every one imported at least once."""
    return list(
        CalendarSubscription.objects.filter(imported_at__isnull=False).order_by("id").values_list("id", flat=True)
    )


# --- the vendor's choices (the portal) ---------------------------------------------------------------------


@transaction.atomic
def calendar_subscribe(*, place: Place, url: str = "", ics_content: bytes | None = None) -> CalendarSubscription:
    """Subscribe the place to an iCal URL or an uploaded .ics (exactly one). A new source is previewed
    again before anything is imported (imported_at cleared); the stops it made so far stay until then."""
    url = (url or "").strip()
    errors = {}
    if bool(url) == bool(ics_content):
        errors["url"] = "Give the address of your calendar or upload an .ics file (one of the two)."
    elif url and urlsplit(url).scheme not in ("http", "https"):
        errors["url"] = "The calendar address must start with http:// or https://."
    elif ics_content is not None and len(ics_content) > MAX_FEED_BYTES:
        errors["ics_file"] = f"The file is larger than {MAX_FEED_BYTES // 1_000_000} MB."
    text = ""
    if ics_content and not errors:
        try:
            text = ics_content.decode("utf-8-sig")
        except UnicodeDecodeError:
            errors["ics_file"] = "The file is not a text calendar (.ics, UTF-8)."
    if errors:
        raise ValidationError(errors)
    subscription, _ = CalendarSubscription.objects.update_or_create(
        place=place,
        defaults={"url": url, "ics_text": text, "imported_at": None, "last_error": "", "last_error_at": None},
    )
    return subscription


@transaction.atomic
def calendar_unsubscribe(*, place: Place) -> None:
    """Stop following the calendar; the stops it made stay, as if the vendor had typed them."""
    CalendarSubscription.objects.filter(place=place).delete()
