"""A roll-up whose worker died: marked abandoned past the hard time limit, its day due again, and
late events never skipped because the re-roll they caused died or never ran."""

from datetime import UTC, date, datetime, timedelta

import pytest

from analytics import rollup, tasks
from analytics.models import DailyPlaceStats, LateEventScan, RollupRun, RollupStatus
from tests import factories

# 10:15 UTC on Friday 2026-11-27: Thursday has ended in every US zone.
NIGHTLY = datetime(2026, 11, 27, 10, 15, tzinfo=UTC)
THURSDAY = date(2026, 11, 26)
TUESDAY = date(2026, 11, 24)
HARD_LIMIT = 600


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ANALYTICS_ROLLUP_SOFT_TIME_LIMIT = HARD_LIMIT - 60
    settings.ANALYTICS_ROLLUP_TIME_LIMIT = HARD_LIMIT


@pytest.fixture
def new_york(db):
    return factories.PlaceFactory(time_zone="America/New_York")


def _run(day: date, status: RollupStatus, started_at: datetime) -> RollupRun:
    return RollupRun.objects.create(day=day, status=status, started_at=started_at)


def _week_rolled_up() -> None:
    """Every day of the acceptance window before Thursday rolled up at 10:15 the next morning."""
    for offset in range(1, 8):
        day = THURSDAY - timedelta(days=offset)
        _run(day, RollupStatus.SUCCEEDED, datetime(day.year, day.month, day.day, 10, 15, tzinfo=UTC) + timedelta(1))


# --- the sweep ------------------------------------------------------------------------------------


def test_sweep_marks_only_runs_running_past_the_hard_limit_abandoned_and_says_why(new_york):
    # given: one run 11 minutes old, one 9 minutes old, one that failed long ago
    dead = _run(THURSDAY, RollupStatus.RUNNING, NIGHTLY - timedelta(minutes=11))
    alive = _run(THURSDAY, RollupStatus.RUNNING, NIGHTLY - timedelta(minutes=9))
    failed = _run(TUESDAY, RollupStatus.FAILED, NIGHTLY - timedelta(days=2))
    # when
    abandoned = rollup.rollup_runs_abandon_stale(now=NIGHTLY)
    # then
    assert [run.pk for run in abandoned] == [dead.pk]
    dead.refresh_from_db()
    assert (dead.status, dead.finished_at) == (RollupStatus.ABANDONED, NIGHTLY)
    assert dead.error == (
        "Abandoned: still running 660 s after it started, past the roll-up's hard time limit (600 s): "
        "its worker was lost before recording an outcome."
    )
    assert RollupRun.objects.get(pk=alive.pk).status == RollupStatus.RUNNING
    assert RollupRun.objects.get(pk=failed.pk).status == RollupStatus.FAILED


def test_sweep_claims_a_run_once(new_york):
    # given
    _run(THURSDAY, RollupStatus.RUNNING, NIGHTLY - timedelta(hours=1))
    rollup.rollup_runs_abandon_stale(now=NIGHTLY)
    # when: a second sweep (another beat, a redelivered task of the day)
    again = rollup.rollup_runs_abandon_stale(now=NIGHTLY + timedelta(minutes=1))
    # then: the conditional UPDATE finds nothing still running
    assert again == []
    assert RollupRun.objects.get().finished_at == NIGHTLY


def test_next_rollup_of_a_day_records_its_dead_predecessor_abandoned(new_york, monkeypatch):
    # given: Thursday's run died an hour ago (a redelivered task now rolls the day up)
    dead = _run(THURSDAY, RollupStatus.RUNNING, NIGHTLY - timedelta(hours=1))
    other_day = _run(TUESDAY, RollupStatus.RUNNING, NIGHTLY - timedelta(hours=1))
    monkeypatch.setattr("analytics.rollup.timezone.now", lambda: NIGHTLY)
    # when
    run = rollup.rollup_day(day=THURSDAY)
    # then: its own day's dead run is recorded; another day's waits for the beat
    assert run.status == RollupStatus.SUCCEEDED
    assert RollupRun.objects.get(pk=dead.pk).status == RollupStatus.ABANDONED
    assert RollupRun.objects.get(pk=other_day.pk).status == RollupStatus.RUNNING


# --- which days are due -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "started_ago"),
    [(RollupStatus.ABANDONED, timedelta(hours=20)), (RollupStatus.RUNNING, timedelta(minutes=11))],
    ids=["abandoned", "running-past-the-limit"],
)
def test_days_due_include_a_rolled_up_day_whose_latest_run_died(new_york, status, started_ago):
    # given: Tuesday was rolled up, then a re-roll of Tuesday died
    _week_rolled_up()
    _run(TUESDAY, status, NIGHTLY - started_ago)
    # when
    due = rollup.days_due(now=NIGHTLY)
    # then
    assert due.days == [TUESDAY, THURSDAY]


def test_days_due_leave_out_a_day_being_rolled_up_within_its_limit(new_york):
    # given: tonight's run of Thursday started 2 minutes ago
    _week_rolled_up()
    _run(THURSDAY, RollupStatus.RUNNING, NIGHTLY - timedelta(minutes=2))
    # when
    due = rollup.days_due(now=NIGHTLY)
    # then
    assert due.days == []


