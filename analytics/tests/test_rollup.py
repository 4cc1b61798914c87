"""The roll-up equals a plain Python computation of the same figures, and re-runs change nothing."""

import math
import random
import re
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import partitions, rollup
from analytics.models import (
    DailyPlaceStats,
    InteractionType,
    RollupRun,
    RollupStatus,
    UserInteraction,
)
from tests import factories

ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Pacific/Honolulu"]
DST_DAY = date(2026, 3, 8)  # clocks spring forward in New York, Chicago, Denver, Los Angeles
FALL_BACK_DAY = date(2026, 11, 1)


def _random_events(*, places, users, start: datetime, hours: int, count: int, seed: int) -> list[UserInteraction]:
    rng = random.Random(seed)
    types = [InteractionType.VIEW, InteractionType.CLICK, InteractionType.RATING, InteractionType.NEARBY_DETECTION]
    events = []
    for _ in range(count):
        kind = rng.choice(types)
        dwell = rng.randint(0, 600_000) if kind == InteractionType.VIEW and rng.random() < 0.3 else None
        located = rng.random() < 0.5
        events.append(
            UserInteraction(
                client_id=uuid.UUID(int=rng.getrandbits(128)),
                user=rng.choice([*users, None]),
                place=rng.choice(places),
                type=kind,
                occurred_at=start + timedelta(seconds=rng.randint(0, hours * 3600 - 1)),
                lat=round(rng.uniform(30.0, 30.05), 6) if located else None,
                lng=round(rng.uniform(-97.8, -97.75), 6) if located else None,
                dwell_ms=dwell,
            )
        )
    return UserInteraction.objects.bulk_create(events)


def _expected(events: list[UserInteraction], day: date) -> tuple[dict, dict]:
    """The day's figures computed the obvious way, one event at a time."""
    stats = {}
    cells = defaultdict(lambda: {"events": 0, "users": set()})
    for event in events:
        local = event.occurred_at.astimezone(ZoneInfo(event.place.time_zone))
        if local.date() != day:
            continue
        row = stats.setdefault(
            event.place_id,
            {
                "views": 0,
                "viewers": set(),
                "clicks": 0,
                "ratings": 0,
                "nearby": set(),
                "dwell": [],
                "views_by_hour": [0] * 24,
            },
        )
        counted_view = event.type == InteractionType.VIEW and event.dwell_ms is None
        if counted_view:
            row["views"] += 1
            row["views_by_hour"][local.hour] += 1
            if event.user_id is not None:
                row["viewers"].add(event.user_id)
        if event.type == InteractionType.CLICK:
            row["clicks"] += 1
        if event.type == InteractionType.RATING:
            row["ratings"] += 1
        if event.type == InteractionType.NEARBY_DETECTION and event.user_id is not None:
            row["nearby"].add(event.user_id)
        if event.dwell_ms is not None:
            row["dwell"].append(event.dwell_ms)
        if event.lat is not None:
            cell = cells[(event.place_id, math.floor(event.lat * 100), math.floor(event.lng * 100))]
            cell["events"] += 1
            if event.user_id is not None:
                cell["users"].add(event.user_id)
    expected_stats = {
        place_id: {
            "views": row["views"],
            "unique_viewers": len(row["viewers"]),
            "clicks": row["clicks"],
            "ratings": row["ratings"],
            "nearby_users": len(row["nearby"]),
            "avg_dwell_ms": sum(row["dwell"]) / len(row["dwell"]) if row["dwell"] else None,
            "views_by_hour": row["views_by_hour"],
        }
        for place_id, row in stats.items()
    }
    expected_cells = {key: {"events": cell["events"], "users": len(cell["users"])} for key, cell in cells.items()}
    return expected_stats, expected_cells


def _actual(day: date) -> tuple[dict, dict]:
    stats = {
        row.place_id: {
            "views": row.views,
            "unique_viewers": row.unique_viewers,
            "clicks": row.clicks,
            "ratings": row.ratings,
            "nearby_users": row.nearby_users,
            "avg_dwell_ms": row.avg_dwell_ms,
            "views_by_hour": row.views_by_hour,
        }
        for row in DailyPlaceStats.objects.filter(date=day)
    }
    cells = {}
    for row in DailyPlaceStats.objects.filter(date=day):
        assert row.cells == sorted(row.cells), "a place's cells are ordered by cell"
        for cell_lat, cell_lng, events, users in row.cells:
            cells[(row.place_id, cell_lat, cell_lng)] = {"events": events, "users": users}
    return stats, cells


