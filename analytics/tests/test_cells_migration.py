"""The migration that moved the heat-map cells into the places' daily rows keeps every cell, and its
reverse puts them back in their own table."""

from datetime import date

import pytest

from analytics.models import DailyPlaceStats
from tests.migrations import migrate_to, migrate_to_latest

BEFORE = [("analytics", "0007_interaction_partitioned_by_day")]
AFTER = [("analytics", "0008_cells_in_daily_stats")]


@pytest.mark.django_db(transaction=True)
def test_cells_migration_moves_each_cell_into_its_place_days_row_and_back():
    # given: two place-days with their cells in the old table, one place-day without cells
    old = migrate_to(BEFORE)
    vendor = old.get_model("vendors", "Vendor").objects.create(business_name="Cells Tacos")
    Place = old.get_model("trucks", "Place")
    first = Place.objects.create(vendor=vendor, name="One", time_zone="America/Chicago")
    second = Place.objects.create(vendor=vendor, name="Two", time_zone="America/Chicago")
    Stats, Cell = old.get_model("analytics", "DailyPlaceStats"), old.get_model("analytics", "DailyLocationCell")
    day = date(2026, 11, 2)
    for place in (first, second):
        Stats.objects.create(place=place, date=day, views_by_hour=[0] * 24)
    Stats.objects.create(place=first, date=date(2026, 11, 3), views_by_hour=[0] * 24)
    Cell.objects.create(place=first, date=day, cell_lat=4188, cell_lng=-8763, events=5, users=2)
    Cell.objects.create(place=first, date=day, cell_lat=4187, cell_lng=-8764, events=1, users=1)
    Cell.objects.create(place=second, date=day, cell_lat=3026, cell_lng=-9774, events=3, users=3)
    # when
    migrate_to(AFTER)
    # then: each place-day's cells in its row, ordered by cell; none elsewhere
    cells = {(row.place_id, row.date): row.cells for row in DailyPlaceStats.objects.all()}
    assert cells == {
        (first.pk, day): [[4187, -8764, 1, 1], [4188, -8763, 5, 2]],
        (second.pk, day): [[3026, -9774, 3, 3]],
        (first.pk, date(2026, 11, 3)): [],
    }
    # and back: the reverse fills the cells table again
    reverted = migrate_to(BEFORE)
    rows = reverted.get_model("analytics", "DailyLocationCell").objects.values_list(
        "place_id", "date", "cell_lat", "cell_lng", "events", "users"
    )
    assert sorted(rows) == sorted(
        [
            (first.pk, day, 4188, -8763, 5, 2),
            (first.pk, day, 4187, -8764, 1, 1),
            (second.pk, day, 3026, -9774, 3, 3),
        ]
    )
    migrate_to_latest()
