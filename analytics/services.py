"""Writes of raw interaction events made by the server itself (VIEW, RATING)."""

from datetime import datetime

from django.utils import timezone

from analytics.models import InteractionType, UserInteraction


def interaction_record(
    *,
    place_id: int,
    type: InteractionType,
    user_id: int | None,
    occurred_at: datetime | None = None,
) -> UserInteraction:
    """Store one server-side event (a detail view, a rating) at the server's time."""
    now = timezone.now()
    return UserInteraction.objects.create(
        place_id=place_id, user_id=user_id, type=type, occurred_at=occurred_at or now, received_at=now
    )
