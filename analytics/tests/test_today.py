"""today_so_far: views and clicks since each place's own local midnight, from the raw events."""

from datetime import UTC, datetime

from analytics.models import InteractionType
from analytics.selectors import today_so_far
from tests import factories

NOW = datetime(2026, 11, 27, 7, 30, tzinfo=UTC)  # 02:30 in New York, 23:30 (26th) in Los Angeles


def test_today_so_far_counts_from_each_places_local_midnight(db, monkeypatch, django_assert_num_queries):
    # given
    monkeypatch.setattr("analytics.selectors.timezone.now", lambda: NOW)
    new_york = factories.PlaceFactory(time_zone="America/New_York")
    los_angeles = factories.PlaceFactory(time_zone="America/Los_Angeles")
    quiet = factories.PlaceFactory(time_zone="America/Chicago")
    before_ny_midnight = datetime(2026, 11, 27, 4, 59, tzinfo=UTC)
    after_ny_midnight = datetime(2026, 11, 27, 5, 1, tzinfo=UTC)
    factories.UserInteractionFactory(place=new_york, occurred_at=before_ny_midnight)
    factories.UserInteractionFactory(place=new_york, occurred_at=after_ny_midnight)
    factories.UserInteractionFactory(place=new_york, occurred_at=after_ny_midnight, type=InteractionType.CLICK)
    # the app's dwell report of a view already counted adds no view
    factories.UserInteractionFactory(place=new_york, occurred_at=after_ny_midnight, dwell_ms=30_000)
    factories.UserInteractionFactory(place=los_angeles, occurred_at=before_ny_midnight)
    # when: one query per zone
    with django_assert_num_queries(3):
        figures = today_so_far(places=[new_york, los_angeles, quiet])
    # then
    assert figures == {
        new_york.pk: {"views": 1, "clicks": 1},
        los_angeles.pk: {"views": 1, "clicks": 0},
        quiet.pk: {"views": 0, "clicks": 0},
    }
