"""A place's upcoming stops as an iCalendar feed (RFC 5545), made with the icalendar package.

The stops are the upcoming-stops table (trucks.upcoming: the weekly hours and dated exceptions
expanded for the next STOP_DAYS_AHEAD local days), so the feed says what the search ahead says. Each
stop is an event in the place's own zone (a VTIMEZONE is added), with its address and position.
The body depends only on the stops and the place, never on the clock beyond which stops are still
ahead: its hash is the ETag, so a calendar app that polls gets 304 until something changes.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.http import Http404
from icalendar import Calendar, Event

from trucks.models import Place, UpcomingStop

PRODUCT_ID = "-//Food Truck Finder//Upcoming stops//EN"
CALENDAR_DOMAIN = "foodtrucks.invalid"


@dataclass(frozen=True)
class PlaceCalendar:
    body: bytes
    etag: str
    last_modified: datetime


def place_calendar(*, place_id: int, now: datetime) -> PlaceCalendar:
    """The active place's stops that have not ended by `now`, as an .ics body; 404 for any other place."""
    place = Place.objects.filter(pk=place_id, is_active=True).only("id", "name", "time_zone", "updated_at").first()
    if place is None:
        raise Http404("No such place.")
    stops = list(
        UpcomingStop.objects.filter(place_id=place.pk, ends_at__gt=now)
        .order_by("starts_at")
        .values("starts_at", "ends_at", "address", "lat", "lng", "source")
    )
    zone = place.tzinfo
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", place.name)
    calendar.add("x-wr-timezone", place.time_zone)
    for stop in stops:
        event = Event()
        event.add("uid", f"place-{place.pk}-{stop['starts_at']:%Y%m%dT%H%M%SZ}@{CALENDAR_DOMAIN}")
        # the moment the stop was made public: the place's last change (stable, so the body is too)
        event.add("dtstamp", place.updated_at)
        event.add("dtstart", stop["starts_at"].astimezone(zone))
        event.add("dtend", stop["ends_at"].astimezone(zone))
        event.add("summary", place.name)
        if stop["address"]:
            event.add("location", stop["address"])
        if stop["lat"] is not None:
            event.add("geo", (stop["lat"], stop["lng"]))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    body = calendar.to_ical()
    return PlaceCalendar(body=body, etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"', last_modified=place.updated_at)