def _assert_same(actual: dict, expected: dict) -> None:
    assert actual.keys() == expected.keys()
    for place_id, row in expected.items():
        got = dict(actual[place_id])
        want = dict(row)
        got_dwell, want_dwell = got.pop("avg_dwell_ms"), want.pop("avg_dwell_ms")
        assert got == want, place_id
        if want_dwell is None:
            assert got_dwell is None
        else:
            assert got_dwell == pytest.approx(want_dwell, rel=1e-9)


@pytest.fixture
def zoned_places(db):
    return [factories.PlaceFactory(time_zone=zone) for zone in ZONES for _ in range(2)]


@pytest.fixture
def users(db):
    return factories.UserFactory.create_batch(6)


@pytest.mark.parametrize("day", [DST_DAY - timedelta(days=1), DST_DAY, DST_DAY + timedelta(days=1)])
def test_rollup_of_random_events_around_spring_forward_equals_python_computation(zoned_places, users, day):
    # given: seeded random events across five zones over four UTC days around the DST change
    events = _random_events(
        places=zoned_places, users=users, start=datetime(2026, 3, 6, 12, tzinfo=UTC), hours=96, count=900, seed=7
    )
    expected_stats, expected_cells = _expected(events, day)
    # when
    result = rollup.rollup_day_postgresql(day=day, zones=rollup.zones_in_use(), computed_at=timezone.now())
    # then
    actual_stats, actual_cells = _actual(day)
    _assert_same(actual_stats, expected_stats)
    assert actual_cells == expected_cells
    assert result.stats_rows == len(expected_stats)
    assert result.cell_rows == len(expected_cells)


def test_rollup_on_fall_back_day_counts_the_repeated_hour_in_hour_one(zoned_places, users):
    # given: random events around 2026-11-01, when 01:00-02:00 happens twice in the mainland zones
    events = _random_events(
        places=zoned_places, users=users, start=datetime(2026, 10, 31, 12, tzinfo=UTC), hours=60, count=600, seed=11
    )
    expected_stats, expected_cells = _expected(events, FALL_BACK_DAY)
    # when
    rollup.rollup_day_postgresql(day=FALL_BACK_DAY, zones=rollup.zones_in_use(), computed_at=timezone.now())
    # then
    actual_stats, actual_cells = _actual(FALL_BACK_DAY)
    _assert_same(actual_stats, expected_stats)
    assert actual_cells == expected_cells
    new_york = next(place for place in zoned_places if place.time_zone == "America/New_York")
    repeated_hour = [
        e
        for e in events
        if e.place_id == new_york.pk
        and e.type == InteractionType.VIEW
        and e.dwell_ms is None
        and datetime(2026, 11, 1, 5, tzinfo=UTC) <= e.occurred_at < datetime(2026, 11, 1, 7, tzinfo=UTC)
    ]
    assert actual_stats[new_york.pk]["views_by_hour"][1] == len(repeated_hour)


def test_rollup_event_just_before_local_midnight_belongs_to_the_local_day(db):
    # given: 23:30 in Los Angeles on March 8 is 06:30 UTC on March 9
    place = factories.PlaceFactory(time_zone="America/Los_Angeles")
    factories.UserInteractionFactory(place=place, occurred_at=datetime(2026, 3, 9, 6, 30, tzinfo=UTC))
    # when
    rollup.rollup_day(day=DST_DAY)
    rollup.rollup_day(day=DST_DAY + timedelta(days=1))
    # then
    row = DailyPlaceStats.objects.get(place=place)
    assert row.date == DST_DAY
    assert row.views == 1
    assert row.views_by_hour[23] == 1


def test_rollup_twice_in_a_row_gives_the_same_rows(zoned_places, users):
    # given
    _random_events(
        places=zoned_places, users=users, start=datetime(2026, 3, 7, 12, tzinfo=UTC), hours=36, count=300, seed=3
    )
    run = rollup.rollup_day_postgresql
    run(day=DST_DAY, zones=rollup.zones_in_use(), computed_at=timezone.now())
    first = _actual(DST_DAY)
    # when
    run(day=DST_DAY, zones=rollup.zones_in_use(), computed_at=timezone.now())
    # then
    assert _actual(DST_DAY) == first
    assert DailyPlaceStats.objects.filter(date=DST_DAY).count() == len(first[0])


