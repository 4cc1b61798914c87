"""Reads for the consumer API: the place search with its filters, and lean "place card" rows.

A card is a plain dict built from one row of one SQL statement (the place with its vendor, cover photo,
categories, weekly hours and exceptions; the next opening computed from them by trucks.schedule), so a
list of places costs one query whatever its length, and a list needs no detail call per card.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Prefetch, QuerySet, TextChoices
from django.http import Http404
from django.utils import timezone
from psycopg import Cursor

from trucks.change_horizon import HORIZON_EXPRESSION
from trucks.models import (
    Category,
    LocationSource,
    Menu,
    MenuItem,
    OpeningHours,
    Photo,
    Place,
    PlaceKind,
    ScheduleException,
)
from trucks.nearby import NearbyKeys, NearbyPage, nearby_places
from trucks.schedule import ExceptionRow, HoursRow, next_opening, next_opening_of
from trucks.thumbnails import image_card
from trucks.upcoming import OpenStopKeys, open_stop_keys, open_stops, open_window, stop_card

if TYPE_CHECKING:
    from trucks.filters import PlaceSearchFilter

CARD_FIELDS = (
    "id",
    "kind",
    "name",
    "lat",
    "lng",
    "is_open",
    "rating_avg",
    "rating_count",
    "city",
    "address",
    "address_source",
    "location_updated_at",
    "location_source",
    "vendor_id",
)
# A card's JSON keys (api PlaceCardSerializer documents each; a test holds the two equal): the
# columns, the vendor as {id, name} instead of vendor_id, the categories, the next opening, how far
# to trust the location, and the distance with a point.
CARD_KEYS = (
    *(f for f in CARD_FIELDS if f != "vendor_id"),
    "vendor",
    "categories",
    "next_opening",
    "location_status",
    "cover_photo",
)
CARD_KEYS_WITH_DISTANCE = (*CARD_KEYS, "distance_km")
# A card found by search ahead (open_at / open_within) also carries the stop that puts it there.
CARD_STOP_KEYS = ("starts_at", "ends_at", "address", "lat", "lng", "source")
CARD_KEYS_WITH_STOP = (*CARD_KEYS_WITH_DISTANCE, "stop")
# `ordering` values of the search and what they sort by; nothing else reaches order_by().
ORDERINGS = {
    "distance": ("distance_km", "id"),
    "-rating": ("-rating_avg", "-rating_count", "id"),
    "name": ("name", "id"),
}
# The rank of a text search (`q`), annotated by trucks.filters; without a point and without an
# `ordering` asked, the best match comes first.
TEXT_RANK = "text_rank"
BEST_MATCH = (f"-{TEXT_RANK}", "name", "id")


def places_search(
    *,
    lat: float | None = None,
    lng: float | None = None,
    radius_km: float | None = None,
    filters: "PlaceSearchFilter | None" = None,
    open_at: datetime | None = None,
    open_within: int | None = None,
    now: datetime | None = None,
) -> "QuerySet | PlainNearbySearch | PlainOpenAtSearch":
    """Keys (`id`, and `distance_km` with a point) of the active places `filters` keeps, in its order.

    With `open_at` (an aware moment) or `open_within` (minutes from `now`, by default the current time):
    only places whose schedule has them open then (trucks.upcoming), the distance measured to that
    stop; the keys are then the place's `place_id` and the stop's columns (place_cards_for_page adds
    the stop to the card), or with a point and nothing else a PlainOpenAtSearch of whole cards.

    `filters` is a trucks.filters.PlaceSearchFilter bound to the query (kind, category, diet, city,
    text, ordering); invalid values raise a ValidationError by parameter.
    Only keys: with a point the search (and its count) can then run on the index alone
    (`place_active_geo_idx` holds lat, lng and id), and only the page's rows are read in full
    (place_cards_for_page).
    """
    if filters is None and open_at is None and open_within is None and lat is not None and lng is not None:
        return PlainNearbySearch(NearbyKeys(lat=lat, lng=lng, radius_km=radius_km))  # the hot path, built first
    queryset = Place.objects.filter(is_active=True)
    ordering = None
    if filters is not None:
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        queryset = filters.filter_queryset(queryset)
        ordering = filters.chosen_ordering
    if ordering == "distance" and (lat is None or lng is None):
        raise ValidationError({"ordering": "Ordering by distance needs lat and lng."})
    window = open_window(open_at=open_at, open_within=open_within, now=now or timezone.now())
    if window is not None:
        narrowed = filters is not None and filters.narrows
        if lat is not None and lng is not None and not narrowed and ordering in (None, "distance"):
            return PlainOpenAtSearch(OpenStopKeys(window=window, lat=lat, lng=lng, radius_km=radius_km))
        stops = open_stops(window=window, lat=lat, lng=lng, radius_km=radius_km, places=queryset if narrowed else None)
        return open_stop_keys(stops, ordering=ordering, with_point=lat is not None and lng is not None)

    if lat is not None and lng is not None:
        plain = filters is None or not filters.narrows
        if plain and ordering in (None, "distance"):
            return PlainNearbySearch(NearbyKeys(lat=lat, lng=lng, radius_km=radius_km))
        keys = nearby_places(lat=lat, lng=lng, radius_km=radius_km, queryset=queryset).values("id", "distance_km")
        # nearest first, ties by id, unless asked otherwise
        return keys.order_by(*ORDERINGS[ordering]) if ordering else keys
    if ordering is None and TEXT_RANK in queryset.query.annotations:
        return queryset.values("id").order_by(*BEST_MATCH)
    return queryset.values("id").order_by(*ORDERINGS[ordering or "name"])


class LocationStatus(TextChoices):
    """How far a card's location can be trusted."""

    LIVE = "live", "Live: a truck's check-in within its grace window"
    LAST_SEEN = "last_seen", "Last seen: a truck's check-in older than its grace window"
    ADDRESS = "address", "The place's address (a stand, or a truck not checked in)"


