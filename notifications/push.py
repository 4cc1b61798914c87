"""Push to registered devices: Web Push through pywebpush (VAPID), FCM/APNs through a pluggable sender.

Every row is claimed before it is sent (`UPDATE … SET pushed_at … WHERE pushed_at IS NULL
RETURNING`), so a retried task never pushes a row twice (at most once: a worker dying mid-send
loses that batch's pushes; the inbox keeps them). A device the push service answers 404 or 410 for
(expired or unsubscribed) is deleted; a native sender says so by returning `DeliveryResult.GONE`.

FCM and APNs tokens are stored, and sent through `NOTIFICATIONS_NATIVE_PUSH_SENDER` (a dotted path to
`send(device, payload) -> DeliveryResult`); the default sender does nothing (logs and returns SKIPPED)
until one is configured. Web Push needs `WEBPUSH_VAPID_PRIVATE_KEY` (base64url, raw 32 bytes or
DER) and `WEBPUSH_VAPID_SUBJECT` (a mailto: or https: URL); without a key it is skipped too.
"""

import json
import logging
from collections import defaultdict
from enum import StrEnum
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string
from pywebpush import WebPushException, webpush

from notifications.models import Device, DeviceKind, Notification

logger = logging.getLogger(__name__)

GONE_STATUSES = {404, 410}
WEB_PUSH_TTL_SECONDS = 4 * 60 * 60  # an alert older than the default cooldown is not worth waking a phone for
WEB_PUSH_TIMEOUT_SECONDS = 10


class DeliveryResult(StrEnum):
    SENT = "sent"
    GONE = "gone"  # the token is expired or rejected: delete the device
    FAILED = "failed"  # try again next time (the row is not pushed again)
    SKIPPED = "skipped"  # no sender configured


def web_push_endpoint_allowed(endpoint: str) -> bool:
    """Is this endpoint on a browser's push service (`WEBPUSH_ENDPOINT_HOSTS`)? We POST to it, so nothing
    else: not our own network, not the cloud metadata address (SSRF)."""
    host = (urlsplit(endpoint).hostname or "").lower().rstrip(".")
    return any(host == allowed or host.endswith(f".{allowed}") for allowed in settings.WEBPUSH_ENDPOINT_HOSTS)


def web_push_send(device: Device, payload: dict) -> DeliveryResult:
    if not web_push_endpoint_allowed(device.token):
        logger.warning("web push endpoint not on a push service: device removed", extra={"device_id": device.pk})
        return DeliveryResult.GONE
    private_key = settings.WEBPUSH_VAPID_PRIVATE_KEY
    if not private_key:
        logger.info("web push skipped: no VAPID key", extra={"device_id": device.pk})
        return DeliveryResult.SKIPPED
    try:
        webpush(
            subscription_info={"endpoint": device.token, "keys": {"p256dh": device.p256dh, "auth": device.auth}},
            data=json.dumps(payload),
            vapid_private_key=private_key,
            vapid_claims={"sub": settings.WEBPUSH_VAPID_SUBJECT},
            ttl=WEB_PUSH_TTL_SECONDS,
            timeout=WEB_PUSH_TIMEOUT_SECONDS,
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in GONE_STATUSES:
            return DeliveryResult.GONE
        logger.warning("web push failed", extra={"device_id": device.pk, "status": status})
        return DeliveryResult.FAILED
    except Exception:  # a network error: the device stays, this alert is not retried
        logger.warning("web push failed", exc_info=True, extra={"device_id": device.pk})
        return DeliveryResult.FAILED
    return DeliveryResult.SENT


def native_push_not_configured(device: Device, payload: dict) -> DeliveryResult:
    """The default FCM/APNs sender: tokens are kept, nothing is sent until a real sender is configured."""
    logger.info("native push not configured", extra={"device_id": device.pk, "kind": device.kind})
    return DeliveryResult.SKIPPED


def _sender(kind: str):
    if kind == DeviceKind.WEB_PUSH:
        return web_push_send
    return import_string(settings.NOTIFICATIONS_NATIVE_PUSH_SENDER)


def _claim(notification_ids: list[int]) -> list[tuple]:
    """Mark the rows pushed and return them, only those not pushed before and outside quiet hours."""
    table = Notification._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET pushed_at = now() "  # nosec B608 # noqa: S608 - the model's table
            "WHERE id = ANY(%s) AND push AND pushed_at IS NULL "
            "RETURNING id, user_id, place_id, kind, title, body",
            [list(notification_ids)],
        )
        return cursor.fetchall()


def push_notifications(notification_ids: list[int]) -> int:
    """Send each row to every device of its user; prune gone devices. Returns the pushes sent."""
    rows = _claim(notification_ids)
    if not rows:
        return 0
    devices = defaultdict(list)
    for device in Device.objects.filter(user_id__in={row[1] for row in rows}):
        devices[device.user_id].append(device)
    sent, gone = 0, set()
    for notification_id, user_id, place_id, kind, title, body in rows:
        payload = {"id": notification_id, "kind": kind, "place_id": place_id, "title": title, "body": body}
        for device in devices[user_id]:
            if device.pk in gone:
                continue
            result = _sender(device.kind)(device, payload)
            if result == DeliveryResult.SENT:
                sent += 1
            elif result == DeliveryResult.GONE:
                gone.add(device.pk)
    if gone:
        Device.objects.filter(pk__in=gone).delete()
        logger.info("push devices pruned", extra={"count": len(gone)})
    return sent
