"""The fan-out of a place's change to its followers: filters in SQL, idempotent, in chunks."""

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import fanout
from notifications.models import AlertKind, AlertPreferences, LastLocation, Notification, SavedPlace
from tests import factories
from trucks.changes import ChangeKind

AUSTIN = (30.2672, -97.7431)
KM_PER_DEGREE_LAT = 111.195
NOON_UTC = datetime(2026, 6, 10, 17, 0, tzinfo=UTC)  # 12:00 in Austin (CDT)


def _north_of_austin(km: float) -> tuple[float, float]:
    return AUSTIN[0] + km / KM_PER_DEGREE_LAT, AUSTIN[1]


def _follower(place, *, at_km: float | None = None, saved_at_km: float | None = None, **preferences):
    user = factories.UserFactory()
    factories.FavoritePlaceFactory(user=user, place=place)
    if at_km is not None:
        LastLocation.objects.create(user=user, lat=_north_of_austin(at_km)[0], lng=AUSTIN[1])
    if saved_at_km is not None:
        SavedPlace.objects.create(user=user, name="Work", lat=_north_of_austin(saved_at_km)[0], lng=AUSTIN[1])
    if preferences:
        AlertPreferences.objects.create(user=user, **preferences)
    return user


def _opened(place, *, at=NOON_UTC, change_id=None, **kwargs):
    return fanout.fan_out(
        change_id=change_id or str(uuid.uuid4()),
        kind=str(ChangeKind.OPENED),
        place_id=place.pk,
        lat=place.lat,
        lng=place.lng,
        at=at,
        **kwargs,
    )


def _notified(place) -> set[int]:
    return set(Notification.objects.filter(place=place).values_list("user_id", flat=True))


@pytest.mark.django_db
def test_opened_alerts_followers_within_their_radius_of_them_or_of_a_saved_place(place_a):
    # given followers near and far, by last location and by saved place, and one who turned "near me" off
    near = _follower(place_a, at_km=2)
    far = _follower(place_a, at_km=20)
    saved_near = _follower(place_a, saved_at_km=3)
    saved_far_but_wide = _follower(place_a, saved_at_km=20, radius_km=25)
    near_me_off = _follower(place_a, at_km=1, near_me=False)
    nowhere = _follower(place_a)
    not_following = factories.UserFactory()
    LastLocation.objects.create(user=not_following, lat=AUSTIN[0], lng=AUSTIN[1])

    # when the place opens
    result = _opened(place_a)

    # then exactly the followers within their radius are told, once, with the place's name
    assert _notified(place_a) == {near.pk, saved_near.pk, saved_far_but_wide.pk}
    assert (result.followers, result.notified) == (6, 3)
    note = Notification.objects.get(user=near)
    assert (note.kind, note.title, note.push) == (AlertKind.OPENED_NEARBY, "Taco Truck A is open near you", True)
    assert far.pk not in _notified(place_a) and near_me_off.pk not in _notified(place_a)
    assert nowhere.pk not in _notified(place_a)


@pytest.mark.django_db
def test_opened_alerts_nobody_who_switched_it_off(place_a):
    _follower(place_a, at_km=1, opens_nearby=False)
    assert _opened(place_a).notified == 0


@pytest.mark.django_db
def test_a_stop_today_alerts_followers_wherever_they_are_unless_switched_off(place_a):
    # given a far follower and one who does not want stop alerts
    far = _follower(place_a, at_km=500)
    _follower(place_a, stop_today=False)
    # when today's schedule changes
    result = fanout.fan_out(
        change_id=str(uuid.uuid4()),
        kind=str(ChangeKind.SCHEDULE_CHANGED),
        place_id=place_a.pk,
        lat=None,
        lng=None,
        at=NOON_UTC,
    )
    # then only the first is told
    assert result.notified == 1
    assert Notification.objects.get().user == far
    assert Notification.objects.get().title == "Taco Truck A has a stop today"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("utc", "quiet"),
    [
        (datetime(2026, 1, 15, 4, 30, tzinfo=UTC), True),  # 22:30 in Chicago (CST, UTC-6): after the start
        (datetime(2026, 1, 15, 6, 0, tzinfo=UTC), True),  # 00:00 in Chicago: across midnight
        (datetime(2026, 1, 15, 12, 59, tzinfo=UTC), True),  # 06:59: before the end
        (datetime(2026, 1, 15, 13, 0, tzinfo=UTC), False),  # 07:00: the end is not quiet
        (datetime(2026, 1, 15, 3, 59, tzinfo=UTC), False),  # 21:59 in Chicago, though 03:59 in UTC
    ],
)
def test_quiet_hours_across_midnight_in_the_users_zone_keep_the_alert_unpushed(place_a, utc, quiet):
    # given a follower nearby, quiet from 22:00 to 07:00 in Chicago
    user = _follower(place_a, at_km=1, time_zone="America/Chicago", quiet_start=time(22, 0), quiet_end=time(7, 0))
    # when the place opens at that moment
    _opened(place_a, at=utc)
    # then the alert is in the inbox, pushed only outside the quiet hours
    assert Notification.objects.get(user=user).push is (not quiet)


