"""Web Push end to end against a local push service that decrypts the payload; gone tokens pruned."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid
from py_vapid.utils import b64urlencode

from notifications import push
from notifications.models import Device, DeviceKind, LastLocation, Notification
from notifications.services import device_register
from notifications.tasks import fan_out_place_change
from notifications.tests.push_receiver import start_push_receiver
from tests import factories


@pytest.fixture
def receiver():
    receiver = start_push_receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def vapid(settings):
    key = Vapid()
    key.generate_keys()
    raw = key.private_key.private_numbers().private_value.to_bytes(32, "big")
    settings.WEBPUSH_VAPID_PRIVATE_KEY = b64urlencode(raw)
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:alerts@example.com"
    settings.WEBPUSH_ENDPOINT_HOSTS = ["127.0.0.1"]  # the local push service stands in for a browser's
    return key


def _web_push_device(user, receiver, name) -> Device:
    subscription = receiver.subscription(name)
    device, _ = device_register(
        user=user, kind=DeviceKind.WEB_PUSH, token=subscription["endpoint"], **subscription["keys"]
    )
    return device


@pytest.mark.django_db(transaction=True)
def test_an_opening_reaches_a_followers_browser_encrypted_and_signed(receiver, vapid, place_a):
    # given a follower nearby with a browser subscribed to Web Push
    user = factories.UserFactory()
    factories.FavoritePlaceFactory(user=user, place=place_a)
    LastLocation.objects.create(user=user, lat=place_a.lat, lng=place_a.lng)
    _web_push_device(user, receiver, "browser")

    # when the fan-out task runs for the place's opening, and runs again (a retry)
    change = {
        "change_id": str(uuid.uuid4()),
        "kind": "opened",
        "place_id": place_a.pk,
        "lat": place_a.lat,
        "lng": place_a.lng,
        "at": datetime.now(UTC).isoformat(),
    }
    fan_out_place_change.delay(**change)
    fan_out_place_change.delay(**change)

    # then the push service got one message, which decrypts with the subscription's keys to the alert
    assert len(receiver.received) == 1
    message = json.loads(receiver.received[0].text)
    note = Notification.objects.get(user=user)
    assert message == {
        "id": note.pk,
        "kind": "opened_nearby",
        "place_id": place_a.pk,
        "title": "Taco Truck A is open near you",
        "body": "Austin",
    }
    assert note.pushed_at is not None
    # and it was signed with the server's VAPID key
    authorization = receiver.received[0].headers["authorization"]
    public = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert authorization.startswith("vapid t=") and f"k={b64urlencode(public)}" in authorization


@pytest.mark.django_db(transaction=True)
def test_a_device_the_push_service_answers_410_for_is_removed(receiver, vapid, place_a):
    # given a user with two browsers, one of which has unsubscribed
    user = factories.UserFactory()
    kept = _web_push_device(user, receiver, "kept")
    gone = _web_push_device(user, receiver, "gone")
    receiver.gone.add("gone")
    note = Notification.objects.create(user=user, place=place_a, change_id=uuid.uuid4(), kind="stop_today", title="Hi")

    # when the alert is pushed
    sent = push.push_notifications([note.pk])

    # then the live one got it and the gone one is deleted
    assert sent == 1
    assert [r.name for r in receiver.received] == ["kept"]
    assert set(Device.objects.values_list("pk", flat=True)) == {kept.pk}
    assert not Device.objects.filter(pk=gone.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_an_endpoint_off_the_push_services_is_never_posted_to_and_is_removed(receiver, vapid, place_a, settings):
    # given a device registered while the list of push services still named its host
    user = factories.UserFactory()
    device = _web_push_device(user, receiver, "browser")
    settings.WEBPUSH_ENDPOINT_HOSTS = ["fcm.googleapis.com"]
    note = Notification.objects.create(user=user, place=place_a, change_id=uuid.uuid4(), kind="stop_today", title="Hi")

    # when an alert is pushed
    sent = push.push_notifications([note.pk])

    # then nothing was posted to it, and the device is gone
    assert (sent, receiver.received) == (0, [])
    assert not Device.objects.filter(pk=device.pk).exists()


@pytest.mark.parametrize(
    ("endpoint", "allowed"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc", True),
        ("https://updates.push.services.mozilla.com/wpush/v2/abc", True),
        ("https://wns2-par02p.notify.windows.com/w/?token=abc", True),
        ("https://web.push.apple.com/QGuQyavXutnMH", True),
        ("https://FCM.googleapis.com./fcm/send/abc", True),
        ("https://fcm.googleapis.com.attacker.example/x", False),
        ("https://notfcm.googleapis.com.example/x", False),
        ("https://xnotify.windows.com/x", False),
        ("https://169.254.169.254/latest/meta-data", False),
        ("https://127.0.0.1:8000/push", False),
        ("not a url", False),
    ],
)
def test_push_endpoints_must_be_on_a_browsers_push_service(settings, endpoint, allowed):
    settings.WEBPUSH_ENDPOINT_HOSTS = [
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "notify.windows.com",
        "push.apple.com",
    ]
    assert push.web_push_endpoint_allowed(endpoint) is allowed


@pytest.mark.django_db(transaction=True)
def test_quiet_alerts_and_already_pushed_ones_are_not_pushed(receiver, vapid, place_a):
    user = factories.UserFactory()
    _web_push_device(user, receiver, "browser")
    quiet = Notification.objects.create(user=user, place=place_a, change_id=uuid.uuid4(), kind="stop_today", push=False)
    loud = Notification.objects.create(user=user, place=place_a, change_id=uuid.uuid4(), kind="stop_today")
    assert push.push_notifications([quiet.pk, loud.pk]) == 1
    assert push.push_notifications([quiet.pk, loud.pk]) == 0
    assert len(receiver.received) == 1


@pytest.mark.django_db(transaction=True)
def test_native_tokens_go_through_the_configured_sender_which_may_prune_them(settings, place_a):
    # given an FCM and an APNs device, and a sender that says the APNs token is gone
    user = factories.UserFactory()
    Device.objects.create(user=user, kind="fcm", token="fcm-1")
    Device.objects.create(user=user, kind="apns", token="apns-1")
    settings.NOTIFICATIONS_NATIVE_PUSH_SENDER = "notifications.tests.test_push.fake_native_sender"
    SENT.clear()
    note = Notification.objects.create(user=user, place=place_a, change_id=uuid.uuid4(), kind="stop_today", title="Hi")

    # when the alert is pushed
    assert push.push_notifications([note.pk]) == 1

    # then both were handed to the sender and the gone token removed
    assert sorted(SENT) == [("apns-1", "Hi"), ("fcm-1", "Hi")]
    assert list(Device.objects.values_list("token", flat=True)) == ["fcm-1"]


@pytest.mark.django_db(transaction=True)
def test_without_a_configured_sender_native_tokens_are_kept_and_nothing_is_sent(place_a):
    user = factories.UserFactory()
    Device.objects.create(user=user, kind="fcm", token="fcm-1")
    note = Notification.objects.create(user=user, place=place_a, change_id=uuid.uuid4(), kind="stop_today")
    assert push.push_notifications([note.pk]) == 0
    assert Device.objects.count() == 1


SENT = []


def fake_native_sender(device, payload):
    SENT.append((device.token, payload["title"]))
    return push.DeliveryResult.GONE if device.kind == "apns" else push.DeliveryResult.SENT
