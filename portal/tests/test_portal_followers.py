"""The vendor sees each place's followers, and on the check-in page how many an opening would alert."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import AlertPreferences, LastLocation, Notification
from tests import factories


def _follower(place, *, lat_offset: float | None = None):
    user = factories.UserFactory()
    factories.FavoritePlaceFactory(user=user, place=place)
    if lat_offset is not None:
        LastLocation.objects.create(user=user, lat=place.lat + lat_offset, lng=place.lng)
    return user


@pytest.mark.django_db
def test_dashboard_shows_each_places_follower_count(client, owner_a, vendor_a, place_a):
    # given three followers of place A, none of a second place
    for _ in range(3):
        _follower(place_a)
    factories.PlaceFactory(vendor=vendor_a, name="Second Truck")
    client.force_login(owner_a)
    # when the dashboard is opened
    response = client.get(reverse("portal:dashboard"))
    # then each place shows its followers
    counts = {place.name: place.follower_count for place, _ in response.context["rows"]}
    assert counts == {"Taco Truck A": 3, "Second Truck": 0}
    assert "3 followers" in response.content.decode()


@pytest.mark.django_db
def test_check_in_page_says_how_many_followers_an_opening_would_alert(client, staff_a, place_a):
    # given 4 followers: 2 within 5 km of the place, 1 far away, 1 near but alerted about it an hour ago
    _follower(place_a, lat_offset=0.01)
    _follower(place_a, lat_offset=0.02)
    _follower(place_a, lat_offset=1.0)
    recent = _follower(place_a, lat_offset=0.0)
    Notification.objects.create(
        user=recent,
        place=place_a,
        change_id=uuid.uuid4(),
        kind="opened_nearby",
        created_at=timezone.now() - timedelta(hours=1),
    )
    AlertPreferences.objects.create(user=_follower(place_a, lat_offset=0.0), opens_nearby=False)
    client.force_login(staff_a)

    # when a member opens the check-in page
    response = client.get(reverse("portal:place_check_in", kwargs={"pk": place_a.pk}))

    # then it counts 5 followers, 2 of whom an opening would alert
    assert (response.context["followers"], response.context["followers_alerted"]) == (5, 2)
    assert "would alert 2 of them" in response.content.decode()
