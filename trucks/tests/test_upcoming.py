"""Search ahead (open_at / open_within) answers exactly what a brute-force expansion of every schedule
answers: overnight slots, both DST days of New York, zones without DST, every exception kind."""

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from trucks.models import ExceptionKind, OpeningHours, Place, ScheduleException
from trucks.nearby import haversine_km
from trucks.schedule import slots_between
from trucks.search import places_search
from trucks.upcoming import STOP_DAYS_AHEAD, open_stop_keys, open_stops, open_window, upcoming_stops_rebuild_all

ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",  # no DST
    "America/Los_Angeles",
    "Pacific/Honolulu",  # no DST, far away
]
CENTRE = (40.7128, -74.0060)
# Weekly slots to draw from: plain, overnight, and the hours a DST change skips or repeats.
SLOT_TIMES = [
    (time(11, 0), time(15, 0)),
    (time(17, 0), time(23, 0)),
    (time(20, 0), time(2, 0)),  # overnight
    (time(22, 30), time(1, 30)),  # overnight into the repeated hour
    (time(1, 0), time(3, 30)),  # across both changes
    (time(1, 30), time(1, 45)),  # inside the repeated hour
    (time(2, 15), time(2, 45)),  # inside the skipped hour
    (time(2, 30), time(3, 10)),  # from the skipped hour: ends before it starts on the spring day
    (time(0, 0), time(23, 59)),
    (time(6, 0), time(5, 0)),  # overnight, 23 hours
]
# (now for the rebuild, the DST day to search around): both New York changes of 2026.
SCENARIOS = [
    (datetime(2026, 3, 1, 15, 0, tzinfo=UTC), date(2026, 3, 8)),
    (datetime(2026, 10, 25, 15, 0, tzinfo=UTC), date(2026, 11, 1)),
]


def _point_near(rng: random.Random) -> tuple[float, float]:
    return CENTRE[0] + rng.uniform(-0.08, 0.08), CENTRE[1] + rng.uniform(-0.1, 0.1)


def seed_schedules(rng: random.Random, *, dst_day: date, places: int = 300) -> None:
    """`places` places in ZONES around CENTRE, with random weekly slots (some with their own location)
    and exceptions of every kind on the days around `dst_day`."""
    vendor = factories.VendorFactory()
    hours, exceptions = [], []
    for n in range(places):
        lat, lng = _point_near(rng)
        place = factories.PlaceFactory(
            vendor=vendor, name=f"P{n:04d}", time_zone=ZONES[n % len(ZONES)], lat=lat, lng=lng, address=f"{n} Main St"
        )
        for weekday in range(7):
            for opens, closes in rng.sample(SLOT_TIMES, rng.choice((0, 1, 1, 2))):
                own = rng.random() < 0.3
                slot_lat, slot_lng = _point_near(rng) if own else (None, None)
                hours.append(
                    factories.OpeningHoursFactory.build(
                        place=place,
                        weekday=weekday,
                        opens=opens,
                        closes=closes,
                        address="Pier 4" if own else "",
                        lat=slot_lat,
                        lng=slot_lng,
                    )
                )
        for day in rng.sample(range(-3, 5), 2):
            kind = rng.choice(list(ExceptionKind))
            fields = {"place": place, "date": dst_day + timedelta(days=day), "kind": kind}
            if kind != ExceptionKind.CLOSED:
                fields["opens"], fields["closes"] = rng.choice(SLOT_TIMES)
            if kind == ExceptionKind.MOVED and rng.random() < 0.8:
                fields["lat"], fields["lng"] = _point_near(rng)
                fields["address"] = "Guest spot"
            exceptions.append(factories.ScheduleExceptionFactory.build(**fields))
    # hours_slot_unique: one slot per (place, weekday, opens)
    unique = {(h.place_id, h.weekday, h.opens): h for h in hours}
    OpeningHours.objects.bulk_create(unique.values())
    ScheduleException.objects.bulk_create(exceptions)


def brute_force_stops(now: datetime) -> list[tuple[int, str, object]]:
    """Every place's slots from its local yesterday on, expanded by trucks.schedule (the place page's code),
    each as (place id, place name, slot with the location it is at)."""
    stops = []
    for place in Place.objects.filter(is_active=True).prefetch_related("opening_hours", "schedule_exceptions"):
        zone = ZoneInfo(place.time_zone)
        today = now.astimezone(zone).date()
        for slot in slots_between(
            zone=zone,
            hours=place.opening_hours.all(),
            exceptions=place.schedule_exceptions.all(),
            first=today - timedelta(days=1),
            last=today + timedelta(days=STOP_DAYS_AHEAD),
        ):
            where = (slot.lat, slot.lng) if slot.lat is not None else (place.lat, place.lng)
            # in UTC: Python compares two times of one zone by the wall clock, wrong across a DST change
            utc = replace(slot, starts_at=slot.starts_at.astimezone(UTC), ends_at=slot.ends_at.astimezone(UTC))
            stops.append((place.pk, place.name, utc, where))
    return stops