def location_status(*, kind: str, source: str, updated_at: datetime | None, now: datetime) -> str:
    """`live` while a truck's checked-in location is younger than LIVE_LOCATION_GRACE_MINUTES,
    `last_seen` after; a stand, or a place located by its address, is `address`."""
    if kind == PlaceKind.STAND or source == LocationSource.ADDRESS:
        return LocationStatus.ADDRESS
    grace = timedelta(minutes=settings.LIVE_LOCATION_GRACE_MINUTES)
    if updated_at is None or now - updated_at > grace:
        return LocationStatus.LAST_SEEN
    return LocationStatus.LIVE


# A card row, one per place: CARD_FIELDS of the place, its time zone (for the next opening), its vendor's
# name and whether staff verified it, then four JSON values each read by a subquery of its own: the cover
# photo (the place's first photo: [key, width, height]), the categories in their order ([[slug, name]]),
# the weekly hours ([[weekday, opens, closes, address, lat, lng]]: trucks.schedule.HoursRow) and the
# exceptions from two days back to 16 days ahead ([[date, kind, opens, closes, address, lat, lng]]:
# ExceptionRow). The whole card and its next opening in the one statement of the page; subqueries in the
# select list rather than lateral joins, which multiplied the planner's join orders (planning cost more
# than running).
_CARD_COLUMNS = (
    ", ".join(f"p.{field}" for field in CARD_FIELDS)  # nosec B608 # noqa: S608 - constants only
    + ", p.time_zone, v.business_name, v.verification_status = 'verified',"  # nosec B608 # noqa: S608
    # the cover photo: one probe of photo_place_position_idx
    " (SELECT json_build_array(ph.image, ph.width, ph.height) FROM trucks_photo ph"
    " WHERE ph.place_id = p.id ORDER BY ph.position, ph.id LIMIT 1),"
    " (SELECT json_agg(json_build_array(c.slug, c.name) ORDER BY c.position, c.name, c.id)"
    " FROM trucks_place_categories pc JOIN trucks_category c ON c.id = pc.category_id WHERE pc.place_id = p.id),"
    " (SELECT json_agg(json_build_array(h.weekday, h.opens, h.closes, h.address, h.lat, h.lng)"
    f" ORDER BY h.weekday, h.opens, h.id) FROM {OpeningHours._meta.db_table} h WHERE h.place_id = p.id),"
    " (SELECT json_agg(json_build_array(e.date, e.kind, e.opens, e.closes, e.address, e.lat, e.lng)"
    f" ORDER BY e.date, e.id) FROM {ScheduleException._meta.db_table} e"
    " WHERE e.place_id = p.id AND e.date >= %(cards_since)s AND e.date <= %(cards_until)s)"
)
_CARD_WIDTH = len(CARD_FIELDS) + 7  # the columns above; the plain nearby page adds the distance
_CARD_JOINS = " JOIN vendors_vendor v ON v.id = p.vendor_id"
# One statement built once for the hot path of every list, not an ORM query rebuilt per request.
_CARDS_SQL = (
    f"SELECT {_CARD_COLUMNS} FROM trucks_place p{_CARD_JOINS}"  # nosec B608 # noqa: S608 - constants only
    " WHERE p.id = ANY(%(ids)s) {active}"
)


