"""Reads for the consumer API: the place search with its filters, and lean "place card" rows.

A card is a plain dict built from `values()` rows plus one query for the categories of the page,
so a list of places costs two queries whatever its length.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from ratings.selectors import star_distribution
from trucks.models import Category, Menu, MenuItem, OpeningHours, Photo, Place, ScheduleException
from trucks.nearby import nearby_places
from trucks.schedule import next_opening

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
    "location_updated_at",
    "location_source",
    "vendor_id",
)
_COPIED_FIELDS = CARD_FIELDS[: CARD_FIELDS.index("vendor_id")]
# `ordering` values of the search and what they sort by; nothing else reaches order_by().
ORDERINGS = {
    "distance": ("distance_km", "id"),
    "-rating": ("-rating_avg", "-rating_count", "id"),
    "name": ("name", "id"),
}
DIET_FLAGS = ("vegan", "vegetarian", "gluten_free")


def _has_item(flag: str):
    """The place has an available item with `flag` on an active menu attached to it."""
    items = MenuItem.objects.filter(
        menu__places=OuterRef("pk"), menu__is_active=True, is_available=True, **{f"is_{flag}": True}
    )
    return Exists(items)


def places_search(
    *,
    lat: float | None = None,
    lng: float | None = None,
    radius_km: float | None = None,
    kind: str | None = None,
    categories: Iterable[str] = (),
    open_now: bool | None = None,
    vegan: bool = False,
    vegetarian: bool = False,
    gluten_free: bool = False,
    city: str | None = None,
    q: str | None = None,
    ordering: str | None = None,
) -> QuerySet:
    """Active places matching the filters, as card rows (values()); with a point, nearest first."""
    queryset = Place.objects.filter(is_active=True)
    if kind:
        queryset = queryset.filter(kind=kind)
    categories = list(categories)
    if categories:
        through = Place.categories.through.objects.filter(place_id=OuterRef("pk"), category__slug__in=categories)
        queryset = queryset.filter(Exists(through))
    if open_now is not None:
        queryset = queryset.filter(is_open=open_now)
    for flag, wanted in (("vegan", vegan), ("vegetarian", vegetarian), ("gluten_free", gluten_free)):
        if wanted:
            queryset = queryset.filter(_has_item(flag))
    if city:
        queryset = queryset.filter(city__iexact=city.strip())
    if q:
        text = q.strip()
        in_categories = Place.categories.through.objects.filter(place_id=OuterRef("pk"), category__name__icontains=text)
        queryset = queryset.filter(Q(name__icontains=text) | Q(description__icontains=text) | Exists(in_categories))

    fields = CARD_FIELDS
    if lat is not None and lng is not None:
        queryset = nearby_places(lat=lat, lng=lng, radius_km=radius_km, queryset=queryset)
        fields = (*CARD_FIELDS, "distance_km")
    queryset = queryset.values(*fields)
    if ordering:
        return queryset.order_by(*ORDERINGS[ordering])
    if lat is not None and lng is not None:
        return queryset  # nearest first, ties by id
    return queryset.order_by(*ORDERINGS["name"])


def place_cards(rows: Iterable[dict]) -> list[dict]:
    """Card dicts for `values(*CARD_FIELDS)` rows, with their categories and vendor names (one query).

    The dicts are already in their JSON shape (PlaceCardSerializer documents it), so the hot search
    renders them as they are instead of walking a serializer field by field.

    The vendor's name is read here for the page only: a join in the search itself would run for
    every place inside the circle (the count needs them all), not just for the page.
    """
    rows = list(rows)
    by_place: dict[int, list[dict]] = defaultdict(list)
    vendor_names: dict[int, str] = {}
    if rows:
        # places ⟕ categories ⟗ vendor: one row per (place, category), the vendor's name on each
        extras = (
            Place.objects.filter(pk__in=[row["id"] for row in rows])
            .order_by("id", "categories__position", "categories__name")
            .values_list("id", "vendor__business_name", "categories__slug", "categories__name")
        )
        for place_id, vendor_name, slug, name in extras:
            vendor_names[place_id] = vendor_name
            if slug is not None:
                by_place[place_id].append({"slug": slug, "name": name})
    cards = []
    for row in rows:
        card = {field: row[field] for field in _COPIED_FIELDS}
        card["rating_avg"] = str(row["rating_avg"])  # numeric(3,2): "4.50", as the schema's decimal string
        card["vendor"] = {"id": row["vendor_id"], "name": vendor_names.get(row["id"], "")}
        card["categories"] = by_place[row["id"]]
        if "distance_km" in row:
            card["distance_km"] = round(row["distance_km"], 3)
        cards.append(card)
    return cards


def place_cards_by_ids(place_ids: list[int], *, active_only: bool = True) -> list[dict]:
    """Cards for `place_ids`, in that order (missing or inactive places are left out)."""
    queryset = Place.objects.filter(pk__in=place_ids)
    if active_only:
        queryset = queryset.filter(is_active=True)
    rows = {row["id"]: row for row in queryset.values(*CARD_FIELDS)}
    return place_cards(rows[place_id] for place_id in place_ids if place_id in rows)


def categories_all() -> QuerySet[Category]:
    return Category.objects.order_by("position", "name", "id")


def place_detail(*, place_id: int, now) -> Place:
    """An active place with all its page shows, in a constant number of queries; 404 otherwise.

    Adds `active_menus` (active menus attached to it, with items), `next_opening`,
    `upcoming_exceptions` (from the place's local today) and `rating_summary`.
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
    place.rating_summary = {
        "average": place.rating_avg,
        "count": place.rating_count,
        "distribution": star_distribution(place_ids=[place.pk]),
    }
    return place


def active_place_or_404(place_id: int) -> None:
    if not Place.objects.filter(pk=place_id, is_active=True).exists():
        raise Http404("No such place.")