def test_rollup_rerun_after_late_events_counts_each_event_once(db, users):
    # given: a day rolled up, then two late events arrive (one for a place with no row yet)
    run = rollup.rollup_day_postgresql
    place, other = factories.PlaceFactory(time_zone="America/Chicago"), factories.PlaceFactory()
    noon = datetime(2026, 3, 8, 18, tzinfo=UTC)  # 13:00 CDT
    factories.UserInteractionFactory(place=place, user=users[0], occurred_at=noon)
    run(day=DST_DAY, zones=rollup.zones_in_use(), computed_at=timezone.now())
    factories.UserInteractionFactory(place=place, user=users[1], occurred_at=noon, type=InteractionType.CLICK)
    factories.UserInteractionFactory(place=other, user=users[1], occurred_at=noon, lat=30.1, lng=-97.2)
    # when
    run(day=DST_DAY, zones=rollup.zones_in_use(), computed_at=timezone.now())
    # then
    rows = {row.place_id: row for row in DailyPlaceStats.objects.filter(date=DST_DAY)}
    assert (rows[place.pk].views, rows[place.pk].clicks, rows[place.pk].views_by_hour[13]) == (1, 1, 1)
    assert (rows[other.pk].views, rows[other.pk].unique_viewers) == (1, 1)
    assert rows[place.pk].cells == []
    assert rows[other.pk].cells == [[3010, -9720, 1, 1]]


def test_rollup_rerun_removes_rows_of_places_without_events_any_more(db):
    # given: a stats row and a cell from an earlier run, whose events are gone
    run = rollup.rollup_day_postgresql
    place = factories.PlaceFactory()
    event = factories.UserInteractionFactory(
        place=place, occurred_at=datetime(2026, 3, 8, 18, tzinfo=UTC), lat=30.2, lng=-97.7
    )
    run(day=DST_DAY, zones=rollup.zones_in_use(), computed_at=timezone.now())
    event.delete()
    # when
    run(day=DST_DAY, zones=rollup.zones_in_use(), computed_at=timezone.now())
    # then
    assert DailyPlaceStats.objects.filter(date=DST_DAY).count() == 0


def test_rollup_day_records_a_succeeded_run(db):
    # given
    place = factories.PlaceFactory()
    factories.UserInteractionFactory(place=place, occurred_at=datetime(2026, 3, 8, 18, tzinfo=UTC), lat=1, lng=2)
    # when
    run = rollup.rollup_day(day=DST_DAY)
    # then
    run.refresh_from_db()
    assert (run.day, run.status, run.stats_rows, run.cell_rows) == (DST_DAY, RollupStatus.SUCCEEDED, 1, 1)
    assert run.finished_at >= run.started_at
    assert run.duration_ms is not None


def test_rollup_day_records_a_failed_run_and_raises(db, monkeypatch):
    # given: the aggregation fails
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(rollup, "rollup_day_postgresql", broken)
    # when / then
    with pytest.raises(RuntimeError):
        rollup.rollup_day(day=DST_DAY)
    run = RollupRun.objects.get()
    assert (run.status, run.error) == (RollupStatus.FAILED, "RuntimeError: disk full")


def test_rollup_reads_only_the_partitions_its_local_day_touches(db):
    # given: New York's DST day, its UTC neighbours partitioned too
    factories.PlaceFactory(time_zone="America/New_York")
    partitions.event_partitions_ensure(first=DST_DAY - timedelta(days=2), last=DST_DAY + timedelta(days=2))
    zones = rollup.zones_in_use()
    lo, hi = rollup.day_window(DST_DAY, zones)
    sql, params = rollup.rollup_statement(day=DST_DAY, zones=zones, computed_at=timezone.now())
    # when
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # then: 04:00 UTC on March 8 to 05:00 on March 9 reads the two days' partitions, nothing else
    read = set(re.findall(r"analytics_userinteraction_(p\d{8}|default)", plan))
    assert read == {"p20260308", "p20260309"}
    assert (hi - lo) == timedelta(hours=23 + 2)  # New York's 23-hour DST day plus the 1 h margins