# psycopg prepares a statement run this many times on a connection, or one asked to (prepare=True).
ONLY_WHEN_ASKED = 2**31


class _PreparedCursor(Cursor):
    """Binds parameters server-side and has PostgreSQL prepare the statement (once per connection)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


@contextmanager
def statement_cursor() -> Iterator:
    """Django's cursor (its health check, error wrapping and query log) over a cursor that prepares the
    statement, for the statements written once that run on every request.

    Django binds client-side and never prepares, so every run is a new text that PostgreSQL parses and
    plans again: for the nearby page's statement, planning cost about as much as running it. Prepared,
    it is planned once per connection (PostgreSQL then keeps a custom plan or a generic one, its choice).
    Not behind PgBouncer in transaction mode (DATABASE_POOLER), where the next statement may run on a
    server connection that never saw the prepared one (docs/pgbouncer.md): there it runs as before.
    """
    with connection.cursor() as cursor:
        # behind a pooler, or prepared statements set by hand (OPTIONS): as Django runs every statement
        if settings.DATABASE_POOLER or "prepare_threshold" in connection.settings_dict.get("OPTIONS", {}):
            yield cursor
            return
        client = cursor.cursor
        if client.connection.prepare_threshold is None:  # Django's default: psycopg then prepares nothing
            # only what is asked explicitly (Django's own cursors bind client-side and never prepare)
            client.connection.prepare_threshold = ONLY_WHEN_ASKED
        cursor.cursor = _PreparedCursor(client.connection)
        try:
            yield cursor
        finally:
            cursor.cursor.close()
            cursor.cursor = client


def card_params(now: datetime) -> dict:
    """The card statement's parameters: the exceptions' dates around `now`. From two days back they
    cover "yesterday" in any zone (an overnight slot); next_opening looks 14 local days ahead."""
    return {"cards_since": (now - timedelta(days=2)).date(), "cards_until": (now + timedelta(days=16)).date()}


def place_cards_by_ids(
    place_ids: list[int], *, distances: dict[int, float] | None = None, active_only: bool = True
) -> list[dict]:
    """Cards for `place_ids`, in that order, in one query (missing or inactive places are left out).

    The dicts are already in their JSON shape (PlaceCardSerializer documents it), so the hot search
    renders them as they are instead of walking a serializer field by field. Categories, the vendor's
    name, the cover photo, the hours and exceptions (the next opening) come in the same statement.
    """
    if not place_ids:
        return []
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _CARDS_SQL.replace("{active}", "AND p.is_active" if active_only else ""),
            {"ids": list(place_ids), **card_params(now)},
        )
        rows = cursor.fetchall()
    cards = _cards_from_rows(rows, distances=distances, now=now)
    return [cards[place_id] for place_id in place_ids if place_id in cards]


@cache
def _time(value: str | None) -> time | None:
    """A local time read from the JSON of the card's statement (a few distinct ones: kept once each)."""
    return None if value is None else time.fromisoformat(value)


