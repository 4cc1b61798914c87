"""Reads for the consumer API: the place search with its filters, and lean "place card" rows.

A card is a plain dict built from one SQL statement (the places with their vendor and categories)
plus two queries for the page's weekly hours and exceptions (its next opening), so a list of places
costs a constant number of queries whatever its length, and a list needs no detail call per card.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Prefetch, QuerySet, TextChoices
from django.http import Http404
from django.utils import timezone

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


# A card row: CARD_FIELDS of the place, its time zone (for the next opening), its vendor's name and whether
# staff verified it, one category (slug, name) per row, then the cover photo (the place's first photo: key,
# width, height).
_CARD_COLUMNS = (
    ", ".join(f"p.{field}" for field in CARD_FIELDS)
    + ", p.time_zone, v.business_name, v.verification_status = 'verified', c.slug, c.name,"
    " cover.image, cover.width, cover.height"
)
_CARD_WIDTH = len(CARD_FIELDS) + 8  # the columns above; the plain nearby page adds the distance
_CARD_JOINS = (
    " JOIN vendors_vendor v ON v.id = p.vendor_id"
    # the cover photo: one probe of photo_place_position_idx per place, before the categories multiply rows
    " LEFT JOIN LATERAL (SELECT ph.image, ph.width, ph.height FROM trucks_photo ph"
    " WHERE ph.place_id = p.id ORDER BY ph.position, ph.id LIMIT 1) cover ON TRUE"
    " LEFT JOIN trucks_place_categories pc ON pc.place_id = p.id"
    " LEFT JOIN trucks_category c ON c.id = pc.category_id"
)
# One statement built once for the hot path of every list, not an ORM query rebuilt per request:
# each place with its vendor's name and its categories (one row per place and category).
_CARDS_SQL = (
    f"SELECT {_CARD_COLUMNS} FROM trucks_place p{_CARD_JOINS}"  # nosec B608 # noqa: S608 - constants only
    " WHERE p.id = ANY(%s) {active} ORDER BY p.id, c.position ASC NULLS LAST, c.name ASC NULLS LAST"
)


# The page's weekly hours and dated exceptions (the columns of trucks.schedule.HoursRow / ExceptionRow).
_HOURS_SQL = (
    f"SELECT place_id, weekday, opens, closes, address, lat, lng FROM {OpeningHours._meta.db_table}"  # nosec B608 # noqa: S608 - constants only
    " WHERE place_id = ANY(%s) ORDER BY weekday, opens"
)
_EXCEPTIONS_SQL = (
    f"SELECT place_id, date, kind, opens, closes, address, lat, lng FROM {ScheduleException._meta.db_table}"  # nosec B608 # noqa: S608 - constants only
    " WHERE place_id = ANY(%s) AND date >= %s AND date <= %s"
)


def place_cards_by_ids(
    place_ids: list[int], *, distances: dict[int, float] | None = None, active_only: bool = True
) -> list[dict]:
    """Cards for `place_ids`, in that order, in three queries (missing or inactive places are left out).

    The dicts are already in their JSON shape (PlaceCardSerializer documents it), so the hot search
    renders them as they are instead of walking a serializer field by field. Categories and the
    vendor's name come in the same query (one row per place and category); the next openings in two
    more (place_cards_for_page).
    """
    if not place_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_CARDS_SQL.replace("{active}", "AND p.is_active" if active_only else ""), [list(place_ids)])
        rows = cursor.fetchall()
    cards = _cards_from_rows(rows, distances=distances)
    return [cards[place_id] for place_id in place_ids if place_id in cards]


def _cards_from_rows(rows, *, distances: dict[int, float] | None = None) -> dict[int, dict]:
    """Cards by id (in the rows' order) from rows of (*CARD_FIELDS, time zone, vendor name, vendor verified,
    category slug, name, cover photo key, width, height), each with its next opening and location status."""
    width = len(CARD_FIELDS)
    cards: dict[int, dict] = {}
    time_zones: dict[int, str] = {}
    for row in rows:
        card = cards.get(row[0])
        if card is None:
            card = dict(zip(CARD_FIELDS, row[:width], strict=True))
            card["rating_avg"] = str(card["rating_avg"])  # numeric(3,2): "4.50", the schema's decimal string
            card["vendor"] = {"id": card.pop("vendor_id"), "name": row[width + 1], "is_verified": row[width + 2]}
            card["categories"] = []
            card["cover_photo"] = image_card(row[width + 5] or "", width=row[width + 6], height=row[width + 7])
            if distances is not None:
                card["distance_km"] = round(distances[row[0]], 3)
            cards[row[0]] = card
            time_zones[row[0]] = row[width]
        if row[width + 3] is not None:
            card["categories"].append({"slug": row[width + 3], "name": row[width + 4]})
    _cards_add_schedule_and_freshness(cards, time_zones=time_zones, now=timezone.now())
    return cards


def _cards_add_schedule_and_freshness(cards: dict[int, dict], *, time_zones: dict[int, str], now: datetime) -> None:
    """Each card's `next_opening` (trucks.schedule, the detail's rule) and `location_status`.

    The page's weekly hours and exceptions come in two queries whatever its length, read as plain rows
    (trucks.schedule.HoursRow / ExceptionRow): model instances and Django's prefetch machinery cost
    more than the queries themselves on the search's hot path.
    """
    # Exceptions from two days back cover "yesterday" in any zone (an overnight slot); next_opening
    # looks 14 local days ahead.
    since, until = (now - timedelta(days=2)).date(), (now + timedelta(days=16)).date()
    hours: dict[int, list[HoursRow]] = {place_id: [] for place_id in time_zones}
    exceptions: dict[int, list[ExceptionRow]] = {place_id: [] for place_id in time_zones}
    with connection.cursor() as cursor:
        cursor.execute(_HOURS_SQL, [list(time_zones)])
        for place_id, *row in cursor.fetchall():
            hours[place_id].append(HoursRow(*row))
        cursor.execute(_EXCEPTIONS_SQL, [list(time_zones), since, until])
        for place_id, *row in cursor.fetchall():
            exceptions[place_id].append(ExceptionRow(*row))
    for place_id, time_zone in time_zones.items():
        card = cards[place_id]
        slot = next_opening_of(time_zone=time_zone, hours=hours[place_id], exceptions=exceptions[place_id], moment=now)
        card["next_opening"] = (
            None
            if slot is None
            else {
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
                "address": slot.address,
                "lat": slot.lat,
                "lng": slot.lng,
            }
        )
        card["location_status"] = location_status(
            kind=card["kind"], source=card["location_source"], updated_at=card["location_updated_at"], now=now
        )


@dataclass(frozen=True)
class PlainNearbySearch:
    """The plain nearby search (a point and a radius only): the capped count, then one statement for
    the page's whole cards, the keys found on the GiST index alone (trucks.nearby.NearbyKeys)."""

    keys: NearbyKeys

    def page_sql(self, *, offset: int, limit: int, radius_km: float | None = None) -> tuple[str, dict]:
        keys_sql, params = self.keys.page_sql(offset=offset, limit=limit, radius_km=radius_km)
        return _NEARBY_CARDS_SQL.replace("{keys}", keys_sql), params

    def capped_page(self, *, offset: int, limit: int) -> NearbyPage:
        """One page of cards, with the count capped at NEARBY_COUNT_CAP."""

        def fetch(sql: str, params: dict) -> list[dict]:
            with connection.cursor() as cursor:
                cursor.execute(_NEARBY_CARDS_SQL.replace("{keys}", sql), params)
                rows = cursor.fetchall()
            distances = {row[0]: row[_CARD_WIDTH] for row in rows}
            return list(_cards_from_rows(rows, distances=distances).values())

        return self.keys.page(offset=offset, limit=limit, cap=settings.NEARBY_COUNT_CAP, fetch=fetch)


