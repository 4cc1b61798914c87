"""GET /healthz/analytics: when the roll-up last ran, for which day, how many rows, how long."""

from datetime import UTC, date, datetime

import pytest
from django.urls import include, path

from analytics.models import RollupRun, RollupStatus
from tests import factories

# The lead includes analytics.health_urls at "healthz/analytics" in foodtrucks/urls.py.
urlpatterns = [path("healthz/analytics", include("analytics.health_urls"))]

URL = "/healthz/analytics"
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)  # Thursday 2026-11-26 has ended everywhere in the US

pytestmark = pytest.mark.urls("analytics.tests.test_health")


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


def test_health_refuses_post(client):
    assert client.post(URL).status_code == 405