def _cards_from_rows(rows, *, now: datetime, distances: dict[int, float] | None = None) -> dict[int, dict]:
    """Cards by id (in the rows' order) from card rows (_CARD_COLUMNS), each with its next opening and
    location status at `now`."""
    width = len(CARD_FIELDS)
    cards: dict[int, dict] = {}
    for row in rows:
        card = dict(zip(CARD_FIELDS, row[:width], strict=True))
        time_zone, vendor_name, verified, cover, categories, hours, exceptions = row[width : width + 7]
        card["rating_avg"] = str(card["rating_avg"])  # numeric(3,2): "4.50", the schema's decimal string
        card["vendor"] = {"id": card.pop("vendor_id"), "name": vendor_name, "is_verified": verified}
        card["categories"] = [{"slug": slug, "name": name} for slug, name in categories or ()]
        card["cover_photo"] = image_card(cover[0], width=cover[1], height=cover[2]) if cover else None
        if distances is not None:
            card["distance_km"] = round(distances[row[0]], 3)
        hours = [
            HoursRow(weekday, _time(opens), _time(closes), address, lat, lng)
            for weekday, opens, closes, address, lat, lng in hours or ()
        ]
        exceptions = [
            ExceptionRow(date.fromisoformat(day), kind, _time(opens), _time(closes), address, lat, lng)
            for day, kind, opens, closes, address, lat, lng in exceptions or ()
        ]
        slot = next_opening_of(time_zone=time_zone, hours=hours, exceptions=exceptions, moment=now)
        card["next_opening"] = (
            None
            if slot is None
            else {
                "starts_at": slot.starts_at.isoformat(),  # local time with its offset, as the schema writes it
                "ends_at": slot.ends_at.isoformat(),
                "address": slot.address,
                "lat": slot.lat,
                "lng": slot.lng,
            }
        )
        card["location_status"] = location_status(
            kind=card["kind"], source=card["location_source"], updated_at=card["location_updated_at"], now=now
        )
        cards[row[0]] = card
    return cards


@dataclass(frozen=True)
class PlainNearbyPage(NearbyPage):
    """A page of the plain nearby search, with the change log's version read in the same statement
    (the page's ETag: trucks.catch_up.change_log_version, on the same snapshot as the cards)."""

    version: int = 0


