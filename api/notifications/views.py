"""The consumer's alerts: preferences, last location, saved places, the inbox and push devices."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.notifications import serializers as s
from foodtrucks.api_errors import error_responses
from foodtrucks.api_pagination import PAGE_PARAMETERS, ApiPagination, paginated
from notifications import selectors, services


def _preferences_data(preferences) -> dict:
    return {name: getattr(preferences, name) for name in services.PREFERENCE_FIELDS}


class AlertPreferencesView(APIView):
    @extend_schema(
        operation_id="me_alert_preferences_read",
        summary="My alert preferences",
        description="The defaults until changed: alerts on, 5 km, a 4-hour cooldown, no quiet hours.",
        responses={200: s.AlertPreferencesSerializer, **error_responses(401)},
    )
    def get(self, request):
        preferences = services.alert_preferences_get(user=request.user)
        return Response(s.AlertPreferencesSerializer(_preferences_data(preferences)).data)

    @extend_schema(
        operation_id="me_alert_preferences_replace",
        summary="Replace my alert preferences",
        description="A field left out takes its default. Quiet hours are local times in `time_zone`, "
        "both ends or neither; they may cross midnight. During them alerts reach the inbox but are not pushed.",
        request=s.AlertPreferencesSerializer,
        responses={200: s.AlertPreferencesSerializer, **error_responses(400, 401)},
    )
    def put(self, request):
        serializer = s.AlertPreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preferences = services.alert_preferences_replace(user=request.user, **serializer.validated_data)
        return Response(s.AlertPreferencesSerializer(_preferences_data(preferences)).data)


class LocationView(APIView):
    @extend_schema(
        operation_id="me_location_set",
        summary="Report my location",
        description="The last known location: 'opened near me' alerts measure from it.",
        request=s.LocationSerializer,
        responses={200: s.LocationSerializer, **error_responses(400, 401)},
    )
    def put(self, request):
        serializer = s.LocationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        location = services.last_location_set(user=request.user, **serializer.validated_data)
        return Response(s.LocationSerializer(location).data)


class SavedPlaceListView(APIView):
    @extend_schema(
        operation_id="me_saved_places_list",
        summary="My saved places",
        responses={200: s.SavedPlaceSerializer(many=True), **error_responses(401)},
    )
    def get(self, request):
        return Response(s.SavedPlaceSerializer(selectors.saved_places_for_user(user=request.user), many=True).data)

    @extend_schema(
        operation_id="me_saved_places_add",
        summary="Save a place",
        description="A few per user (5): alerts measure from each.",
        request=s.SavedPlaceSerializer,
        responses={201: s.SavedPlaceSerializer, **error_responses(400, 401)},
    )
    def post(self, request):
        serializer = s.SavedPlaceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved_place = services.saved_place_create(user=request.user, **serializer.validated_data)
        return Response(s.SavedPlaceSerializer(saved_place).data, status=status.HTTP_201_CREATED)


class SavedPlaceDetailView(APIView):
    @extend_schema(
        operation_id="me_saved_places_replace",
        summary="Change a saved place",
        request=s.SavedPlaceSerializer,
        responses={200: s.SavedPlaceSerializer, **error_responses(400, 401, 404)},
    )
    def put(self, request, saved_place_id: int):
        saved_place = selectors.saved_place_for_user_or_404(user=request.user, saved_place_id=saved_place_id)
        serializer = s.SavedPlaceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved_place = services.saved_place_update(saved_place=saved_place, **serializer.validated_data)
        return Response(s.SavedPlaceSerializer(saved_place).data)

    @extend_schema(
        operation_id="me_saved_places_remove",
        summary="Remove a saved place",
        responses={204: OpenApiResponse(description="Removed."), **error_responses(401, 404)},
    )
    def delete(self, request, saved_place_id: int):
        saved_place = selectors.saved_place_for_user_or_404(user=request.user, saved_place_id=saved_place_id)
        services.saved_place_delete(saved_place=saved_place)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationListView(APIView):
    @extend_schema(
        operation_id="me_notifications_list",
        summary="My inbox",
        description="Alerts about followed places, newest first.",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(s.NotificationSerializer), **error_responses(400, 401, 404)},
    )
    def get(self, request):
        paginator = ApiPagination()
        page = paginator.paginate_queryset(selectors.notifications_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(s.NotificationSerializer(page, many=True).data)


class NotificationUnreadCountView(APIView):
    @extend_schema(
        operation_id="me_notifications_unread_count",
        summary="How many alerts are unread",
        responses={200: s.UnreadCountSerializer, **error_responses(401)},
    )
    def get(self, request):
        return Response({"unread": selectors.notification_unread_count(user=request.user)})


class NotificationReadView(APIView):
    @extend_schema(
        operation_id="me_notifications_mark_read",
        summary="Mark one alert read",
        request=None,
        responses={200: s.NotificationSerializer, **error_responses(401, 404)},
    )
    def post(self, request, notification_id: int):
        notification = selectors.notification_for_user_or_404(user=request.user, notification_id=notification_id)
        return Response(s.NotificationSerializer(services.notification_mark_read(notification=notification)).data)


class NotificationReadAllView(APIView):
    @extend_schema(
        operation_id="me_notifications_mark_all_read",
        summary="Mark every alert read",
        request=None,
        responses={200: s.MarkedReadSerializer, **error_responses(401)},
    )
    def post(self, request):
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})


class DeviceListView(APIView):
    @extend_schema(
        operation_id="me_devices_register",
        summary="Register a device for push",
        description="A Web Push subscription (`kind` webpush, `endpoint`, `keys.p256dh`, `keys.auth`; the "
        "applicationServerKey is the server's VAPID public key) or an FCM / APNs token (`kind`, `token`). "
        "201 when new, 200 when the token was known (it now belongs to you). Tokens the push service "
        "rejects as expired are removed.",
        request=s.DeviceInputSerializer,
        responses={201: s.DeviceSerializer, 200: s.DeviceSerializer, **error_responses(400, 401)},
    )
    def post(self, request):
        serializer = s.DeviceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, created = services.device_register(user=request.user, **serializer.validated_data)
        return Response(
            s.DeviceSerializer(device).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class DeviceDetailView(APIView):
    @extend_schema(
        operation_id="me_devices_remove",
        summary="Unregister a device",
        responses={204: OpenApiResponse(description="Removed."), **error_responses(401, 404)},
    )
    def delete(self, request, device_id: int):
        device = selectors.device_for_user_or_404(user=request.user, device_id=device_id)
        services.device_remove(device=device)
        return Response(status=status.HTTP_204_NO_CONTENT)
