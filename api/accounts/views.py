"""Account endpoints: register, log in/out, own profile."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from api.accounts import serializers as s
from foodtrucks.api_errors import error_responses
from foodtrucks.api_throttles import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

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