@dataclass(frozen=True)
class PlainNearbySearch:
    """The plain nearby search (a point and a radius only), the keys found on the GiST index alone
    (trucks.nearby.NearbyKeys): one statement answers the change log's version, the capped count and
    the page's whole cards (each with its next opening); a circle holding more than the cap is then
    paged in rings (NearbyKeys.page), one more statement per ring."""

    keys: NearbyKeys

    def page_sql(
        self, *, offset: int, limit: int, radius_km: float | None = None, now: datetime | None = None
    ) -> tuple[str, dict]:
        """The page's cards in a ring of `radius_km` (by default the whole circle)."""
        keys_sql, params = self.keys.page_sql(offset=offset, limit=limit, radius_km=radius_km)
        return _NEARBY_CARDS_SQL.replace("{keys}", keys_sql), {**params, **card_params(now or timezone.now())}

    def first_sql(self, *, offset: int, limit: int, cap: int, now: datetime | None = None) -> tuple[str, dict]:
        """The one statement: the version, the count up to cap + 1 and, when the circle holds at most
        `cap` places, the page's cards (`limit` after `offset`); one row with NULL cards when none."""
        count_sql, count_params = self.keys.count_sql(cap=cap)
        keys_sql, params = self.keys.page_sql(offset=offset, limit=limit)
        sql = _NEARBY_FIRST_SQL.replace("{count}", count_sql).replace("{keys}", keys_sql)
        return sql, {**params, **count_params, **card_params(now or timezone.now())}

    def capped_page(self, *, offset: int, limit: int) -> PlainNearbyPage:
        """One page of cards (one row more than `limit` is read, to know whether a page follows), the
        count capped at NEARBY_COUNT_CAP, and the change log's version."""
        cap, now = settings.NEARBY_COUNT_CAP, timezone.now()
        with statement_cursor() as cursor:
            cursor.execute(*self.first_sql(offset=offset, limit=limit + 1, cap=cap, now=now))
            rows = cursor.fetchall()
        count, version = rows[0][0], rows[0][1] or 0

        def cards(card_rows) -> list[dict]:
            distances = {row[0]: row[_CARD_WIDTH] for row in card_rows}
            return list(_cards_from_rows(card_rows, distances=distances, now=now).values())

        if count <= cap:
            found = cards([row[2:] for row in rows if row[2] is not None])
            return PlainNearbyPage(
                rows=found[:limit], count=count, count_is_capped=False, has_next=len(found) > limit, version=version
            )

        def fetch(sql: str, params: dict) -> list[dict]:
            with connection.cursor() as cursor:
                cursor.execute(_NEARBY_CARDS_SQL.replace("{keys}", sql), {**params, **card_params(now)})
                return cards(cursor.fetchall())

        page = self.keys.page(offset=offset, limit=limit, cap=cap, fetch=fetch, count=count)
        return PlainNearbyPage(**vars(page), version=version)


# The page's keys (an index-only scan), then only those rows joined with their vendor and categories.
_NEARBY_CARDS_SQL = (
    f"SELECT {_CARD_COLUMNS}, k.distance_km"  # nosec B608 # noqa: S608 - constants only
    f" FROM ({{keys}}) AS k JOIN trucks_place p ON p.id = k.id{_CARD_JOINS}"
    " ORDER BY k.distance_km, k.id"
)
# The first page's one statement: the change log's version (as trucks.catch_up reads it), the capped
# count, then the page's cards only when the count is within the cap (`n < cap + 1`, a one-time filter:
# beyond it the keys are not read, the page is read in rings).
_NEARBY_FIRST_SQL = (
    "SELECT circle.n, (SELECT max(xid) FROM trucks_placechangerecord"  # nosec B608 # noqa: S608 - constants only
    f" WHERE xid < {HORIZON_EXPRESSION}), page.*"
    " FROM ({count}) AS circle(n) LEFT JOIN LATERAL ("
    f"SELECT {_CARD_COLUMNS}, k.distance_km"
    f" FROM ({{keys}}) AS k JOIN trucks_place p ON p.id = k.id{_CARD_JOINS}"
    " WHERE circle.n < %(cap)s OFFSET 0"  # a fence: the filter stays a one-time filter, not a join filter
    ") AS page ON TRUE ORDER BY page.distance_km, page.id"
)


@dataclass(frozen=True)
class PlainOpenAtSearch:
    """Search ahead with a point and nothing else: one statement answers the page's cards with their
    stops and the total (trucks.upcoming.OpenStopKeys), as PlainNearbySearch does for the nearby search."""

    keys: OpenStopKeys

    def page_sql(self, *, offset: int, limit: int, now: datetime | None = None) -> tuple[str, dict]:
        keys_sql, params = self.keys.page_sql(offset=offset, limit=limit)
        return _OPEN_AT_CARDS_SQL.replace("{keys}", keys_sql), {**params, **card_params(now or timezone.now())}

    def page_rows(self, *, offset: int, limit: int) -> list[dict]:
        """One page of cards, each with its `stop` and the search's total as `total_count`."""
        now = timezone.now()
        sql, params = self.page_sql(offset=offset, limit=limit, now=now)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        width = _CARD_WIDTH
        extra = {row[0]: row[width:] for row in rows}
        distances = {place_id: columns[0] for place_id, columns in extra.items()}
        cards = _cards_from_rows(rows, distances=distances, now=now)
        stop_names = ("starts_at", "ends_at", "address", "lat", "lng", "source", "place__time_zone")
        return [
            {
                **card,
                "stop": stop_card(dict(zip(stop_names, extra[place_id][2:], strict=True))),
                "total_count": extra[place_id][1],
            }
            for place_id, card in cards.items()
        ]


