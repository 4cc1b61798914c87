"""GET /healthz/analytics: when the roll-up last ran, for which day, how many rows, how long."""

from datetime import UTC, date, datetime, timedelta

import pytest

from analytics.models import RollupRun, RollupStatus
from tests import factories

URL = "/healthz/analytics"
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)  # Thursday 2026-11-26 has ended everywhere in the US


@pytest.fixture(autouse=True)
def _now(monkeypatch, db):
    monkeypatch.setattr("analytics.health.timezone.now", lambda: NOW)
    factories.PlaceFactory(time_zone="Pacific/Honolulu")


def test_health_without_any_run_is_stale(client):
    # when
    response = client.get(URL)
    # then
    assert response.status_code == 503
    assert response.json() == {
        "status": "stale",
        "newest_complete_day": "2026-11-26",
        "newest_rolled_up_day": None,
        "stuck_days": [],
        "last_succeeded_run": None,
        "last_run": None,
    }


def test_health_after_last_nights_run_is_ok_with_its_figures(client):
    # given
    RollupRun.objects.create(
        day=date(2026, 11, 26),
        status=RollupStatus.SUCCEEDED,
        started_at=datetime(2026, 11, 27, 10, 15, tzinfo=UTC),
        finished_at=datetime(2026, 11, 27, 10, 15, 2, tzinfo=UTC),
        stats_rows=41_250,
        cell_rows=90_112,
        duration_ms=1_830,
    )
    # when
    response = client.get(URL)
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["newest_rolled_up_day"]) == ("ok", "2026-11-26")
    assert body["last_succeeded_run"] == {
        "day": "2026-11-26",
        "status": "succeeded",
        "started_at": "2026-11-27T10:15:00+00:00",
        "finished_at": "2026-11-27T10:15:02+00:00",
        "stats_rows": 41_250,
        "cell_rows": 90_112,
        "duration_ms": 1_830,
        "error": None,
    }
    assert body["last_run"] == body["last_succeeded_run"]


def test_health_when_the_latest_run_failed_shows_the_error(client):
    # given: yesterday's day is rolled up; tonight's run failed
    RollupRun.objects.create(
        day=date(2026, 11, 25), status=RollupStatus.SUCCEEDED, started_at=datetime(2026, 11, 26, 10, 15, tzinfo=UTC)
    )
    RollupRun.objects.create(
        day=date(2026, 11, 26),
        status=RollupStatus.FAILED,
        started_at=datetime(2026, 11, 27, 10, 15, tzinfo=UTC),
        error="OperationalError: server closed the connection",
    )
    # when
    response = client.get(URL)
    # then: one day behind is still within tonight's grace, the failure is visible
    assert response.status_code == 200
    body = response.json()
    assert body["last_run"]["error"] == "OperationalError: server closed the connection"
    assert body["last_succeeded_run"]["day"] == "2026-11-25"


def test_health_two_days_behind_is_stale(client):
    # given
    RollupRun.objects.create(
        day=date(2026, 11, 24), status=RollupStatus.SUCCEEDED, started_at=datetime(2026, 11, 25, 10, 15, tzinfo=UTC)
    )
    # when
    response = client.get(URL)
    # then
    assert response.status_code == 503
    assert response.json()["status"] == "stale"


def _rolled_up_until_wednesday() -> None:
    RollupRun.objects.create(
        day=date(2026, 11, 25), status=RollupStatus.SUCCEEDED, started_at=datetime(2026, 11, 26, 10, 15, tzinfo=UTC)
    )


def test_health_while_a_run_is_within_its_hard_time_limit_is_ok(client, settings):
    # given: tonight's run started 10 minutes ago, its hard limit is 15 minutes
    settings.ANALYTICS_ROLLUP_TIME_LIMIT = 15 * 60
    _rolled_up_until_wednesday()
    RollupRun.objects.create(
        day=date(2026, 11, 26), status=RollupStatus.RUNNING, started_at=NOW - timedelta(minutes=10)
    )
    # when
    response = client.get(URL)
    # then
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["stuck_days"]) == ("ok", [])


def test_health_while_a_run_is_stuck_past_its_hard_time_limit_is_degraded_with_the_day(client, settings):
    # given: tonight's run started 16 minutes ago and is still "running": its worker is gone
    settings.ANALYTICS_ROLLUP_TIME_LIMIT = 15 * 60
    _rolled_up_until_wednesday()
    RollupRun.objects.create(
        day=date(2026, 11, 26), status=RollupStatus.RUNNING, started_at=NOW - timedelta(minutes=16)
    )
    # when
    response = client.get(URL)
    # then: one day behind is within the grace, but the stuck day makes it degraded
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["stuck_days"], body["last_run"]["status"]) == ("degraded", ["2026-11-26"], "running")


def test_health_with_an_abandoned_run_not_yet_redone_is_degraded(client):
    # given: a re-roll of Tuesday was abandoned; Tuesday's earlier run had succeeded
    _rolled_up_until_wednesday()
    RollupRun.objects.create(
        day=date(2026, 11, 24), status=RollupStatus.SUCCEEDED, started_at=datetime(2026, 11, 25, 10, 15, tzinfo=UTC)
    )
    RollupRun.objects.create(
        day=date(2026, 11, 24), status=RollupStatus.ABANDONED, started_at=datetime(2026, 11, 26, 10, 16, tzinfo=UTC)
    )
    # when
    response = client.get(URL)
    # then
    assert response.status_code == 503
    assert (response.json()["status"], response.json()["stuck_days"]) == ("degraded", ["2026-11-24"])


def test_health_once_the_abandoned_day_is_rolled_up_again_is_ok(client):
    # given: the abandoned re-roll of Tuesday was followed by a successful one
    _rolled_up_until_wednesday()
    RollupRun.objects.create(
        day=date(2026, 11, 24), status=RollupStatus.ABANDONED, started_at=datetime(2026, 11, 26, 10, 16, tzinfo=UTC)
    )
    RollupRun.objects.create(
        day=date(2026, 11, 24), status=RollupStatus.SUCCEEDED, started_at=datetime(2026, 11, 26, 10, 40, tzinfo=UTC)
    )
    # when
    response = client.get(URL)
    # then
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["stuck_days"]) == ("ok", [])


def test_health_refuses_post(client):
    assert client.post(URL).status_code == 405
