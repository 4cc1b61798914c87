"""Which days the nightly job rolls up, retention, the beat schedule, the tasks and their command twins."""

import re
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from analytics import rollup, tasks
from analytics.models import DailyPlaceStats, LateEventScan, RollupRun, RollupStatus, UserInteraction
from foodtrucks.celery import app
from tests import factories

# 10:15 UTC on Friday 2026-11-27: 00:15 in Honolulu, so Thursday has ended in every US zone.
NIGHTLY = datetime(2026, 11, 27, 10, 15, tzinfo=UTC)
THURSDAY = date(2026, 11, 26)


def _succeeded(day: date, started_at: datetime) -> RollupRun:
    return RollupRun.objects.create(day=day, status=RollupStatus.SUCCEEDED, started_at=started_at)


@pytest.fixture
def us_places(db):
    return [
        factories.PlaceFactory(time_zone=zone)
        for zone in ("America/New_York", "America/Los_Angeles", "Pacific/Honolulu")
    ]


def test_newest_complete_day_waits_for_the_last_zone():
    zones = ["America/New_York", "Pacific/Honolulu"]
    assert rollup.newest_complete_day(now=NIGHTLY, zones=zones) == THURSDAY
    assert rollup.newest_complete_day(now=NIGHTLY - timedelta(minutes=30), zones=zones) == THURSDAY - timedelta(days=1)


def test_days_due_are_yesterday_and_the_missed_days_of_the_acceptance_window(us_places, settings):
    # given: the last week is rolled up except Monday; nothing arrived late
    settings.ANALYTICS_EVENT_MAX_AGE_DAYS = 7
    for offset in range(1, 8):
        day = THURSDAY - timedelta(days=offset)
        if day != date(2026, 11, 23):
            _succeeded(day, datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC))
    # when
    due = rollup.days_due(now=NIGHTLY)
    # then
    assert due.days == [date(2026, 11, 23), THURSDAY]
    assert due.late_days == []


def test_days_due_include_a_day_that_got_a_late_event_after_its_run(us_places, settings):
    # given: every day of the week rolled up at 10:15 the next morning
    settings.ANALYTICS_EVENT_MAX_AGE_DAYS = 7
    for offset in range(1, 8):
        day = THURSDAY - timedelta(days=offset)
        _succeeded(day, datetime(day.year, day.month, day.day, 10, 15, tzinfo=UTC) + timedelta(days=1))
    los_angeles = us_places[1]
    # an event of Tuesday evening (local) uploaded on Thursday, after Tuesday's run
    factories.UserInteractionFactory(
        place=los_angeles,
        occurred_at=datetime(2026, 11, 25, 4, tzinfo=UTC),  # Tuesday 20:00 PST
        received_at=datetime(2026, 11, 26, 18, tzinfo=UTC),
    )
    # an event of Monday received before Monday's run: already counted
    factories.UserInteractionFactory(
        place=los_angeles,
        occurred_at=datetime(2026, 11, 23, 20, tzinfo=UTC),
        received_at=datetime(2026, 11, 23, 21, tzinfo=UTC),
    )
    # when
    due = rollup.days_due(now=NIGHTLY)
    # then
    assert due.days == [date(2026, 11, 24), THURSDAY]
    assert due.late_days == [date(2026, 11, 24)]


def _rolled_up_week() -> None:
    for offset in range(1, 8):
        day = THURSDAY - timedelta(days=offset)
        _succeeded(day, datetime(day.year, day.month, day.day, 10, 15, tzinfo=UTC) + timedelta(days=1))


def test_days_due_read_only_uploads_since_the_previous_scan(us_places):
    # given: Tuesday's late event was found by last night's scan (and Tuesday re-rolled then)
    _rolled_up_week()
    factories.UserInteractionFactory(
        place=us_places[0],
        occurred_at=datetime(2026, 11, 25, 4, tzinfo=UTC),
        received_at=datetime(2026, 11, 25, 12, tzinfo=UTC),
    )
    LateEventScan.objects.create(scanned_until=datetime(2026, 11, 26, 10, 15, tzinfo=UTC))
    # an event of Wednesday uploaded after Wednesday's run and after last night's scan
    factories.UserInteractionFactory(
        place=us_places[0],
        occurred_at=datetime(2026, 11, 26, 3, tzinfo=UTC),
        received_at=datetime(2026, 11, 26, 20, tzinfo=UTC),
    )
    # when
    due = rollup.days_due(now=NIGHTLY)
    # then: Tuesday is not read again; Wednesday (Tuesday 22:00 in New York) is
    assert due.days == [date(2026, 11, 25), THURSDAY]


def test_days_due_include_a_day_whose_latest_run_failed(us_places):
    # given
    _rolled_up_week()
    RollupRun.objects.create(
        day=date(2026, 11, 22), status=RollupStatus.FAILED, started_at=datetime(2026, 11, 26, 11, tzinfo=UTC)
    )
    # when
    due = rollup.days_due(now=NIGHTLY)
    # then
    assert due.days == [date(2026, 11, 22), THURSDAY]


def test_rollup_due_days_task_rolls_up_yesterday(us_places, monkeypatch):
    # given: a view in Honolulu on Thursday 23:00 local (Friday 09:00 UTC)
    honolulu = us_places[2]
    factories.UserInteractionFactory(place=honolulu, occurred_at=datetime(2026, 11, 27, 9, tzinfo=UTC))
    for offset in range(1, 8):
        _succeeded(THURSDAY - timedelta(days=offset), NIGHTLY - timedelta(days=offset))
    monkeypatch.setattr("analytics.tasks.timezone.now", lambda: NIGHTLY)
    # when: tasks run in-process in the test settings
    queued = tasks.rollup_due_days.delay().get()
    # then
    assert list(queued) == ["2026-11-26"]
    assert LateEventScan.objects.get().scanned_until == NIGHTLY
    row = DailyPlaceStats.objects.get()
    assert (row.place_id, row.date, row.views, row.views_by_hour[23]) == (honolulu.pk, THURSDAY, 1, 1)


