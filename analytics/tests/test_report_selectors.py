"""The analytics page's reads: age bands, the k-anonymous audience cells, today's figures equal to the
roll-up's for the same events."""

from datetime import UTC, date, datetime, timedelta

import pytest

from analytics.models import DailyPlaceStats, InteractionType
from analytics.report_selectors import _k_anonymous, age_band
from analytics.rollup import rollup_day
from analytics.selectors import today_stats
from tests import factories


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (None, "not given"),
        (date(2009, 6, 16), "under 18"),  # 17 on the day before the 18th birthday
        (date(2008, 6, 15), "18–24"),
        (date(2001, 6, 16), "18–24"),  # 24
        (date(2001, 6, 15), "25–34"),
        (date(1981, 6, 15), "45–54"),
        (date(1961, 6, 15), "65+"),
    ],
)
def test_age_band_counts_whole_years_on_the_day(born, band):
    assert age_band(born, date(2026, 6, 15)) == band


def test_cells_under_ten_people_merge_into_other_which_shows_only_from_ten():
    shown, other = _k_anonymous({"Austin": 30, "Waco": 9, "Dallas": 4, "Houston": 10})
    assert [(cell.label, cell.people) for cell in shown] == [("Austin", 30), ("Houston", 10)]
    assert other == 13
    shown, other = _k_anonymous({"Austin": 30, "Waco": 9})
    assert other is None  # 9 people: not shown, not even as "other"


def test_today_stats_match_the_rollup_of_the_same_events(db):
    # given a day of events in Chicago (a view with dwell, a repeat viewer, nearby, click, rating)
    place = factories.PlaceFactory(time_zone="America/Chicago")
    day = date(2026, 11, 20)
    noon = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # 12:00 in Chicago
    alice, bob = factories.UserFactory(), factories.UserFactory()
    for user, kind, minutes, dwell in [
        (alice, InteractionType.VIEW, 0, None),
        (alice, InteractionType.VIEW, 60, None),
        (bob, InteractionType.VIEW, 120, None),
        (bob, InteractionType.VIEW, 121, 45_000),
        (bob, InteractionType.CLICK, 122, None),
        (alice, InteractionType.NEARBY_DETECTION, 5, None),
        (alice, InteractionType.RATING, 200, None),
    ]:
        factories.UserInteractionFactory(
            place=place, user=user, type=kind, occurred_at=noon + timedelta(minutes=minutes), dwell_ms=dwell
        )

    # when today's figures are read at the end of that local day, and the day is rolled up
    live = today_stats(places=[place], now=datetime(2026, 11, 21, 5, 50, tzinfo=UTC))[place.pk]
    rollup_day(day=day)
    stored = DailyPlaceStats.objects.get(place=place, date=day)

    # then both give the same figures
    names = ["date", "views", "unique_viewers", "clicks", "ratings", "nearby_users", "avg_dwell_ms", "views_by_hour"]
    assert {n: getattr(live, n) for n in names} == {n: getattr(stored, n) for n in names}
    assert (live.views, live.unique_viewers, live.views_by_hour[12], live.views_by_hour[14]) == (3, 2, 1, 1)
