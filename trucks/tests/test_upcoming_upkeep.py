"""The upcoming stops follow every service that changes a schedule, and the nightly job moves the window."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from foodtrucks.celery import app
from tests import factories
from trucks import services
from trucks.models import ExceptionKind, UpcomingStop
from trucks.tasks import rebuild_upcoming_stops
from trucks.upcoming import STOP_DAYS_AHEAD, upcoming_stops_rebuild, upcoming_stops_rebuild_all

DAYS_KEPT = STOP_DAYS_AHEAD + 2  # local yesterday, today and STOP_DAYS_AHEAD days
EVERY_DAY_LUNCH = [{"weekday": d, "opens": time(11, 0), "closes": time(15, 0)} for d in range(7)]


def stops_of(place) -> list[tuple]:
    return list(
        UpcomingStop.objects.filter(place=place)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at", "address", "lat", "lng", "source")
    )


@pytest.fixture
def lunch_place(db):
    """A Chicago truck with lunch every day, its stops built by the service that set its hours."""
    place = factories.PlaceFactory(time_zone="America/Chicago", lat=30.0, lng=-97.0, address="1 Congress Ave")
    services.opening_hours_replace(place=place, slots=EVERY_DAY_LUNCH)
    return place


def local_tomorrow(place):
    return timezone.now().astimezone(place.tzinfo).date() + timedelta(days=1)


def test_hours_replace_when_the_week_changes_rebuilds_the_stops(lunch_place):
    # given lunch every day: one stop a day at the place's location
    stops = stops_of(lunch_place)
    assert len(stops) == DAYS_KEPT
    assert {(end - start, address, lat, lng, source) for start, end, address, lat, lng, source in stops} == {
        (timedelta(hours=4), "1 Congress Ave", 30.0, -97.0, "hours")
    }

    # when the week is cleared
    services.opening_hours_replace(place=lunch_place, slots=[])

    # then no stop is left
    assert stops_of(lunch_place) == []


def test_exception_closed_when_created_and_deleted_removes_and_restores_that_day(lunch_place):
    before = stops_of(lunch_place)
    day = local_tomorrow(lunch_place)

    exception = services.schedule_exception_create(place=lunch_place, date=day, kind=ExceptionKind.CLOSED)
    closed = stops_of(lunch_place)
    services.schedule_exception_delete(exception=exception)

    assert len(closed) == DAYS_KEPT - 1
    assert [s for s in closed if s[0].astimezone(lunch_place.tzinfo).date() == day] == []
    assert stops_of(lunch_place) == before


def test_exception_moved_when_created_puts_that_day_at_its_own_location(lunch_place):
    day = local_tomorrow(lunch_place)

    services.schedule_exception_create(
        place=lunch_place,
        date=day,
        kind=ExceptionKind.MOVED,
        opens=time(18, 0),
        closes=time(1, 0),
        address="Zilker Park",
        lat=30.2669,
        lng=-97.7729,
    )

    that_day = [s for s in stops_of(lunch_place) if s[0].astimezone(lunch_place.tzinfo).date() == day]
    zone = lunch_place.tzinfo
    assert that_day == [
        (
            datetime.combine(day, time(18, 0), tzinfo=zone),
            datetime.combine(day + timedelta(days=1), time(1, 0), tzinfo=zone),
            "Zilker Park",
            30.2669,
            -97.7729,
            "moved",
        )
    ]


def test_place_update_of_zone_and_location_moves_the_stops(lunch_place):
    services.place_update(place=lunch_place, data={"time_zone": "America/New_York", "lat": 40.7, "lng": -74.0})

    stops = stops_of(lunch_place)
    assert {(s[0].astimezone(lunch_place.tzinfo).time(), s[3], s[4]) for s in stops} == {(time(11, 0), 40.7, -74.0)}


def test_check_in_with_a_new_position_moves_the_stops_without_their_own_location(lunch_place):
    services.place_check_in(place=lunch_place, lat=30.5, lng=-97.5, is_open=True)

    assert {(s[3], s[4]) for s in stops_of(lunch_place)} == {(30.5, -97.5)}


def test_place_delete_and_deactivation_leave_no_stops(lunch_place):
    other = factories.PlaceFactory(time_zone="America/Chicago")
    services.opening_hours_replace(place=other, slots=EVERY_DAY_LUNCH)

    services.place_delete(place=lunch_place)
    other.is_active = False
    other.save(update_fields=["is_active"])
    upcoming_stops_rebuild(place_ids=[other.pk])

    assert UpcomingStop.objects.count() == 0


def test_nightly_job_when_run_twice_leaves_the_same_stops(lunch_place):
    factories.PlaceFactory(time_zone="Pacific/Honolulu")  # no hours: no stops
    rebuild_upcoming_stops.apply()
    first = stops_of(lunch_place)

    made = rebuild_upcoming_stops.apply().get()

    assert made == DAYS_KEPT
    assert stops_of(lunch_place) == first
    assert UpcomingStop.objects.count() == DAYS_KEPT


def test_nightly_job_out_of_time_queues_the_rest_and_the_chain_covers_every_place(db, monkeypatch):
    # given three places in three id ranges, and a job allowed no time past its first range
    places = factories.PlaceFactory.create_batch(3, time_zone="America/Chicago")
    for place in places:
        services.opening_hours_replace(place=place, slots=EVERY_DAY_LUNCH)
    UpcomingStop.objects.all().delete()
    monkeypatch.setattr("trucks.upcoming.REBUILD_BATCH", 1)
    monkeypatch.setattr("trucks.tasks.REBUILD_TASK_SECONDS", 0)
    queued = []
    real_delay = rebuild_upcoming_stops.delay
    monkeypatch.setattr(rebuild_upcoming_stops, "delay", lambda **kw: queued.append(kw) or real_delay(**kw))

    # when the beat runs it (eager: each queued run runs at once)
    rebuild_upcoming_stops.apply(kwargs={"from_id": places[0].pk})

    # then each run did one range and queued the next, with the first run's time, and every place has its stops
    assert [kw["from_id"] for kw in queued] == [places[1].pk, places[2].pk]
    assert len({kw["now"] for kw in queued}) == 1
    assert UpcomingStop.objects.count() == 3 * DAYS_KEPT


def test_nightly_job_a_day_later_moves_the_window_by_a_day(db):
    place = factories.PlaceFactory(time_zone="America/Chicago")
    services.opening_hours_replace(place=place, slots=EVERY_DAY_LUNCH)
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # 07:00 in Chicago
    upcoming_stops_rebuild_all(now=now)
    first = stops_of(place)

    upcoming_stops_rebuild_all(now=now + timedelta(days=1), batch=1)

    last = first[-1]
    assert stops_of(place) == [*first[1:], (last[0] + timedelta(days=1), last[1] + timedelta(days=1), *last[2:])]
    assert first[0][0] == datetime(2026, 6, 9, 16, 0, tzinfo=UTC)  # local yesterday, 11:00 CDT


def test_nightly_job_is_on_the_beat_schedule_and_has_a_command_twin(lunch_place, capsys):
    entries = [entry for entry in app.conf.beat_schedule.values() if entry["task"] == "trucks.rebuild_upcoming_stops"]
    UpcomingStop.objects.all().delete()

    call_command("rebuild_upcoming_stops")

    assert len(entries) == 1
    assert capsys.readouterr().out == f"Made {DAYS_KEPT} upcoming stop(s).\n"
    assert len(stops_of(lunch_place)) == DAYS_KEPT


def test_exception_added_and_hours_deleted_in_the_admin_rebuild_the_stops(lunch_place, client, staff_user):
    # given staff in the admin
    client.force_login(staff_user)
    day = local_tomorrow(lunch_place)

    # when they close the place tomorrow on the exception page
    added = client.post(
        reverse("admin:trucks_scheduleexception_add"),
        {"place": lunch_place.pk, "date": day.isoformat(), "kind": "closed", "note": "Inspection"},
    )
    after_exception = len(stops_of(lunch_place))
    # and delete Monday's slot on the hours page
    monday = lunch_place.opening_hours.get(weekday=0)
    deleted = client.post(reverse("admin:trucks_openinghours_delete", args=[monday.pk]), {"post": "yes"})

    # then each change is in the stops
    assert (added.status_code, deleted.status_code) == (302, 302)
    assert after_exception == DAYS_KEPT - 1
    assert [s for s in stops_of(lunch_place) if s[0].astimezone(lunch_place.tzinfo).weekday() == 0] == []
