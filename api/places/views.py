"""The place endpoints of the consumer API: search, detail, top of a city, categories, check-in."""

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.places import serializers as s
from consumers.services import place_view_record
from foodtrucks.api_errors import error_responses
from foodtrucks.api_pagination import PAGE_PARAMETERS, ApiPagination, WindowCountPagination, paginated
from foodtrucks.api_params import filters_valid
from ratings.selectors import place_rating_summary
from trucks.filters import PlaceSearchFilter, TopPlacesFilter
from trucks.models import LocationSource, Place
from trucks.search import categories_all, place_cards_by_ids, place_cards_for_page, place_detail, places_search
from trucks.selectors import get_place_for_member_or_404
from trucks.services import place_check_in
from trucks.top_places import top_place_ids

PLACE_ID = OpenApiParameter("place_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The place's id.")


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
        "to that stop.",
        parameters=[s.PlaceSearchPointSerializer],
        filters=True,
        responses={200: paginated(s.PlaceCardSerializer), **error_responses(400, 404)},
    )
    def get(self, request):
        filters, point = filters_valid(request, self.filterset_class, others=s.PlaceSearchPointSerializer)
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
        return paginator.get_paginated_response(place_cards_for_page(page))  # in PlaceCardSerializer's shape


class PlaceDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="places_detail",
        summary="A place",
        description="Menus with items, weekly hours, the next opening, upcoming exceptions, photos, the rating "
        "summary and the vendor. Read with a token, it counts as a view and joins your recently viewed.",
        parameters=[PLACE_ID],
        responses={200: s.PlaceDetailSerializer, **error_responses(404)},
    )
    def get(self, request, place_id: int):
        place = place_detail(place_id=place_id, now=timezone.now())
        place.rating_summary = place_rating_summary(place=place)
        if request.user.is_authenticated:
            place_view_record(user=request.user, place_id=place.pk)
        return Response(s.PlaceDetailSerializer(place, context={"request": request}).data)


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
        description="Sets the live location (optional: lat and lng together) and the open switch. Any member of "
        "the place's vendor may; for anyone else the place does not exist (404).",
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
            place=place, lat=data.get("lat"), lng=data.get("lng"), is_open=data["is_open"], source=LocationSource.API
        )
        return Response(s.CheckInOutputSerializer(place).data)
