"""Upcoming stops: every place's schedule for the next days expanded into a table (trucks.UpcomingStop),
so "who will be open there at 18:00 on Saturday" is an indexed search, like the nearby search.

How the table is kept exact:
- `upcoming_stops_rebuild(place_ids=...)` replaces the stops of those places with one set-based
  INSERT … SELECT: for each local day from yesterday to STOP_DAYS_AHEAD in the place's own zone, the
  dated exception of the day when there is one (closed: nothing; special hours, moved: its hours) or
  else the weekly slots of that weekday; an overnight slot (closes <= opens) ends the next day. The
  services that change a schedule, a place's zone, location or activity call it in their transaction;
  a nightly beat job rebuilds every place in batches so the window moves on day by day.
- Local times become instants with `trucks_local_instant` (migration 0004), which reads a time that a
  DST change skips or repeats as Python's zoneinfo does (fold=0: the offset before the change), so
  the table agrees with trucks.schedule, which the place page uses.
- A stop's location is the slot's or exception's own coordinates when it has them, the place's
  otherwise; its address likewise (own when not blank).

The search (`open_stops`) reads "stops covering [from, until]" with the index `stop_hour_lat_lng_idx`:
a stop that covers an instant began at most MAX_STOP_HOURS before it, so the hour keys to read are a
short list; with a point, the same bounding box and exact haversine as trucks.nearby.
"""

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet, Subquery
from django.utils import timezone

from trucks.models import MAX_STOP_HOURS, Place, UpcomingStop
from trucks.nearby import _DISTANCE_SQL, EARTH_RADIUS_KM, bounding_box, haversine_km_expression

# How far ahead a search may ask (open_at, open_within).
SEARCH_HORIZON_DAYS = 14
# Local days kept ahead of each place's today: the horizon, one day for the DST hour and the local
# date of now + 14 days, one more so a nightly run a few hours late still covers the horizon.
STOP_DAYS_AHEAD = SEARCH_HORIZON_DAYS + 2
# A client clock a little behind the server's may ask for "now" as a moment just past.
PAST_TOLERANCE = timedelta(minutes=5)
# open_within: at most a day ahead (a shortcut for "soon"; open_at reaches the whole horizon).
OPEN_WITHIN_MAX_MINUTES = 24 * 60
# The nightly rebuild works through places in id ranges of this size, one transaction each.
REBUILD_BATCH = 5000

# Days from each place's local yesterday to STOP_DAYS_AHEAD; per day the exception when there is one,
# else the weekly slots of the weekday (PostgreSQL's isodow is 1 = Monday, OpeningHours.weekday 0);
# local start and end made instants in the place's zone. Only constants are put in ({places}).
_REBUILD_SQL = """
WITH places AS (
    SELECT p.id, p.time_zone, p.address, p.lat, p.lng,
           (%(now)s::timestamptz AT TIME ZONE p.time_zone)::date AS today
    FROM trucks_place p
    WHERE p.is_active AND {places}
),
days AS (
    SELECT places.*, (places.today + offs)::date AS day
    FROM places, generate_series(-1, %(days_ahead)s) AS offs
),
slots AS (
    SELECT d.id AS place_id, d.day, d.time_zone, h.opens, h.closes, 'hours' AS source,
           COALESCE(NULLIF(h.address, ''), d.address) AS address,
           CASE WHEN h.lat IS NULL THEN d.lat ELSE h.lat END AS lat,
           CASE WHEN h.lat IS NULL THEN d.lng ELSE h.lng END AS lng
    FROM days d
    JOIN trucks_openinghours h ON h.place_id = d.id AND h.weekday = EXTRACT(ISODOW FROM d.day)::int - 1
    WHERE NOT EXISTS (SELECT 1 FROM trucks_scheduleexception e WHERE e.place_id = d.id AND e.date = d.day)
    UNION ALL
    SELECT d.id, d.day, d.time_zone, e.opens, e.closes, e.kind,
           COALESCE(NULLIF(e.address, ''), d.address),
           CASE WHEN e.lat IS NULL THEN d.lat ELSE e.lat END,
           CASE WHEN e.lat IS NULL THEN d.lng ELSE e.lng END
    FROM days d
    JOIN trucks_scheduleexception e ON e.place_id = d.id AND e.date = d.day AND e.kind <> 'closed'
),
stops AS (
    SELECT s.*,
           trucks_local_instant(s.day + s.opens, s.time_zone) AS starts_at,
           trucks_local_instant(
               s.day + CASE WHEN s.closes <= s.opens THEN 1 ELSE 0 END + s.closes, s.time_zone
           ) AS ends_at
    FROM slots s
)
INSERT INTO trucks_upcomingstop (place_id, starts_at, ends_at, starts_hour, address, lat, lng, source)
SELECT place_id, starts_at, ends_at, FLOOR(EXTRACT(EPOCH FROM starts_at) / 3600)::int, address, lat, lng, source
FROM stops
-- 02:30-03:10 on the day the clock skips from 2 to 3 ends (03:10 EDT) before it starts (02:30 read as EST):
-- empty, as trucks.schedule finds it
WHERE ends_at > starts_at
"""


