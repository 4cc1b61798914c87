"""The place endpoints of the consumer API: search, detail, top of a city, categories, check-in."""

import re

from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.http import http_date
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.places import serializers as s
from consumers.services import place_view_read
from foodtrucks.api_errors import error_responses
from foodtrucks.api_pagination import PAGE_PARAMETERS, ApiPagination, WindowCountPagination, paginated
from foodtrucks.api_params import filters_valid
from foodtrucks.conditional import clock_bucket, mark_revalidate, not_modified, query_key, weak_etag
from ratings.selectors import place_rating_summary, recent_visible_ratings
from trucks.calendar_feed import place_calendar
from trucks.catch_up import (
    Cursor,
    CursorExpired,
    CursorInvalid,
    change_log_version,
    place_data_version,
    places_changed_since,
)
from trucks.filters import PlaceMapFilter, PlaceSearchFilter, TopPlacesFilter
from trucks.models import LocationSource, Place
from trucks.nearby import DEFAULT_RADIUS_KM, MAX_RADIUS_KM
from trucks.search import categories_all, place_cards_by_ids, place_cards_for_page, place_detail, places_search
from trucks.selectors import get_place_for_member_or_404
from trucks.services import place_check_in
from trucks.top_places import top_place_ids
from trucks.viewport import places_map

PLACE_ID = OpenApiParameter("place_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The place's id.")
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the answer you hold: 304 Not Modified, with no body, when it is still current.",
)
NOT_MODIFIED = OpenApiResponse(description="Not Modified: the answer you hold (its ETag in If-None-Match) is current.")


def search_etag(request, name: str, *, version: int | None = None) -> str:
    """A search page's ETag: any logged place change (below the horizon), the query, the clock's bucket.

    `version`: the change log's version when already read (with the page, on the same snapshot).
    """
    renderer = getattr(request, "accepted_renderer", None)
    version = change_log_version() if version is None else version
    return weak_etag(name, version, query_key(request), getattr(renderer, "format", ""), clock_bucket(timezone.now()))


# The plain nearby search's query: a point, maybe a radius and a page, each once, written plainly.
_PLAIN_NEARBY_PARAMETERS = frozenset({"lat", "lng", "radius_km", "page", "page_size"})
_PLAIN_NUMBER = re.compile(r"-?[0-9]{1,3}(\.[0-9]{1,15})?")
_PLAIN_WHOLE = re.compile(r"[1-9][0-9]{0,8}")


def plain_nearby_point(query) -> tuple[float, float, float] | None:
    """(lat, lng, radius_km) of a plain nearby search whose every parameter is plainly valid, else None.

    The hot request's validation without a FilterSet and a serializer: only lat, lng, radius_km, page
    and page_size, each given once, as plain decimal numbers inside their ranges (page numbers as whole
    numbers from 1), which PlaceSearchFilter and PlaceSearchPointSerializer accept with the same values.
    Anything else (another parameter, a repeated or odd-looking value, one out of range) answers None and
    the general path validates it: the same answers and the same 400 messages.
    """
    lists = query.lists()
    values = {}
    for name, given in lists:
        if name not in _PLAIN_NEARBY_PARAMETERS or len(given) != 1:
            return None
        values[name] = given[0]
    if "lat" not in values or "lng" not in values:
        return None
    for name in ("page", "page_size"):
        if name in values and not _PLAIN_WHOLE.fullmatch(values[name]):
            return None
    numbers = []
    for name, low, high, default in (
        ("lat", -90.0, 90.0, None),
        ("lng", -180.0, 180.0, None),
        ("radius_km", 0.01, MAX_RADIUS_KM, DEFAULT_RADIUS_KM),
    ):
        if name not in values:
            numbers.append(default)
            continue
        if not _PLAIN_NUMBER.fullmatch(values[name]):
            return None
        number = float(values[name])
        if not low <= number <= high:
            return None
        numbers.append(number)
    return numbers[0], numbers[1], numbers[2]


