"""The consumer's own lists: favorites, recently viewed, favorite categories."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from api.consumers import serializers as s
from consumers import selectors, services
from foodtrucks.api_errors import error_responses
from foodtrucks.api_pagination import PAGE_PARAMETERS, ApiPagination, paginated
from trucks.search import place_cards_by_ids


def _with_cards(rows: list[dict]) -> list[dict]:
    """Replace each row's place id by its card (two queries for the whole page)."""
    cards = {card["id"]: card for card in place_cards_by_ids([row["place_id"] for row in rows])}
    return [{**row, "place": cards[row["place_id"]]} for row in rows if row["place_id"] in cards]


class FavoriteListView(APIView):
    @extend_schema(
        operation_id="me_favorites_list",
        summary="My favorite places",
        description="Newest first.",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(s.FavoriteSerializer), **error_responses(400, 401, 404)},
    )
    def get(self, request):
        paginator = ApiPagination()
        rows = selectors.favorites_for_user(user=request.user).values("place_id", "created_at")
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(s.FavoriteSerializer(_with_cards(page), many=True).data)

    @extend_schema(
        operation_id="me_favorites_add",
        summary="Add a favorite",
        description="201 when added, 200 when it already was a favorite.",
        request=s.FavoriteInputSerializer,
        responses={201: s.FavoriteSerializer, 200: s.FavoriteSerializer, **error_responses(400, 401)},
    )
    def post(self, request):
        serializer = s.FavoriteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        favorite, created = services.favorite_add(user=request.user, place_id=serializer.validated_data["place"])
        data = _with_cards([{"place_id": favorite.place_id, "created_at": favorite.created_at}])[0]
        return Response(
            s.FavoriteSerializer(data).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class FavoriteDetailView(APIView):
    @extend_schema(
        operation_id="me_favorites_remove",
        summary="Remove a favorite",
        responses={204: OpenApiResponse(description="Removed."), **error_responses(401, 404)},
    )
    def delete(self, request, place_id: int):
        if not services.favorite_remove(user=request.user, place_id=place_id):
            raise NotFound("That place is not one of your favorites.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecentlyViewedListView(APIView):
    @extend_schema(
        operation_id="me_recently_viewed",
        summary="My recently viewed places",
        description="The last 50 places opened, newest first.",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(s.RecentlyViewedSerializer), **error_responses(400, 401, 404)},
    )
    def get(self, request):
        paginator = ApiPagination()
        rows = selectors.recently_viewed_rows_for_user(user=request.user)
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(s.RecentlyViewedSerializer(_with_cards(page), many=True).data)


class FavoriteCategoriesView(APIView):
    @extend_schema(
        operation_id="me_favorite_categories_read",
        summary="My favorite categories",
        responses={200: s.FavoriteCategoriesSerializer, **error_responses(401)},
    )
    def get(self, request):
        categories = selectors.favorite_categories_for_user(user=request.user)
        return Response(s.FavoriteCategoriesSerializer({"categories": categories}).data)

    @extend_schema(
        operation_id="me_favorite_categories_replace",
        summary="Replace my favorite categories",
        request=s.FavoriteCategoriesInputSerializer,
        responses={200: s.FavoriteCategoriesSerializer, **error_responses(400, 401)},
    )
    def put(self, request):
        serializer = s.FavoriteCategoriesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        categories = services.favorite_categories_set(user=request.user, slugs=serializer.validated_data["categories"])
        return Response(s.FavoriteCategoriesSerializer({"categories": categories}).data)
