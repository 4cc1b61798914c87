"""Account endpoints: register, log in/out, own profile, favorites, recently viewed, favorite categories."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api import serializers as s
from foodtrucks.api_errors import error_responses
from foodtrucks.api_pagination import ApiPagination, paginated
from foodtrucks.api_throttles import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle
from trucks.search import place_cards_by_ids

SCOPED_THROTTLES = [AnonRateThrottle, UserRateThrottle, ScopedRateThrottle]


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "register"

    @extend_schema(
        operation_id="auth_register",
        summary="Sign up",
        description="Creates a consumer account and answers it with its API token.",
        request=s.RegisterInputSerializer,
        responses={201: s.RegisterOutputSerializer, **error_responses(400)},
        auth=[],
    )
    def post(self, request):
        serializer = s.RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user, token = services.user_register(
            email=data["email"],
            password=data["password"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            phone_number=data["phone_number"],
            date_of_birth=data.get("dob"),
            primary_city=data.get("primary_city", ""),
        )
        return Response(s.RegisterOutputSerializer({"user": user, "token": token}).data, status=status.HTTP_201_CREATED)


class LoginView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "login"

    @extend_schema(
        operation_id="auth_token",
        summary="Log in",
        description="Email and password in, the API token out.",
        request=s.LoginInputSerializer,
        responses={200: s.LoginOutputSerializer, **error_responses(400)},
        auth=[],
    )
    def post(self, request):
        serializer = s.LoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Django's HttpRequest, not DRF's Request: axes flags a lockout on the request it is given, and
        # AxesMiddleware answers 429 only when the flag is on the HttpRequest (foodtrucks/lockout.py).
        user = authenticate(request._request, email=services.email_normalize(data["email"]), password=data["password"])
        if user is None:
            raise ValidationError({"non_field_errors": ["Unable to log in with the email and password given."]})
        return Response(s.LoginOutputSerializer({"token": services.token_for_login(user=user), "user": user}).data)


class LogoutView(APIView):
    @extend_schema(
        operation_id="auth_logout",
        summary="Log out",
        description="Revokes the token: it stops working at once.",
        request=None,
        responses={204: OpenApiResponse(description="Logged out."), **error_responses(401)},
    )
    def post(self, request):
        services.token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(
        operation_id="me_read", summary="My profile", responses={200: s.UserSerializer, **error_responses(401)}
    )
    def get(self, request):
        return Response(s.UserSerializer(request.user).data)

    @extend_schema(
        operation_id="me_update",
        summary="Change my profile",
        request=s.ProfileUpdateInputSerializer,
        responses={200: s.UserSerializer, **error_responses(400, 401)},
    )
    def patch(self, request):
        serializer = s.ProfileUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "dob" in changes:
            changes["date_of_birth"] = changes.pop("dob")
        user = services.user_update(user=request.user, **changes)
        return Response(s.UserSerializer(user).data)


def _with_cards(rows: list[dict]) -> list[dict]:
    """Replace each row's place id by its card (two queries for the whole page)."""
    cards = {card["id"]: card for card in place_cards_by_ids([row["place_id"] for row in rows])}
    return [{**row, "place": cards[row["place_id"]]} for row in rows if row["place_id"] in cards]


class FavoriteListView(APIView):
    @extend_schema(
        operation_id="me_favorites_list",
        summary="My favorite places",
        description="Newest first.",
        responses={200: paginated(s.FavoriteSerializer), **error_responses(401, 404)},
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
        responses={200: paginated(s.RecentlyViewedSerializer), **error_responses(401, 404)},
    )
    def get(self, request):
        paginator = ApiPagination()
        rows = selectors.recently_viewed_for_user(user=request.user).values("place_id", "viewed_at")
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