def _rebuild(*, where: str, params: dict, now: datetime) -> int:
    """Lock the places (two rebuilds of one place never interleave), delete their stops, insert anew.

    `where` is a constant condition on the place id, written with {id} for the column.
    """
    with connection.cursor() as cursor:
        # `where` is one of this module's constant conditions; every value travels as a parameter.
        lock = f"SELECT id FROM trucks_place WHERE {where.format(id='id')} ORDER BY id FOR UPDATE"  # nosec B608 # noqa: S608
        cursor.execute(lock, params)
        delete = f"DELETE FROM trucks_upcomingstop WHERE {where.format(id='place_id')}"  # nosec B608 # noqa: S608
        cursor.execute(delete, params)
        cursor.execute(
            _REBUILD_SQL.replace("{places}", where.format(id="p.id")),
            {**params, "now": now, "days_ahead": STOP_DAYS_AHEAD},
        )
        return cursor.rowcount


@transaction.atomic
def upcoming_stops_rebuild(*, place_ids: Iterable[int], now: datetime | None = None) -> int:
    """Replace the upcoming stops of `place_ids` from their current schedule; the number of stops made.

    The services call it in their own transaction, after their write. A deleted or inactive place is
    left with no stops.
    """
    ids = sorted({int(pk) for pk in place_ids})
    if not ids:
        return 0
    return _rebuild(where="{id} = ANY(%(ids)s)", params={"ids": ids}, now=now or timezone.now())


