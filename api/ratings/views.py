"""Rating endpoints: a place's reviews, rating a place, and the author changing or deleting theirs."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from api.ratings import serializers as s
from foodtrucks.api_errors import error_responses
from foodtrucks.api_pagination import PAGE_PARAMETERS, ApiPagination, paginated
from ratings import services
from ratings.selectors import get_own_rating_or_404, visible_ratings
from trucks.search import active_place_or_404


class PlaceRatingsView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="places_ratings_list",
        summary="A place's reviews",
        description="Visible ratings, newest first (hidden reviews never show).",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(s.RatingSerializer), **error_responses(400, 404)},
    )
    def get(self, request, place_id: int):
        active_place_or_404(place_id)
        paginator = ApiPagination()
        page = paginator.paginate_queryset(visible_ratings(place_id=place_id), request, view=self)
        return paginator.get_paginated_response(s.RatingSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="places_ratings_submit",
        summary="Rate a place",
        description="One rating per user and place: 201 the first time, 200 when it updates your rating. "
        'Rating again without `review` keeps your earlier text; `"review": ""` clears it. '
        "Only active places can be rated (404 otherwise).",
        request=s.RatingInputSerializer,
        responses={201: s.RatingSerializer, 200: s.RatingSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request, place_id: int):
        serializer = s.RatingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating, created = services.rating_submit(
            user=request.user,
            place_id=place_id,
            stars=serializer.validated_data["stars"],
            review=serializer.validated_data.get("review"),
        )
        return Response(
            s.RatingSerializer(rating, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class RatingDetailView(APIView):
    @extend_schema(
        operation_id="ratings_update",
        summary="Change my rating",
        request=s.RatingUpdateInputSerializer,
        responses={200: s.RatingSerializer, **error_responses(400, 401, 404)},
    )
    def patch(self, request, rating_id: int):
        rating = get_own_rating_or_404(user=request.user, rating_id=rating_id)
        serializer = s.RatingUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        rating = services.rating_update(rating=rating, **serializer.validated_data)
        return Response(s.RatingSerializer(rating, context={"request": request}).data)

    @extend_schema(
        operation_id="ratings_delete",
        summary="Delete my rating",
        responses={204: OpenApiResponse(description="Deleted."), **error_responses(401, 404)},
    )
    def delete(self, request, rating_id: int):
        rating = get_own_rating_or_404(user=request.user, rating_id=rating_id)
        services.rating_delete(rating=rating)
        return Response(status=status.HTTP_204_NO_CONTENT)