class PlaceListView(APIView):
    permission_classes = [AllowAny]
    # For the schema only (extend_schema(filters=True)): it lists the FilterSet's parameters, their types
    # read from the model of `queryset`. The view validates with filters_valid, and places_search filters.
    filter_backends = [DjangoFilterBackend]
    filterset_class = PlaceSearchFilter
    queryset = Place.objects.none()

    @extend_schema(
        operation_id="places_search",
        summary="Search places",
        description="Active trucks and stands. With lat/lng: those within radius_km, each with its "
        "distance_km, nearest first (ties by id) unless `ordering` says otherwise. With open_at or open_within "
        "(search ahead): those whose schedule has them open then, each card with its `stop`; the distance is "
        "to that stop. The plain nearby search (a point and a radius, no other filter) counts the circle's "
        "places up to NEARBY_COUNT_CAP: beyond it `count` is the cap and `count_is_capped` is true. "
        "Answers carry an ETag: send it back in If-None-Match for a 304 while nothing changed.",
        parameters=[s.PlaceSearchPointSerializer, IF_NONE_MATCH],
        filters=True,
        responses={200: paginated(s.PlaceCardSerializer, capped=True), 304: NOT_MODIFIED, **error_responses(400, 404)},
    )
    def get(self, request):
        if (point := plain_nearby_point(request.query_params)) is not None:
            return self.plain_nearby(request, *point)
        filters, point = filters_valid(request, self.filterset_class, others=s.PlaceSearchPointSerializer)
        etag = search_etag(request, "places")
        if (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        rows = places_search(
            lat=point.get("lat"),
            lng=point.get("lng"),
            radius_km=point.get("radius_km"),
            filters=filters,
            open_at=point.get("open_at"),
            open_within=point.get("open_within"),
            now=timezone.now(),
        )
        paginator = WindowCountPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        # in PlaceCardSerializer's shape
        return mark_revalidate(paginator.get_paginated_response(place_cards_for_page(page)), etag)

    def plain_nearby(self, request, lat: float, lng: float, radius_km: float):
        """The hot search (a point, a radius, a page): the same answer as the general path in one
        statement (the version for the ETag, the capped count, the page's cards with their next openings)."""
        conditional = "HTTP_IF_NONE_MATCH" in request.META
        if conditional and (unchanged := not_modified(request, search_etag(request, "places"))) is not None:
            return unchanged
        paginator = WindowCountPagination()
        cards = paginator.paginate_queryset(places_search(lat=lat, lng=lng, radius_km=radius_km), request, view=self)
        etag = search_etag(request, "places", version=paginator.version)
        return mark_revalidate(paginator.get_paginated_response(cards), etag)


class PlaceMapView(APIView):
    """The map's one request: a viewport's places, or its clusters when it holds too many.

    Its own endpoint rather than a mode of the search: every list of this API is a page
    (`count, next, previous, results`) of cards, and a map is not paged; an app draws it from one
    answer whose `type` says which of two shapes it is.
    """

    permission_classes = [AllowAny]
    # For the schema only, as PlaceListView: the FilterSet documents and validates the parameters.
    filter_backends = [DjangoFilterBackend]
    filterset_class = PlaceMapFilter
    queryset = Place.objects.none()

    @extend_schema(
        operation_id="places_map",
        summary="Places on a map viewport, or clusters",
        description="Active places inside `bbox` that the filters keep. Up to MAP_CLUSTER_THRESHOLD "
        '(300) of them: `{"type": "places"}` with every one as a card. More: `{"type": "clusters"}`, a '
        "grid of at most MAP_CLUSTER_GRID² (16 × 16) cells over the viewport, each cell that holds places with "
        "its count, the centroid of its places and its bounds (clipped to the viewport); every place of the "
        "viewport is counted in exactly one cell. With no filter but bbox, kind and open_now the cells are the "
        "fixed cells of a zoom level (0.02° × 2^k, the finest that fits) answered from a maintained lattice; "
        "with other filters they split the viewport into equal parts. "
        "Answers carry an ETag: send it back in If-None-Match for a 304 while nothing changed.",
        parameters=[IF_NONE_MATCH],
        filters=True,
        responses={
            200: PolymorphicProxySerializer(
                component_name="PlaceMap",
                serializers={"places": s.MapPlacesSerializer, "clusters": s.MapClustersSerializer},
                resource_type_field_name="type",
            ),
            304: NOT_MODIFIED,
            **error_responses(400),
        },
    )
    def get(self, request):
        filters, _ = filters_valid(request, self.filterset_class, others=s.MapParamsSerializer)
        etag = search_etag(request, "map")
        if (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        answer = places_map(filters=filters)
        if answer.clusters is None:
            places = place_cards_by_ids(answer.place_ids)
            # MapPlacesSerializer's shape
            return mark_revalidate(Response({"type": "places", "count": answer.count, "places": places}), etag)
        # MapClustersSerializer's shape, built as plain dicts: walking the serializer field by field
        # for 256 clusters cost more than the lattice's statement.
        clusters = [
            {
                "count": c.count,
                "lat": c.lat,
                "lng": c.lng,
                "bounds": {"south": c.south, "west": c.west, "north": c.north, "east": c.east},
            }
            for c in answer.clusters
        ]
        data = {"type": "clusters", "count": answer.count, "rows": answer.rows, "columns": answer.columns}
        return mark_revalidate(Response({**data, "clusters": clusters}), etag)


class PlaceChangesView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="places_changes",
        summary="Places changed since a cursor (catch-up)",
        description="For an app that was offline: the current card of every place that changed after `since` "
        "(checked in, moved, opened or closed, its hours, menus, photos or details edited), each once, oldest "
        "change first, and the ids of the places that went inactive or were deleted. Follow `next_cursor` "
        "while `has_more`. Without `since`: only the cursor to start from. A change committed late by a slow "
        "transaction is never skipped: the feed waits for it (docs/live.md). A cursor older than the kept log "
        "(7 days) answers 410 with `resync`: reload, then start again without `since`.",
        parameters=[s.PlaceChangesParamsSerializer],
        responses={
            200: s.PlaceChangesSerializer,
            410: OpenApiResponse(s.CursorGoneSerializer, description="The cursor is too old: resync."),
            **error_responses(400),
        },
    )
    def get(self, request):
        params = s.PlaceChangesParamsSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        try:
            since = Cursor.parse(params.validated_data["since"]) if "since" in params.validated_data else None
        except CursorInvalid as error:
            raise ValidationError({"since": [str(error)]}) from error
        try:
            page = places_changed_since(since=since, limit=params.validated_data["limit"])
        except CursorExpired as error:
            body = {"detail": f"{error} Reload, then ask again without `since`.", "errors": {}, "resync": True}
            return Response(body, status=status.HTTP_410_GONE)
        data = {
            "places": page.places,  # cards already in PlaceCardSerializer's shape
            "removed": page.removed,
            "next_cursor": str(page.next_cursor),
            "has_more": page.has_more,
        }
        return Response(data)


class PlaceDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="places_detail",
        summary="A place",
        description="Menus with items, weekly hours, the next opening, upcoming exceptions, photos, the rating "
        "summary, the newest reviews with the vendor's replies and the vendor. "
        "Read with a token, it counts as a view and joins your recently viewed.",
        parameters=[PLACE_ID, IF_NONE_MATCH],
        responses={200: s.PlaceDetailSerializer, 304: NOT_MODIFIED, **error_responses(404)},
    )
    def get(self, request, place_id: int):
        now = timezone.now()
        # The place's version covers its row, hours, exceptions, photos, categories, menus and items
        # and its vendor's name (trucks.catch_up); a deleted or hidden place has a newer one, so a 304
        # never stands for a place that is gone.
        etag = weak_etag("place", place_id, place_data_version(place_id), clock_bucket(now))
        if (unchanged := not_modified(request, etag)) is not None:
            if request.user.is_authenticated:
                place_view_read(user=request.user, place_id=place_id, now=now)  # a 304 is still a view
            return unchanged
        place = place_detail(place_id=place_id, now=now)
        place.rating_summary = place_rating_summary(place=place)
        place.recent_reviews = recent_visible_ratings(place_id=place.pk)
        if request.user.is_authenticated:
            place_view_read(user=request.user, place_id=place.pk, now=now)
        return mark_revalidate(Response(s.PlaceDetailSerializer(place, context={"request": request}).data), etag)


