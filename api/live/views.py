"""The live streams of the consumer API: Server-Sent Events of the changes of places in a map's box,
or of the consumer's favorites (live/streams.py serves them; docs/live.md)."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.views import APIView

from consumers.selectors import favorites_for_user
from foodtrucks.api_errors import error_responses
from live.channels import parse_bbox, place_channel, user_channel
from live.streams import stream_response


class EventStreamRenderer(renderers.BaseRenderer):
    """Lets a client ask for `text/event-stream`; an error answer (400, 401) is then its JSON body."""

    media_type = "text/event-stream"
    format = "sse"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return renderers.JSONRenderer().render(data)


LAST_EVENT_ID = OpenApiParameter(
    "Last-Event-ID",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The `id` of the last event received: a reconnecting client is first sent what it missed, "
    "within the replay window, or a `resync` event when that is gone (refetch, then carry on).",
)
STREAM_DESCRIPTION = (
    " One `change` event per change, its data a JSON object: `kind` (checked_in, moved, opened, closed, "
    "went_inactive, item_sold_out, item_back, schedule_changed), `place_id`, `is_open`, `lat`, `lng`, `at`, "
    "and when they apply `previous_lat`/`previous_lng` (a move), `item_id`, `by_stale_switch`. Every event "
    "has an `id`; `keep-alive` events every 20 s; `stream-open` first."
)


def _json_errors(*codes: int) -> dict:
    """The API's error answers, which a stream view gives in JSON whatever the client accepted."""
    return {(code, "application/json"): response for code, response in error_responses(*codes).items()}


STREAM_RESPONSE = OpenApiResponse(
    response={"type": "string", "description": "text/event-stream"},
    description="A Server-Sent Events stream that stays open.",
)


class _StreamView(APIView):
    renderer_classes = [EventStreamRenderer, renderers.JSONRenderer]
    throttle_classes = []  # a stream is one request held open; reconnects are paced by the client's retry

    def handle_exception(self, exc):
        """An error is answered in JSON (the API's error shape), whatever the client accepted."""
        response = super().handle_exception(exc)
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return response


class LivePlacesStreamView(_StreamView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="live_places_stream",
        summary="Live changes of places in a box (Server-Sent Events)",
        description="The changes of the places inside `bbox` (and of a place moving out of it) as they "
        "are committed." + STREAM_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "bbox",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                description="south,west,north,east in degrees; west > east crosses the antimeridian.",
            ),
            LAST_EVENT_ID,
        ],
        responses={(200, "text/event-stream"): STREAM_RESPONSE, **_json_errors(400)},
    )
    def get(self, request):
        try:
            box = parse_bbox(request.query_params.get("bbox"))
        except ValueError as error:
            raise ValidationError({"bbox": [str(error)]}) from None
        keep = lambda data: any(box.contains(lat, lng) for lat, lng in _spots(data))  # noqa: E731
        return stream_response(request._request, channels=box.channels(), user=request.user, keep=keep)


def _spots(data: dict) -> list[tuple[float, float]]:
    spots = []
    if data.get("lat") is not None and data.get("lng") is not None:
        spots.append((data["lat"], data["lng"]))
    if data.get("previous_lat") is not None and data.get("previous_lng") is not None:
        spots.append((data["previous_lat"], data["previous_lng"]))
    return spots


class LiveFavoritesStreamView(_StreamView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="live_favorites_stream",
        summary="Live changes of my favorite places (Server-Sent Events)",
        description="The changes of the consumer's favorite places (the newest LIVE_FAVORITES_MAX of them) "
        "as they are committed. Token authentication." + STREAM_DESCRIPTION,
        parameters=[LAST_EVENT_ID],
        responses={(200, "text/event-stream"): STREAM_RESPONSE, **_json_errors(401)},
    )
    def get(self, request):
        place_ids = favorites_for_user(user=request.user).values_list("place_id", flat=True)
        channels = [place_channel(pk) for pk in place_ids[: settings.LIVE_FAVORITES_MAX]]
        return stream_response(
            request._request, channels=channels or [user_channel(request.user.pk)], user=request.user
        )
