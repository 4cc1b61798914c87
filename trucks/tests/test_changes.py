"""The change bus: the services that change a place's live state tell the subscribers after commit,
once per change, and a failing subscriber never fails the write."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import factories
from trucks import changes, services
from trucks.changes import ChangeKind
from trucks.models import ExceptionKind, Place
from trucks.open_switch import places_switch_off_stale


@pytest.fixture
def heard():
    """The changes a subscriber hears, in order."""
    got: list[changes.PlaceChange] = []
    changes.subscribe(got.append)
    yield got
    changes.unsubscribe(got.append)


def test_check_in_is_told_after_commit_only(db, heard, django_capture_on_commit_callbacks):
    place = factories.PlaceFactory(is_open=False, lat=30.0, lng=-97.0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.place_check_in(place=place, lat=30.5, lng=-97.5, is_open=True)
    assert heard == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert [(c.kind, c.place_id, c.is_open, c.lat, c.lng) for c in heard] == [
        (ChangeKind.OPENED, place.pk, True, 30.5, -97.5)
    ]
    assert (heard[0].previous_lat, heard[0].previous_lng) == (30.0, -97.0)


def test_rolled_back_check_in_is_never_told(db, heard, django_capture_on_commit_callbacks):
    place = factories.PlaceFactory(is_open=False)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.place_check_in(place=place, lat=99.0, lng=0.0, is_open=True)  # invalid: rolls back
    assert heard == []


@pytest.mark.parametrize(
    ("was_open", "is_open", "lat", "expected"),
    [
        (False, True, 30.2672, ChangeKind.OPENED),
        (True, False, 30.2672, ChangeKind.CLOSED),
        (True, True, 30.3, ChangeKind.MOVED),
        (True, True, 30.2672, ChangeKind.CHECKED_IN),
    ],
)
def test_check_in_kinds(db, heard, django_capture_on_commit_callbacks, was_open, is_open, lat, expected):
    place = factories.PlaceFactory(is_open=was_open, lat=30.2672, lng=-97.7431)
    with django_capture_on_commit_callbacks(execute=True):
        services.place_check_in(place=place, lat=lat, lng=-97.7431, is_open=is_open)
    assert [c.kind for c in heard] == [expected]


def test_failing_subscriber_does_not_fail_the_check_in_or_the_others(db, heard, django_capture_on_commit_callbacks):
    def broken(change):
        raise ConnectionError("redis is down")

    changes.unsubscribe(heard.append)
    changes.subscribe(broken)
    changes.subscribe(heard.append)
    try:
        place = factories.PlaceFactory(is_open=False)
        with django_capture_on_commit_callbacks(execute=True):
            services.place_check_in(place=place, lat=None, lng=None, is_open=True)
    finally:
        changes.unsubscribe(broken)
    place.refresh_from_db()
    assert place.is_open
    assert [c.kind for c in heard] == [ChangeKind.OPENED]


def test_stale_switch_tells_each_place_it_closed(db, heard, django_capture_on_commit_callbacks, settings):
    settings.OPEN_SWITCH_UNSCHEDULED_HOURS = 12
    long_ago = timezone.now() - timedelta(hours=13)
    stale = factories.PlaceFactory(is_open=True, open_changed_at=long_ago, location_updated_at=long_ago)
    factories.PlaceFactory(is_open=True, open_changed_at=timezone.now(), location_updated_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert places_switch_off_stale() == 1
    assert [(c.kind, c.place_id, c.by_stale_switch) for c in heard] == [(ChangeKind.CLOSED, stale.pk, True)]
    assert heard[0].as_json()["by_stale_switch"] is True


def test_item_sold_out_and_back_tell_every_place_of_its_menu_once(db, heard, django_capture_on_commit_callbacks):
    vendor = factories.VendorFactory()
    places = [factories.PlaceFactory(vendor=vendor) for _ in range(2)]
    menu = factories.MenuFactory(vendor=vendor)
    menu.places.set(places)
    item = factories.MenuItemFactory(menu=menu)
    with django_capture_on_commit_callbacks(execute=True):
        services.item_set_availability(item=item, is_available=False)
        services.item_set_availability(item=item, is_available=False)  # no change: nothing told
        services.item_set_availability(item=item, is_available=True)
    sold_out = [(ChangeKind.ITEM_SOLD_OUT, p.pk, item.pk) for p in places]
    back = [(ChangeKind.ITEM_BACK, p.pk, item.pk) for p in places]
    assert sorted((c.kind, c.place_id, c.item_id) for c in heard) == sorted(sold_out + back)


def test_todays_schedule_is_told_and_another_days_is_not(db, heard, django_capture_on_commit_callbacks):
    place = factories.PlaceFactory()
    today = timezone.now().astimezone(place.tzinfo).date()
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_exception_create(place=place, date=today + timedelta(days=3), kind=ExceptionKind.CLOSED)
        services.schedule_exception_create(place=place, date=today, kind=ExceptionKind.CLOSED)
        services.opening_hours_replace(
            place=place, slots=[{"weekday": (today.weekday() + 1) % 7, "opens": time(11), "closes": time(14)}]
        )
        services.opening_hours_replace(
            place=place, slots=[{"weekday": today.weekday(), "opens": time(11), "closes": time(14)}]
        )
    assert [c.kind for c in heard] == [ChangeKind.SCHEDULE_CHANGED, ChangeKind.SCHEDULE_CHANGED]


def test_deleted_and_deactivated_places_are_told_they_left(db, heard, django_capture_on_commit_callbacks):
    place = factories.PlaceFactory()
    deleted = factories.PlaceFactory()
    deleted_id = deleted.pk
    with django_capture_on_commit_callbacks(execute=True):
        Place.objects.filter(pk=place.pk).update(is_active=False)
        place.refresh_from_db()
        services.place_staff_saved(place=place, before={"is_active": True, "is_open": False, "lat": 1, "lng": 1})
        services.place_delete(place=deleted)
    assert [(c.kind, c.place_id) for c in heard] == [
        (ChangeKind.WENT_INACTIVE, place.pk),
        (ChangeKind.WENT_INACTIVE, deleted_id),
    ]


def test_moving_a_place_in_its_edit_is_told(db, heard, django_capture_on_commit_callbacks):
    place = factories.PlaceFactory(lat=30.0, lng=-97.0)
    with django_capture_on_commit_callbacks(execute=True):
        services.place_update(place=place, data={"name": "Renamed"})
        services.place_update(place=place, data={"lat": 31.0, "lng": -97.0})
    assert [(c.kind, c.lat, c.previous_lat) for c in heard] == [(ChangeKind.MOVED, 31.0, 30.0)]