# The page's keys (an index-only scan), then only those rows joined with their vendor and categories.
_NEARBY_CARDS_SQL = (
    f"SELECT {_CARD_COLUMNS}, k.distance_km"  # nosec B608 # noqa: S608 - constants only
    f" FROM ({{keys}}) AS k JOIN trucks_place p ON p.id = k.id{_CARD_JOINS}"
    " ORDER BY k.distance_km, k.id, c.position ASC NULLS LAST, c.name ASC NULLS LAST"
)


@dataclass(frozen=True)
class PlainOpenAtSearch:
    """Search ahead with a point and nothing else: one statement answers the page's cards with their
    stops and the total (trucks.upcoming.OpenStopKeys), as PlainNearbySearch does for the nearby search."""

    keys: OpenStopKeys

    def page_sql(self, *, offset: int, limit: int) -> tuple[str, dict]:
        keys_sql, params = self.keys.page_sql(offset=offset, limit=limit)
        return _OPEN_AT_CARDS_SQL.replace("{keys}", keys_sql), params

    def page_rows(self, *, offset: int, limit: int) -> list[dict]:
        """One page of cards, each with its `stop` and the search's total as `total_count`."""
        sql, params = self.page_sql(offset=offset, limit=limit)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        width = _CARD_WIDTH
        extra = {row[0]: row[width:] for row in rows}
        distances = {place_id: columns[0] for place_id, columns in extra.items()}
        cards = _cards_from_rows(rows, distances=distances)
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
    " ORDER BY k.distance_km, k.id, c.position ASC NULLS LAST, c.name ASC NULLS LAST"
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