@pytest.mark.django_db
def test_quiet_hours_within_one_day_in_another_zone(place_a):
    # given a follower in Tokyo, quiet over lunch (12:00 to 13:00, JST = UTC+9)
    user = _follower(place_a, at_km=1, time_zone="Asia/Tokyo", quiet_start=time(12), quiet_end=time(13))
    # when the place opens at 12:30 in Tokyo, then at 13:30 (another change, past the cooldown off)
    AlertPreferences.objects.filter(user=user).update(cooldown_minutes=0)
    _opened(place_a, at=datetime(2026, 1, 15, 3, 30, tzinfo=UTC))
    _opened(place_a, at=datetime(2026, 1, 15, 4, 30, tzinfo=UTC))
    # then the first is kept quiet, the second pushed
    assert list(Notification.objects.order_by("created_at").values_list("push", flat=True)) == [False, True]


@pytest.mark.django_db
def test_the_cooldown_allows_one_alert_per_user_and_place_in_its_window(place_a, place_b):
    # given a follower of two places with the default cooldown (4 hours), and one with 30 minutes
    place_b.lat, place_b.lng = AUSTIN
    place_b.save()
    user = _follower(place_a, at_km=1)
    factories.FavoritePlaceFactory(user=user, place=place_b)
    short = _follower(place_a, at_km=1, cooldown_minutes=30)

    # when place A opens, then again 1 hour later, and 4 hours later; place B opens at the second time
    _opened(place_a, at=NOON_UTC)
    _opened(place_a, at=NOON_UTC + timedelta(hours=1))
    _opened(place_b, at=NOON_UTC + timedelta(hours=1))
    _opened(place_a, at=NOON_UTC + timedelta(hours=4, minutes=1))

    # then the default follower heard A twice (at 0 h and 4 h) and B once; the short cooldown, three times
    times = list(Notification.objects.filter(user=user, place=place_a).values_list("created_at", flat=True))
    assert sorted(times) == [NOON_UTC, NOON_UTC + timedelta(hours=4, minutes=1)]
    assert Notification.objects.filter(user=user, place=place_b).count() == 1
    assert Notification.objects.filter(user=short).count() == 3


@pytest.mark.django_db
def test_a_rerun_of_the_same_change_notifies_and_pushes_nobody_twice(place_a):
    # given followers nearby, one of them with no cooldown at all
    _follower(place_a, at_km=1)
    _follower(place_a, at_km=1, cooldown_minutes=0)
    pushed = []
    change_id = str(uuid.uuid4())

    # when the same change is fanned out twice (a retried task)
    first = _opened(place_a, change_id=change_id, enqueue_push=pushed.append)
    again = _opened(place_a, change_id=change_id, enqueue_push=pushed.append)

    # then there is one row per user, and pushes were queued by the first run only
    assert (first.notified, again.notified) == (2, 0)
    assert Notification.objects.count() == 2
    assert again.to_push == 0


@pytest.mark.django_db
def test_fan_out_goes_in_chunks_with_a_query_count_independent_of_followers(place_a, place_b):
    # given a place with 5 followers and another with 40, all nearby
    place_b.lat, place_b.lng = AUSTIN
    place_b.save()
    for _ in range(5):
        _follower(place_a, at_km=1)
    for _ in range(40):
        _follower(place_b, at_km=1)

    # when each opens, in chunks of 100 followers
    with CaptureQueriesContext(connection) as few:
        small = _opened(place_a, chunk=100)
    with CaptureQueriesContext(connection) as many:
        large = _opened(place_b, chunk=100)

    # then both took the same number of statements, and every follower was told
    assert (small.notified, large.notified) == (5, 40)
    assert len(few.captured_queries) == len(many.captured_queries)
    inserts = [q for q in many.captured_queries if "INSERT INTO" in q["sql"]]
    assert len(inserts) == 1


@pytest.mark.django_db
def test_fan_out_walks_every_chunk_once(place_a):
    # given 25 followers nearby
    users = {_follower(place_a, at_km=1).pk for _ in range(25)}
    batches = []
    # when the place opens, in chunks of 10 followers (pushes queued after each chunk commits)
    with CaptureQueriesContext(connection) as queries:
        result = _opened(place_a, chunk=10, enqueue_push=batches.append)
    # then three chunks (10, 10, 5), one statement each, and everyone told once
    assert (result.chunks, result.followers, result.notified) == (3, 25, 25)
    assert len([q for q in queries.captured_queries if "INSERT INTO" in q["sql"]]) == 3
    assert _notified(place_a) == users