def test_rollup_day_task_is_retried_on_a_transient_database_error():
    # then: OperationalError and InterfaceError are retried with backoff
    from django.db import InterfaceError, OperationalError

    assert set(tasks.rollup_day.autoretry_for) == {OperationalError, InterfaceError}
    assert tasks.rollup_day.retry_backoff is True


def test_beat_schedule_names_existing_tasks():
    # given
    app.loader.import_default_modules()
    # then
    names = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert names == {
        "analytics.rollup_due_days",
        "analytics.purge_expired_events",
        "analytics.create_event_partitions",
        "trucks.switch_off_stale_open_places",
        "trucks.warm_top_places",
        "trucks.rebuild_upcoming_stops",
        "trucks.sync_all_calendars",
        "trucks.prune_change_log",
        "analytics.send_weekly_summaries",
        "vendors.send_certificate_reminders",
        "consumers.flush_place_views",
    }
    assert names <= set(app.tasks)


def test_retention_removes_only_rolled_up_events_older_than_the_period(db, settings):
    # given: a place in New York; retention 180 days; today is 2026-11-27
    settings.ANALYTICS_RETENTION_DAYS = 180
    place = factories.PlaceFactory(time_zone="America/New_York")
    cutoff = date(2026, 11, 27) - timedelta(days=180)  # 2026-05-31
    old_rolled = factories.UserInteractionFactory(place=place, occurred_at=datetime(2026, 5, 10, 16, tzinfo=UTC))
    old_not_rolled = factories.UserInteractionFactory(place=place, occurred_at=datetime(2026, 5, 20, 16, tzinfo=UTC))
    older_than_gap = factories.UserInteractionFactory(place=place, occurred_at=datetime(2026, 5, 18, 16, tzinfo=UTC))
    recent = factories.UserInteractionFactory(place=place, occurred_at=datetime(2026, 6, 5, 16, tzinfo=UTC))
    day = date(2026, 5, 10)
    while day < cutoff:
        if day != date(2026, 5, 20):
            _succeeded(day, datetime(2026, 11, 1, tzinfo=UTC))
        day += timedelta(days=1)
    # when
    result = rollup.events_purge_expired(now=datetime(2026, 11, 27, 11, 30, tzinfo=UTC), batch_size=1)
    # then: everything before the first day that has no roll-up (May 20) is gone, nothing after
    assert result.rows_deleted == 2
    remaining = set(UserInteraction.objects.values_list("pk", flat=True))
    assert remaining == {old_not_rolled.pk, recent.pk}
    assert old_rolled.pk not in remaining and older_than_gap.pk not in remaining


def test_retention_keeps_everything_inside_the_period(db, settings):
    # given
    settings.ANALYTICS_RETENTION_DAYS = 180
    place = factories.PlaceFactory()
    factories.UserInteractionFactory(place=place, occurred_at=datetime(2026, 6, 1, 16, tzinfo=UTC))
    _succeeded(date(2026, 6, 1), datetime(2026, 6, 2, tzinfo=UTC))
    # when
    result = rollup.events_purge_expired(now=datetime(2026, 11, 27, 11, 30, tzinfo=UTC))
    # then
    assert (result.days_dropped, result.rows_deleted) == ([], 0)
    assert UserInteraction.objects.count() == 1


def test_purge_command_reports_the_deleted_count(db):
    # given
    place = factories.PlaceFactory()
    factories.UserInteractionFactory(place=place, occurred_at=datetime(2020, 1, 1, 16, tzinfo=UTC))
    _succeeded(date(2020, 1, 1), datetime(2020, 1, 2, tzinfo=UTC))
    out = StringIO()
    # when
    call_command("purge_expired_events", stdout=out)
    # then
    assert out.getvalue().strip() == "Dropped 0 day partition(s); deleted 1 raw event(s) of days without a partition."
    assert UserInteraction.objects.count() == 0


def test_rollup_command_backfills_a_range(db):
    # given: views on two local days in Chicago
    place = factories.PlaceFactory(time_zone="America/Chicago")
    factories.UserInteractionFactory(place=place, occurred_at=datetime(2026, 3, 7, 18, tzinfo=UTC))
    factories.UserInteractionFactory(place=place, occurred_at=datetime(2026, 3, 9, 18, tzinfo=UTC))
    out = StringIO()
    # when
    call_command("rollup_analytics", "--from", "2026-03-07", "--to", "2026-03-09", stdout=out, stderr=StringIO())
    # then
    assert list(DailyPlaceStats.objects.order_by("date").values_list("date", "views")) == [
        (date(2026, 3, 7), 1),
        (date(2026, 3, 9), 1),
    ]
    assert list(RollupRun.objects.order_by("day").values_list("day", "status")) == [
        (date(2026, 3, 7), RollupStatus.SUCCEEDED),
        (date(2026, 3, 8), RollupStatus.SUCCEEDED),
        (date(2026, 3, 9), RollupStatus.SUCCEEDED),
    ]
    assert out.getvalue().strip() == "Rolled up 3 day(s): 2 place-day rows, 0 cells."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-03-09", "--to", "2026-03-07"], "--to is before --from."),
        (["--from", "yesterday"], "“yesterday” is not a date (YYYY-MM-DD)."),
    ],
)
def test_rollup_command_refuses_a_bad_range(db, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("rollup_analytics", *args)