# The page's keys with their stops, then only those places joined with their vendor and categories.
_OPEN_AT_CARDS_SQL = (
    f"SELECT {_CARD_COLUMNS}, k.distance_km, k.total_count,"  # nosec B608 # noqa: S608 - constants only
    " k.starts_at, k.ends_at, k.address, k.lat, k.lng, k.source, p.time_zone"
    f" FROM ({{keys}}) AS k JOIN trucks_place p ON p.id = k.id{_CARD_JOINS}"
    " ORDER BY k.distance_km, k.id"
)


def place_cards_for_page(keys: list[dict]) -> list[dict]:
    """Cards for a page of search keys (`id`, and `distance_km` with a point); a page of the plain
    nearby search already holds its cards."""
    if keys and "kind" in keys[0]:
        return keys
    if keys and "place_id" in keys[0]:
        return _cards_with_stops(keys)
    distances = {key["id"]: key["distance_km"] for key in keys} if keys and "distance_km" in keys[0] else None
    return place_cards_by_ids([key["id"] for key in keys], distances=distances)


def _cards_with_stops(keys: list[dict]) -> list[dict]:
    """Cards for a page of search-ahead keys (`place_id`, maybe `distance_km`, the stop's columns),
    each with its `stop`."""
    distances = {key["place_id"]: key["distance_km"] for key in keys} if "distance_km" in keys[0] else None
    cards = place_cards_by_ids([key["place_id"] for key in keys], distances=distances)
    stops = {key["place_id"]: stop_card(key) for key in keys}
    return [{**card, "stop": stops[card["id"]]} for card in cards]


def categories_all() -> QuerySet[Category]:
    return Category.objects.order_by("position", "name", "id")


def place_detail(*, place_id: int, now) -> Place:
    """An active place with all its page shows, in a constant number of queries; 404 otherwise.

    Adds `active_menus` (active menus attached to it, with items), `next_opening`,
    and `upcoming_exceptions` (from the place's local today).
    """
    # Exceptions from two days back cover "yesterday" in any zone (an overnight slot) for next_opening.
    since = (now - timedelta(days=2)).date()
    queryset = (
        Place.objects.filter(is_active=True)
        .select_related("vendor")
        .prefetch_related(
            Prefetch("categories", queryset=Category.objects.order_by("position", "name")),
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
            Prefetch(
                "schedule_exceptions", queryset=ScheduleException.objects.filter(date__gte=since).order_by("date")
            ),
            Prefetch("photos", queryset=Photo.objects.order_by("position", "id")),
            Prefetch(
                "menus",
                queryset=Menu.objects.filter(is_active=True)
                .order_by("position", "name", "id")
                .prefetch_related(Prefetch("items", queryset=MenuItem.objects.order_by("position", "id"))),
                to_attr="active_menus",
            ),
        )
    )
    place = queryset.filter(pk=place_id).first()
    if place is None:
        raise Http404("No such place.")
    local_today = now.astimezone(place.tzinfo).date()
    place.next_opening = next_opening(place, now)
    place.upcoming_exceptions = [e for e in place.schedule_exceptions.all() if e.date >= local_today]
    return place


def active_place_or_404(place_id: int) -> None:
    if not Place.objects.filter(pk=place_id, is_active=True).exists():
        raise Http404("No such place.")