def test_days_due_keep_a_late_day_due_until_a_run_after_its_scan_succeeds(new_york):
    # given: last night's scan found late events of Tuesday and queued its re-roll, which never ran
    _week_rolled_up()
    LateEventScan.objects.create(scanned_until=NIGHTLY - timedelta(days=1), late_days=[TUESDAY.isoformat()])
    # when: tonight's check, with no new uploads
    due = rollup.days_due(now=NIGHTLY)
    # then: the watermark has moved past Tuesday's uploads, but the scan still carries the day
    assert due.days == [TUESDAY, THURSDAY]
    assert due.late_days == []

    # given: a run of Tuesday started after that scan succeeded
    _run(TUESDAY, RollupStatus.SUCCEEDED, NIGHTLY - timedelta(hours=23))
    # when
    due = rollup.days_due(now=NIGHTLY)
    # then
    assert due.days == [THURSDAY]


def test_days_due_forget_a_late_day_once_it_left_the_acceptance_window(new_york, settings):
    # given: a scan ten days ago found a day late that was never re-rolled
    settings.ANALYTICS_EVENT_MAX_AGE_DAYS = 7
    _week_rolled_up()
    old_day = THURSDAY - timedelta(days=12)
    _run(old_day, RollupStatus.SUCCEEDED, NIGHTLY - timedelta(days=11))
    LateEventScan.objects.create(scanned_until=NIGHTLY - timedelta(days=10), late_days=[old_day.isoformat()])
    # when
    due = rollup.days_due(now=NIGHTLY)
    # then: the API no longer accepts events of it; the nightly job has stopped looking at it
    assert due.days == [THURSDAY]


def test_scan_record_keeps_the_scans_of_the_acceptance_window(new_york, settings):
    # given
    settings.ANALYTICS_EVENT_MAX_AGE_DAYS = 7
    kept = LateEventScan.objects.create(scanned_until=NIGHTLY - timedelta(days=9), late_days=["2026-11-17"])
    LateEventScan.objects.create(scanned_until=NIGHTLY - timedelta(days=9, minutes=1))
    # when
    rollup.late_event_scan_record(due=rollup.DueDays(days=[], late_days=[TUESDAY], scanned_until=NIGHTLY))
    # then
    assert list(LateEventScan.objects.values_list("pk", "late_days")) == [
        (LateEventScan.objects.latest().pk, ["2026-11-24"]),
        (kept.pk, ["2026-11-17"]),
    ]


# --- the drill, in process: a re-roll after late events dies ---------------------------------


class _Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = _Clock(NIGHTLY)
    monkeypatch.setattr("analytics.rollup.timezone.now", clock)
    monkeypatch.setattr("analytics.tasks.timezone.now", clock)
    return clock


class _ReRollOfThursday:
    """Queues every day as the beat does, except Thursday's re-roll, whose fate the test chooses:
    the worker records the run and is killed inside it, or the broker loses the message."""

    def __init__(self, *, fate: str, clock: _Clock, task):
        self.fate, self.clock, self.task = fate, clock, task

    def delay(self, day: str):
        if day != THURSDAY.isoformat():
            return self.task.delay(day)
        if self.fate == "worker-killed":
            RollupRun.objects.create(day=THURSDAY, status=RollupStatus.RUNNING, started_at=self.clock())
        return self.task.AsyncResult(f"{self.fate}-{day}")


def _thursday() -> tuple[int, list[str]]:
    views = DailyPlaceStats.objects.get(date=THURSDAY).views
    return views, list(RollupRun.objects.filter(day=THURSDAY).order_by("started_at").values_list("status", flat=True))


@pytest.mark.parametrize("fate", ["worker-killed", "message-lost"])
def test_reroll_after_late_events_that_died_is_queued_again_and_counts_every_event(new_york, clock, monkeypatch, fate):
    # given: Thursday rolled up on Friday night with 97 views ...
    _week_rolled_up()
    noon = datetime(2026, 11, 26, 17, tzinfo=UTC)  # 12:00 in New York
    for _ in range(97):
        factories.UserInteractionFactory(place=new_york, occurred_at=noon, received_at=noon)
    assert list(tasks.rollup_due_days()) == ["2026-11-26"]
    # ... then 3 more views of Thursday uploaded on Friday afternoon
    for _ in range(3):
        factories.UserInteractionFactory(place=new_york, occurred_at=noon, received_at=NIGHTLY + timedelta(hours=3))

    # when: Saturday night's tick finds them and queues Thursday's re-roll, which dies
    clock.now = NIGHTLY + timedelta(days=1)
    task = tasks.rollup_day
    monkeypatch.setattr("analytics.tasks.rollup_day", _ReRollOfThursday(fate=fate, clock=clock, task=task))
    assert list(tasks.rollup_due_days()) == ["2026-11-26", "2026-11-27"]
    monkeypatch.setattr("analytics.tasks.rollup_day", task)
    # then: the watermark has moved past the late uploads; the day still reads 97
    assert LateEventScan.objects.latest().scanned_until == clock.now
    assert LateEventScan.objects.latest().late_days == ["2026-11-26"]
    dead = [RollupStatus.RUNNING] if fate == "worker-killed" else []
    assert _thursday() == (97, [RollupStatus.SUCCEEDED, *dead])

    # when: the beat runs again once the dead run is past its hard limit
    clock.now += timedelta(seconds=HARD_LIMIT + 60)
    assert list(tasks.rollup_due_days()) == ["2026-11-26"]
    # then: every event counted once; the dead run recorded as such
    abandoned = [RollupStatus.ABANDONED] if fate == "worker-killed" else []
    assert _thursday() == (100, [RollupStatus.SUCCEEDED, *abandoned, RollupStatus.SUCCEEDED])

    # when: Sunday night
    clock.now = NIGHTLY + timedelta(days=2)
    # then: Thursday is settled, only Saturday is rolled up
    assert list(tasks.rollup_due_days()) == ["2026-11-28"]