@pytest.mark.django_db(transaction=True)
def test_rollup_two_workers_on_the_same_day_at_once_give_the_rows_of_one_run(users):
    # given
    import threading

    place = factories.PlaceFactory(time_zone="America/Chicago")
    for user in users:
        factories.UserInteractionFactory(place=place, user=user, occurred_at=datetime(2026, 3, 8, 18, tzinfo=UTC))
    barrier = threading.Barrier(2)
    statuses = []

    def worker():
        barrier.wait()
        try:
            statuses.append(rollup.rollup_day(day=DST_DAY).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert statuses == [RollupStatus.SUCCEEDED, RollupStatus.SUCCEEDED]
    row = DailyPlaceStats.objects.get()
    assert (row.views, row.unique_viewers, row.views_by_hour[13]) == (6, 6, 6)  # 13:00 CDT


def test_day_segments_split_a_dst_day_at_the_change():
    # when
    segments = rollup.day_segments(DST_DAY, "America/New_York")
    # then: 00:00-02:00 EST (UTC-5), then 03:00-24:00 EDT (UTC-4): a 23-hour day
    assert [(s.starts_at, s.ends_at, s.utc_offset_seconds) for s in segments] == [
        (datetime(2026, 3, 8, 5, tzinfo=UTC), datetime(2026, 3, 8, 7, tzinfo=UTC), -5 * 3600),
        (datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 3, 9, 4, tzinfo=UTC), -4 * 3600),
    ]


def test_day_segments_of_an_ordinary_day_is_one_piece():
    assert [
        (s.starts_at, s.ends_at, s.utc_offset_seconds) for s in rollup.day_segments(DST_DAY, "Pacific/Honolulu")
    ] == [(datetime(2026, 3, 8, 10, tzinfo=UTC), datetime(2026, 3, 9, 10, tzinfo=UTC), -10 * 3600)]


def test_rollup_rerun_after_a_late_event_that_changes_only_the_cells_rewrites_them(db, users):
    # given: a day rolled up; then a late nearby event of a user already counted, in another cell
    run = rollup.rollup_day_postgresql
    place = factories.PlaceFactory(time_zone="America/Chicago")
    noon = datetime(2026, 3, 8, 18, tzinfo=UTC)
    nearby = InteractionType.NEARBY_DETECTION
    factories.UserInteractionFactory(place=place, user=users[0], type=nearby, occurred_at=noon, lat=30.1, lng=-97.2)
    run(day=DST_DAY, zones=rollup.zones_in_use(), computed_at=timezone.now())
    factories.UserInteractionFactory(place=place, user=users[0], type=nearby, occurred_at=noon, lat=30.0, lng=-97.3)
    # when
    run(day=DST_DAY, zones=rollup.zones_in_use(), computed_at=timezone.now())
    # then: the figures are the same, the cells are both there, in cell order
    row = DailyPlaceStats.objects.get(date=DST_DAY)
    assert row.nearby_users == 1
    assert row.cells == [[3000, -9730, 1, 1], [3010, -9720, 1, 1]]


def test_rollup_first_run_inserts_and_a_rerun_upserts(db):
    # given
    place = factories.PlaceFactory()
    factories.UserInteractionFactory(place=place, occurred_at=datetime(2026, 3, 8, 18, tzinfo=UTC), lat=1, lng=2)
    run = rollup.rollup_day_postgresql
    # when
    with CaptureQueriesContext(connection) as first:
        run(day=DST_DAY, zones=rollup.zones_in_use(), computed_at=timezone.now())
    with CaptureQueriesContext(connection) as again:
        result = run(day=DST_DAY, zones=rollup.zones_in_use(), computed_at=timezone.now())
    # then: the day had no rows, so no conflict check; the re-run upserts and changes nothing
    first_sql = " ".join(query["sql"] for query in first.captured_queries)
    again_sql = " ".join(query["sql"] for query in again.captured_queries)
    assert "INSERT INTO" in first_sql
    assert "ON CONFLICT" not in first_sql
    assert "ON CONFLICT" in again_sql
    assert (result.stats_rows, result.stats_removed, result.cell_rows) == (1, 0, 1)
    assert DailyPlaceStats.objects.get().cells == [[100, 200, 1, 1]]