class TopPlacesView(APIView):
    permission_classes = [AllowAny]
    # For the schema only, as above: the FilterSet validates `city`; the ranking is cached by city.
    filter_backends = [DjangoFilterBackend]
    filterset_class = TopPlacesFilter
    queryset = Place.objects.none()

    @extend_schema(
        operation_id="places_top",
        summary="Top-rated places of a city",
        description="Active places of the city (any case) with enough ratings, best average first "
        "(then most ratings, then id).",
        parameters=[s.PageParamsSerializer],
        filters=True,
        responses={200: paginated(s.PlaceCardSerializer), **error_responses(400, 404)},
    )
    def get(self, request):
        filters, _ = filters_valid(request, self.filterset_class, others=s.PageParamsSerializer)
        ids = top_place_ids(city=filters.form.cleaned_data["city"])
        paginator = ApiPagination()
        page_ids = paginator.paginate_queryset(ids, request, view=self)
        return paginator.get_paginated_response(s.PlaceCardSerializer(place_cards_by_ids(page_ids), many=True).data)


class CategoryListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="categories_list",
        summary="Categories",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(s.CategorySerializer), **error_responses(400, 404)},
    )
    def get(self, request):
        paginator = ApiPagination()
        page = paginator.paginate_queryset(categories_all(), request, view=self)
        return paginator.get_paginated_response(s.CategorySerializer(page, many=True).data)


