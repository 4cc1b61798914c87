"""Celery tasks of the followers' alerts: idempotent, they only call the fan-out and the push sender."""

from datetime import datetime

from celery import shared_task

from notifications import fanout, push


@shared_task(name="notifications.fan_out_place_change")
def fan_out_place_change(*, change_id: str, kind: str, place_id: int, lat, lng, at: str) -> int:
    """Write the inbox rows of one change and queue their pushes; a re-run writes and pushes nothing new."""
    return fanout.fan_out(
        change_id=change_id,
        kind=kind,
        place_id=place_id,
        lat=lat,
        lng=lng,
        at=datetime.fromisoformat(at),
        # each chunk's pushes are queued once its rows are committed
        enqueue_push=push_notifications.delay,
    ).notified


@shared_task(name="notifications.push_notifications")
def push_notifications(notification_ids: list[int]) -> int:
    """Push the given inbox rows to their users' devices (each row is claimed once: never pushed twice)."""
    return push.push_notifications(notification_ids)
