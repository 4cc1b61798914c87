"""The change bus reaches the followers' alerts: an opening through the check-in service fills inboxes."""

import pytest

from notifications.models import LastLocation, Notification
from notifications.subscriber import place_change_to_alerts
from tests import factories
from trucks import changes
from trucks.services import item_set_availability, place_check_in


@pytest.mark.django_db
def test_the_alerts_subscriber_is_registered_from_the_app_config():
    assert place_change_to_alerts in changes.subscribers()


@pytest.mark.django_db
def test_a_vendor_opening_alerts_a_follower_nearby_once(place_a, django_capture_on_commit_callbacks):
    # given a follower near the closed place
    user = factories.UserFactory()
    factories.FavoritePlaceFactory(user=user, place=place_a)
    LastLocation.objects.create(user=user, lat=place_a.lat + 0.01, lng=place_a.lng)

    # when the vendor checks in open, then checks in again (still open: no new opening)
    with django_capture_on_commit_callbacks(execute=True):
        place_check_in(place=place_a, lat=place_a.lat, lng=place_a.lng, is_open=True)
    with django_capture_on_commit_callbacks(execute=True):
        place_check_in(place=place_a, lat=place_a.lat, lng=place_a.lng, is_open=True)

    # then the follower has exactly one alert, about that place
    note = Notification.objects.get(user=user)
    assert (note.place_id, note.kind, note.read_at) == (place_a.pk, "opened_nearby", None)


@pytest.mark.django_db
def test_other_changes_alert_nobody(place_a, django_capture_on_commit_callbacks):
    # given a follower nearby and an item on the place's menu
    user = factories.UserFactory()
    factories.FavoritePlaceFactory(user=user, place=place_a)
    LastLocation.objects.create(user=user, lat=place_a.lat, lng=place_a.lng)
    menu = factories.MenuFactory(vendor=place_a.vendor)
    menu.places.set([place_a])
    item = factories.MenuItemFactory(menu=menu)

    # when an item sells out and the place closes
    with django_capture_on_commit_callbacks(execute=True):
        item_set_availability(item=item, is_available=False)
        place_check_in(place=place_a, lat=place_a.lat, lng=place_a.lng, is_open=False)

    # then nobody is alerted
    assert not Notification.objects.exists()
