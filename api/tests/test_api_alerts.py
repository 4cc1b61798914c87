"""The followers' alerts API: preferences, location, saved places, the inbox, devices."""

import uuid

import pytest

from notifications.models import AlertPreferences, Device, LastLocation, Notification, SavedPlace
from tests import factories

PREFS = "/api/v1/me/alert-preferences/"


@pytest.mark.django_db
def test_preferences_answer_the_defaults_until_changed(consumer_client):
    body = consumer_client.get(PREFS).json()
    assert body == {
        "opens_nearby": True,
        "radius_km": 5.0,
        "near_me": True,
        "near_saved_places": True,
        "stop_today": True,
        "time_zone": "UTC",
        "quiet_start": None,
        "quiet_end": None,
        "cooldown_minutes": 240,
    }
    assert not AlertPreferences.objects.exists()


@pytest.mark.django_db
def test_preferences_are_replaced_and_fields_left_out_take_their_default(consumer, consumer_client):
    # given preferences with quiet hours across midnight in Chicago
    body = {"radius_km": 2.5, "time_zone": "America/Chicago", "quiet_start": "22:00", "quiet_end": "07:00"}
    assert consumer_client.put(PREFS, body, format="json").status_code == 200
    # when they are replaced by a body naming only the cooldown
    answer = consumer_client.put(PREFS, {"cooldown_minutes": 60}, format="json").json()
    # then the rest is back to the defaults
    assert (answer["cooldown_minutes"], answer["radius_km"], answer["quiet_start"]) == (60, 5.0, None)
    stored = AlertPreferences.objects.get(user=consumer)
    assert (stored.cooldown_minutes, stored.time_zone) == (60, "UTC")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"radius_km": 0}, "radius_km"),
        ({"radius_km": 51}, "radius_km"),
        ({"radius_km": "far"}, "radius_km"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"quiet_start": "22:00"}, "quiet_end"),
        ({"quiet_end": "07:00"}, "quiet_start"),
        ({"quiet_start": "07:00", "quiet_end": "07:00"}, "quiet_end"),
        ({"quiet_start": "25:99", "quiet_end": "07:00"}, "quiet_start"),
        ({"cooldown_minutes": -1}, "cooldown_minutes"),
        ({"cooldown_minutes": 60 * 24 * 8}, "cooldown_minutes"),
        ({"stop_today": "perhaps"}, "stop_today"),
    ],
)
def test_bad_preferences_are_refused_field_by_field(consumer_client, body, field):
    response = consumer_client.put(PREFS, body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not AlertPreferences.objects.exists()


@pytest.mark.django_db
def test_location_is_stored_and_bad_coordinates_refused(consumer, consumer_client):
    assert consumer_client.put("/api/v1/me/location/", {"lat": 30.1, "lng": -97.2}, format="json").status_code == 200
    assert consumer_client.put("/api/v1/me/location/", {"lat": 30.5, "lng": -97.5}, format="json").status_code == 200
    assert (LastLocation.objects.get(user=consumer).lat, LastLocation.objects.count()) == (30.5, 1)
    response = consumer_client.put("/api/v1/me/location/", {"lat": 91, "lng": -200}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"lat", "lng"}


@pytest.mark.django_db
def test_saved_places_crud_with_a_limit_of_five(consumer, consumer_client):
    # given five saved places
    for n in range(5):
        response = consumer_client.post(
            "/api/v1/me/saved-places/", {"name": f"Spot {n}", "lat": 30 + n / 10, "lng": -97.7}, format="json"
        )
        assert response.status_code == 201
    # then a sixth is refused by name
    response = consumer_client.post("/api/v1/me/saved-places/", {"name": "Six", "lat": 30, "lng": -97}, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["name"])
    # and one can be changed and removed
    first = consumer_client.get("/api/v1/me/saved-places/").json()[0]
    changed = consumer_client.put(
        f"/api/v1/me/saved-places/{first['id']}/", {"name": "Home", "lat": 31, "lng": -97}, format="json"
    )
    assert (changed.status_code, changed.json()["name"]) == (200, "Home")
    assert consumer_client.delete(f"/api/v1/me/saved-places/{first['id']}/").status_code == 204
    assert SavedPlace.objects.filter(user=consumer).count() == 4


@pytest.mark.django_db
def test_a_saved_place_needs_a_name_and_a_position(consumer_client):
    response = consumer_client.post("/api/v1/me/saved-places/", {"lat": 95}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "lat", "lng"}


def _note(user, place, **fields):
    return Notification.objects.create(
        user=user, place=place, change_id=uuid.uuid4(), kind="opened_nearby", title=f"{place.name} is open", **fields
    )


@pytest.mark.django_db
def test_the_inbox_pages_newest_first_counts_unread_and_marks_read(consumer, consumer_client, place_a):
    # given three alerts of the consumer and one of someone else
    notes = [_note(consumer, place_a) for _ in range(3)]
    _note(factories.UserFactory(), place_a)

    # then the inbox lists the consumer's own, newest first, and counts 3 unread
    page = consumer_client.get("/api/v1/me/notifications/", {"page_size": 2}).json()
    assert [row["id"] for row in page["results"]] == [notes[2].pk, notes[1].pk]
    assert page["count"] == 3
    assert consumer_client.get("/api/v1/me/notifications/unread-count/").json() == {"unread": 3}

    # when one is marked read (twice), then all
    read = consumer_client.post(f"/api/v1/me/notifications/{notes[0].pk}/read/")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert consumer_client.post(f"/api/v1/me/notifications/{notes[0].pk}/read/").status_code == 200
    assert consumer_client.get("/api/v1/me/notifications/unread-count/").json() == {"unread": 2}
    assert consumer_client.post("/api/v1/me/notifications/read-all/").json() == {"marked": 2}
    assert consumer_client.get("/api/v1/me/notifications/unread-count/").json() == {"unread": 0}
    # and the other user's alert is untouched
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_someone_elses_alert_is_a_404(consumer_client, place_a):
    other = _note(factories.UserFactory(), place_a)
    assert consumer_client.post(f"/api/v1/me/notifications/{other.pk}/read/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


WEB_PUSH = {
    "kind": "webpush",
    "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
    "keys": {
        "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
        "auth": "tBHItJI5svbpez7KI4CCXg",
    },
}


@pytest.mark.django_db
def test_devices_register_a_web_push_subscription_or_a_native_token(consumer, consumer_client):
    # when a Web Push subscription and an FCM token are registered
    assert consumer_client.post("/api/v1/me/devices/", WEB_PUSH, format="json").status_code == 201
    fcm = consumer_client.post("/api/v1/me/devices/", {"kind": "fcm", "token": "fcm-token-1"}, format="json")
    assert fcm.status_code == 201
    # then both are stored; the subscription's endpoint is its token and its keys are kept
    web = Device.objects.get(kind="webpush")
    assert (web.user, web.token, web.auth) == (consumer, WEB_PUSH["endpoint"], "tBHItJI5svbpez7KI4CCXg")
    # and registering the same again answers 200, once
    assert consumer_client.post("/api/v1/me/devices/", WEB_PUSH, format="json").status_code == 200
    assert Device.objects.count() == 2
    # and a device is removed by its id
    assert consumer_client.delete(f"/api/v1/me/devices/{fcm.json()['id']}/").status_code == 204
    assert list(Device.objects.values_list("kind", flat=True)) == ["webpush"]


@pytest.mark.django_db
def test_a_token_registered_by_another_account_moves_to_the_new_one(consumer, consumer_client):
    Device.objects.create(user=factories.UserFactory(), kind="apns", token="shared-phone")
    assert (
        consumer_client.post(
            "/api/v1/me/devices/", {"kind": "apns", "token": "shared-phone"}, format="json"
        ).status_code
        == 200
    )
    assert Device.objects.get().user == consumer


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"kind"}),
        ({"kind": "pager"}, {"kind"}),
        ({"kind": "webpush"}, {"endpoint", "keys"}),
        ({**WEB_PUSH, "endpoint": "http://fcm.googleapis.com/fcm/send/x"}, {"endpoint"}),
        ({**WEB_PUSH, "endpoint": "https://169.254.169.254/latest/meta-data"}, {"endpoint"}),
        ({**WEB_PUSH, "endpoint": "https://10.0.0.8/push"}, {"endpoint"}),
        ({**WEB_PUSH, "endpoint": "https://fcm.googleapis.com.attacker.example/x"}, {"endpoint"}),
        ({**WEB_PUSH, "endpoint": "https://evilfcm.googleapis.com.example/x"}, {"endpoint"}),
        ({**WEB_PUSH, "keys": {"p256dh": "k"}}, {"keys.auth"}),
        ({"kind": "fcm"}, {"token"}),
        ({"kind": "apns", "token": ""}, {"token"}),
    ],
)
def test_bad_devices_are_refused_field_by_field(consumer_client, body, fields):
    response = consumer_client.post("/api/v1/me/devices/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == fields
    assert not Device.objects.exists()


@pytest.mark.django_db
def test_someone_elses_device_is_a_404(consumer_client):
    other = Device.objects.create(user=factories.UserFactory(), kind="fcm", token="theirs")
    assert consumer_client.delete(f"/api/v1/me/devices/{other.pk}/").status_code == 404
    assert Device.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_a_zone_the_database_does_not_know_is_refused(consumer_client, monkeypatch):
    # given a zone Python knows and the database (whose AT TIME ZONE the fan-out uses) does not
    monkeypatch.setattr("notifications.services._database_knows_zone", lambda name: name != "America/Chicago")
    response = consumer_client.put(PREFS, {"time_zone": "America/Chicago"}, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["time_zone"])
    assert consumer_client.put(PREFS, {"time_zone": "Europe/Paris"}, format="json").status_code == 200