def upcoming_stops_rebuild_all(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Rebuild every place's stops, in id ranges of `batch`, one transaction each (the nightly job).

    Idempotent: a second run with the same `now` leaves the same rows. Stops of places that no longer
    exist went with them (CASCADE); inactive places are left with none.
    """
    made, _ = upcoming_stops_rebuild_from(now=now or timezone.now(), from_id=0, batch=batch)
    return made


def upcoming_stops_rebuild_from(
    *, now: datetime, from_id: int, batch: int | None = None, seconds: float | None = None
) -> tuple[int, int | None]:
    """Rebuild the stops of places from id `from_id` on, a range of `batch` ids per transaction, for at
    most about `seconds` (None: to the end). Answers (stops made, the id to go on from, or None when done):
    a task stays inside its time limit and queues the rest (trucks.tasks.rebuild_upcoming_stops)."""
    batch = batch or REBUILD_BATCH
    started = time.monotonic()
    top = Place.objects.order_by("-id").values_list("id", flat=True).first() or 0
    made = 0
    for low in range(from_id, top + 1, batch):
        if seconds is not None and low > from_id and time.monotonic() - started >= seconds:
            return made, low
        with transaction.atomic():
            made += _rebuild(
                where="{id} >= %(low)s AND {id} < %(high)s", params={"low": low, "high": low + batch}, now=now
            )
    return made, None


# --- the search ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenWindow:
    """Open at some moment in [starts, ends] (one instant when both are equal)."""

    starts: datetime
    ends: datetime

    def hour_keys(self) -> list[int]:
        """The starts_hour values a stop covering the window can have."""
        last = math.floor(self.ends.timestamp() / 3600)
        first = math.floor(self.starts.timestamp() / 3600) - MAX_STOP_HOURS
        return list(range(first, last + 1))


def open_window(*, open_at: datetime | None, open_within: int | None, now: datetime) -> OpenWindow | None:
    """The window a search asks for: open_at (an aware moment) or open_within (minutes from now).

    Raises a ValidationError by parameter for both at once, a moment past the horizon or in the past.
    """
    if open_at is not None and open_within is not None:
        raise ValidationError({"open_within": "Give open_at or open_within, not both."})
    if open_within is not None:
        if not 0 <= open_within <= OPEN_WITHIN_MAX_MINUTES:
            raise ValidationError({"open_within": f"Give 0 to {OPEN_WITHIN_MAX_MINUTES} minutes."})
        return OpenWindow(now, now + timedelta(minutes=open_within))
    if open_at is None:
        return None
    if timezone.is_naive(open_at):
        raise ValidationError({"open_at": "Give the moment with its UTC offset, e.g. 2026-06-06T18:00:00-05:00."})
    horizon = now + timedelta(days=SEARCH_HORIZON_DAYS)
    if open_at > horizon:
        raise ValidationError(
            {
                "open_at": f"Search ahead reaches {SEARCH_HORIZON_DAYS} days: give a moment before "
                f"{horizon.replace(microsecond=0).isoformat()}."
            }
        )
    if open_at < now - PAST_TOLERANCE:
        raise ValidationError({"open_at": "Give a moment from now on: search ahead does not look back."})
    return OpenWindow(open_at, open_at)


def _covering(window: OpenWindow) -> dict:
    return {
        "starts_hour__in": window.hour_keys(),
        "starts_at__lte": window.ends,
        "ends_at__gt": window.starts,
        "place__is_active": True,
    }


def open_stops(
    *,
    window: OpenWindow,
    lat: float | None = None,
    lng: float | None = None,
    radius_km: float | None = None,
    places: QuerySet[Place] | None = None,
) -> QuerySet[UpcomingStop]:
    """One stop per place open in `window` (and at most `radius_km` from the point, measured to the
    stop), limited to `places` when given: with a point the nearest such stop, else the earliest.

    Unordered stops, with `distance_km` with a point (open_stop_keys orders them).
    """
    stops = UpcomingStop.objects.filter(**_covering(window))
    if places is not None:
        stops = stops.filter(place__in=places)
    first_order: tuple = ("place_id", "starts_at", "id")
    if lat is not None and lng is not None:
        box = bounding_box(lat=lat, lng=lng, radius_km=radius_km)
        stops = (
            stops.filter(box.as_q())
            .annotate(distance_km=haversine_km_expression(lat=lat, lng=lng))
            .filter(distance_km__lte=radius_km)
        )
        first_order = ("place_id", "distance_km", "starts_at", "id")
    chosen = stops.order_by(*first_order).distinct("place_id").values("id")
    rows = UpcomingStop.objects.filter(id__in=Subquery(chosen))
    if lat is not None and lng is not None:
        rows = rows.annotate(distance_km=haversine_km_expression(lat=lat, lng=lng))
    return rows


# `ordering` of the search ahead: by the stop's distance, or the place's rating or name; ties by place.
STOP_ORDERINGS = {
    "distance": ("distance_km", "place_id"),
    "-rating": ("-place__rating_avg", "-place__rating_count", "place_id"),
    "name": ("place__name", "place_id"),
}


# Search ahead with a point and nothing else (the app's "who will be here at 18:00"), as one statement
# written once, like the plain nearby search (trucks.nearby.NearbyKeys): the same index conditions and
# order as open_stops() + open_stop_keys(), which the tests hold it to. Per place its nearest covering
# stop (then the earliest, then the lowest stop id); the page by (distance, place id) with the total.
# Only constants are put in ({distance}, {lng_condition}); every value is a bound parameter.
_OPEN_KEYS_SQL = (
    "SELECT id, distance_km, COUNT(*) OVER () AS total_count, starts_at, ends_at, address, lat, lng, source"
    " FROM ("  # nosec B608 - constants only
    " SELECT DISTINCT ON (s.place_id) s.place_id AS id, {distance} AS distance_km,"
    " s.starts_at, s.ends_at, s.address, s.lat, s.lng, s.source"
    " FROM trucks_upcomingstop s"
    " WHERE s.starts_hour = ANY(%(hours)s) AND s.starts_at <= %(until)s AND s.ends_at > %(since)s"
    " AND s.lat >= %(lat_min)s AND s.lat <= %(lat_max)s AND {lng_condition}"
    " AND EXISTS (SELECT 1 FROM trucks_place pl WHERE pl.id = s.place_id AND pl.is_active)"
    " AND {distance} <= %(radius_km)s"
    " ORDER BY s.place_id, distance_km, s.starts_at, s.id"
    ") AS best ORDER BY distance_km, id LIMIT %(limit)s OFFSET %(offset)s"
).replace("{distance}", _DISTANCE_SQL)


# trucks.nearby's three shapes of the longitude band, on the stop's columns.
_STOP_LNG_CONDITIONS = {
    "all": "s.lng IS NOT NULL",
    "band": "s.lng >= %(lng_min)s AND s.lng <= %(lng_max)s",
    "wrapped": "(s.lng >= %(lng_min)s OR s.lng <= %(lng_max)s)",
}


@dataclass(frozen=True)
class OpenStopKeys:
    """Keys of the places open in `window` within `radius_km` of the point, each with its stop."""

    window: OpenWindow
    lat: float
    lng: float
    radius_km: float

    def page_sql(self, *, offset: int, limit: int) -> tuple[str, dict]:
        box = bounding_box(lat=self.lat, lng=self.lng, radius_km=self.radius_km)
        shape = "all" if box.lng_min is None else "wrapped" if box.crosses_antimeridian else "band"
        params = {
            "two_r": 2.0 * EARTH_RADIUS_KM,
            "lat0": math.radians(self.lat),
            "lng0": math.radians(self.lng),
            "cos_lat0": math.cos(math.radians(self.lat)),
            "hours": self.window.hour_keys(),
            "since": self.window.starts,
            "until": self.window.ends,
            "lat_min": box.lat_min,
            "lat_max": box.lat_max,
            "lng_min": box.lng_min,
            "lng_max": box.lng_max,
            "radius_km": float(self.radius_km),
            "limit": limit,
            "offset": offset,
        }
        return _OPEN_KEYS_SQL.replace("{lng_condition}", _STOP_LNG_CONDITIONS[shape]), params


# The stop's columns a card shows, read with the keys (no second query for the page's stops).
STOP_COLUMNS = ("starts_at", "ends_at", "address", "lat", "lng", "source", "place__time_zone")


def open_stop_keys(rows: QuerySet[UpcomingStop], *, ordering: str | None, with_point: bool) -> QuerySet:
    """The search's keys in order: `place_id`, and `distance_km` with a point, with the stop's columns."""
    fields = ["place_id", "distance_km"] if with_point else ["place_id"]
    ordering = ordering or ("distance" if with_point else "name")
    return rows.values(*fields, *STOP_COLUMNS).order_by(*STOP_ORDERINGS[ordering])


def stop_card(row: dict) -> dict:
    """A key row's stop, shaped for the card: starts_at and ends_at in the place's own zone, written as
    the card's JSON has them (ISO 8601 with the local offset: "+00:00" in a zone at UTC, never "Z")."""
    zone = ZoneInfo(row["place__time_zone"])
    return {
        "starts_at": row["starts_at"].astimezone(zone).isoformat(),
        "ends_at": row["ends_at"].astimezone(zone).isoformat(),
        "address": row["address"],
        "lat": row["lat"],
        "lng": row["lng"],
        "source": row["source"],
    }


def stop_hour(moment: datetime) -> int:
    """starts_hour of a stop starting at `moment` (tests and scripts)."""
    return math.floor(moment.timestamp() / 3600)