class PlaceCheckInView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="vendor_places_check_in",
        summary="Check a place in (vendor members)",
        description="Sets the live location (optional: lat and lng together), the open switch and the address "
        "(optional): coordinates more than about 50 m from the stored ones replace the address with the one sent, "
        "or clear it (a configured reverse geocoder fills it later). Any member of "
        "the place's vendor may; for anyone else the place does not exist (404). The newest check-in wins: the "
        "answer is the place as stored, which is another member's state if a newer check-in was made meanwhile.",
        parameters=[PLACE_ID],
        request=s.CheckInInputSerializer,
        responses={200: s.CheckInOutputSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request, place_id: int):
        place = get_place_for_member_or_404(request.user, place_id, action="check_in")
        serializer = s.CheckInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        place = place_check_in(
            place=place,
            lat=data.get("lat"),
            lng=data.get("lng"),
            is_open=data["is_open"],
            source=LocationSource.API,
            address=data.get("address", ""),
        )
        return Response(s.CheckInOutputSerializer(place).data)


class PlaceCalendarView(APIView):
    """The place's upcoming stops as iCalendar, for a calendar app to subscribe to."""

    permission_classes = [AllowAny]
    # Calendar apps poll: the feed is public and may be cached by them and by the CDN for a while.
    max_age_seconds = 900

    @extend_schema(
        operation_id="places_calendar",
        summary="A place's upcoming stops as iCal",
        description="Every scheduled stop of the active place for the next 14+ days (weekly hours and dated "
        "exceptions, as search ahead sees them), each an event in the place's own zone with the stop's address "
        "and position. Answers 304 to a matching If-None-Match (ETag).",
        parameters=[PLACE_ID],
        responses={(200, "text/calendar"): OpenApiTypes.BINARY, 304: None, **error_responses(404)},
    )
    def get(self, request, place_id: int):
        feed = place_calendar(place_id=place_id, now=timezone.now())
        headers = {
            "ETag": feed.etag,
            "Last-Modified": http_date(feed.last_modified.timestamp()),
            "Cache-Control": f"public, max-age={self.max_age_seconds}",
        }
        if feed.etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(feed.body, content_type="text/calendar; charset=utf-8")
            headers["Content-Disposition"] = f'inline; filename="place-{place_id}.ics"'
        for name, value in headers.items():
            response[name] = value
        return response
