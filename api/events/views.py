"""The app's event batches: POST /api/v1/events/."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.ingest import events_ingest
from api.events.serializers import EventBatchInputSerializer, EventBatchOutputSerializer
from foodtrucks.api_errors import ErrorSerializer, error_responses
from foodtrucks.api_throttles import UserRateThrottle


class EventBatchRateThrottle(UserRateThrottle):
    """Per user: the app uploads batches, so its rate is counted apart from other requests."""

    scope = "events"


class EventBatchApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [EventBatchRateThrottle]

    @extend_schema(
        operation_id="events_batch_create",
        summary="Upload a batch of interaction events",
        description=(
            "Up to 100 CLICK, NEARBY_DETECTION or VIEW-with-dwell events of the authenticated user. "
            "A batch with any invalid item is refused whole (400, nothing stored) with the errors of "
            "each item by its position. A retried batch is stored once: events whose client_id is already "
            "stored, or repeated in the batch, count as duplicates. 201 when anything was stored, "
            "200 when every event was a duplicate."
        ),
        request=EventBatchInputSerializer,
        responses={
            201: EventBatchOutputSerializer,
            200: EventBatchOutputSerializer,
            **error_responses(401),
            400: OpenApiResponse(
                ErrorSerializer,
                description="The batch was refused; nothing was stored. Each item's field is named by its position.",
                examples=[
                    OpenApiExample(
                        "Third event names an unknown place",
                        value={
                            "detail": "Unknown or inactive place.",
                            "errors": {"events.2.place": ["Unknown or inactive place."]},
                        },
                    )
                ],
            ),
        },
        tags=["events"],
    )
    def post(self, request):
        serializer = EventBatchInputSerializer(
            data=request.data, context=EventBatchInputSerializer.context_for(request.data)
        )
        serializer.is_valid(raise_exception=True)
        result = events_ingest(user_id=request.user.pk, events=serializer.client_events())
        answer = EventBatchOutputSerializer({"accepted": result.accepted, "duplicates": result.duplicates}).data
        return Response(answer, status=status.HTTP_201_CREATED if result.accepted else status.HTTP_200_OK)