def expected_open(stops, moment: datetime, point=None, radius_km=None) -> list[tuple[int, datetime]]:
    """(place id, the chosen stop's start) of places open at `moment`: by name without a point, else
    nearest first (the nearest stop within the radius, then the earliest)."""
    best = {}
    for place_id, name, slot, (lat, lng) in stops:
        if not slot.starts_at <= moment < slot.ends_at:
            continue
        if point is None:
            key = (slot.starts_at,)
        else:
            if lat is None:
                continue
            distance = haversine_km(point[0], point[1], lat, lng)
            if distance > radius_km:
                continue
            key = (distance, slot.starts_at)
        if place_id not in best or key < best[place_id][0]:
            best[place_id] = (key, name, slot)
    if point is None:
        order = sorted(best.items(), key=lambda item: (item[1][1], item[0]))
    else:
        order = sorted(best.items(), key=lambda item: (item[1][0][0], item[0]))
    return [(place_id, value[2].starts_at) for place_id, value in order]


def moments_around(day: date, stops) -> list[datetime]:
    """Every 15 minutes across the DST day in every zone, every slot's edges, and random hours of the window."""
    start = datetime.combine(day, time(0, 0), tzinfo=UTC)
    moments = [start + timedelta(minutes=15 * k) for k in range(0, 4 * 36)]
    edges = sorted({slot.starts_at for _, _, slot, _ in stops} | {slot.ends_at for _, _, slot, _ in stops})
    moments += random.Random(7).sample(edges, 60)
    return moments


def searched(moment: datetime, now: datetime, **point) -> list[tuple[int, datetime]]:
    """(place id, stop start) as the search answers: with a point only, its one written statement."""
    search = places_search(open_at=moment, now=now, **point)
    if point:
        # in UTC: a time of the repeated hour never equals a time of another zone (PEP 495)
        cards = search.page_rows(offset=0, limit=10_000)
        return [(card["id"], datetime.fromisoformat(card["stop"]["starts_at"]).astimezone(UTC)) for card in cards]
    return [(key["place_id"], key["starts_at"]) for key in search]


def searched_through_the_orm(moment: datetime, now: datetime, **point) -> list[tuple[int, datetime]]:
    """The same with a point through the ORM path (the one a filter or another order takes)."""
    window = open_window(open_at=moment, open_within=None, now=now)
    keys = open_stop_keys(open_stops(window=window, **point), ordering=None, with_point=True)
    return [(key["place_id"], key["starts_at"]) for key in keys]


@pytest.mark.parametrize(("now", "dst_day"), SCENARIOS, ids=["spring-forward", "fall-back"])
def test_open_at_when_compared_to_brute_force_is_the_same(db, now, dst_day):
    # given 300 places in six zones with overnight slots, DST-edge slots and every exception kind
    seed_schedules(random.Random(dst_day.toordinal()), dst_day=dst_day)
    upcoming_stops_rebuild_all(now=now)
    stops = brute_force_stops(now)
    moments = [m for m in moments_around(dst_day, stops) if now <= m <= now + timedelta(days=14)]
    non_empty = 0

    for moment in moments:
        # when searching ahead without a point, then the places open then, and at the earliest stop
        expected = expected_open(stops, moment)
        assert searched(moment, now) == expected, moment
        # and with a point and a radius, distance measured to the stop
        for radius in (2.0, 6.0):
            expected_near = expected_open(stops, moment, CENTRE, radius)
            point = {"lat": CENTRE[0], "lng": CENTRE[1], "radius_km": radius}
            assert searched(moment, now, **point) == expected_near, (moment, radius)
            assert searched_through_the_orm(moment, now, **point) == expected_near, (moment, radius)
        non_empty += bool(expected)

    # then the check is not vacuous
    assert len(moments) > 150
    assert non_empty > 100
    assert ScheduleException.objects.values("kind").distinct().count() == 3


def test_open_at_on_the_repeated_hour_of_fall_back_is_the_first_one(db):
    # given a New York slot 01:30-01:45 on 2026-11-01, the hour the clocks repeat
    place = factories.PlaceFactory(time_zone="America/New_York")
    factories.OpeningHoursFactory(place=place, weekday=6, opens=time(1, 30), closes=time(1, 45))
    now = datetime(2026, 10, 30, 12, 0, tzinfo=UTC)
    upcoming_stops_rebuild_all(now=now)

    # when searching at 01:40 EDT and at 01:40 EST
    first = [k["place_id"] for k in places_search(open_at=datetime(2026, 11, 1, 5, 40, tzinfo=UTC), now=now)]
    second = [k["place_id"] for k in places_search(open_at=datetime(2026, 11, 1, 6, 40, tzinfo=UTC), now=now)]

    # then only the first 01:40 (EDT, as the place page's schedule reads it) finds it
    assert first == [place.pk]
    assert second == []


def test_open_at_past_the_horizon_is_refused_with_the_horizon_named(db):
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

    with pytest.raises(ValidationError) as refused:
        places_search(open_at=now + timedelta(days=14, seconds=1), now=now)

    assert refused.value.message_dict == {
        "open_at": ["Search ahead reaches 14 days: give a moment before 2026-06-15T12:00:00+00:00."]
    }


def test_open_within_finds_a_stop_that_starts_inside_the_window(db):
    # given a stand opening at 18:00 Chicago time (23:00 UTC) on a Monday
    place = factories.PlaceFactory(time_zone="America/Chicago")
    factories.OpeningHoursFactory(place=place, weekday=0, opens=time(18, 0), closes=time(21, 0))
    now = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)  # Monday 17:30 in Chicago
    upcoming_stops_rebuild_all(now=now)

    # when asking for the next 29 and 30 minutes
    short = list(places_search(open_within=29, now=now))
    enough = [k["place_id"] for k in places_search(open_within=30, now=now)]

    # then only the window that reaches 18:00 finds it
    assert short == []
    assert enough == [place.pk]
