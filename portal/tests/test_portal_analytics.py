"""Portal analytics: the report's numbers, the chart data on the page, the CSV, and scoping."""

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.charts import build_report, report_csv_rows
from analytics.models import InteractionType
from tests import factories


@pytest.fixture
def owner_client(client, owner_a):
    client.force_login(owner_a)
    return client


def test_build_report_sums_days_places_and_hours():
    # given two places and three daily rows (one outside the range)
    start, end = date(2030, 3, 1), date(2030, 3, 3)
    a = factories.PlaceFactory.build(pk=1, name="A")
    b = factories.PlaceFactory.build(pk=2, name="B")
    hours = [0] * 24
    hours[12] = 5
    rows = [
        factories.DailyPlaceStatsFactory.build(
            place=a, date=date(2030, 3, 1), views=5, unique_viewers=4, views_by_hour=hours
        ),
        factories.DailyPlaceStatsFactory.build(place=b, date=date(2030, 3, 1), views=2, unique_viewers=2, clicks=1),
        factories.DailyPlaceStatsFactory.build(place=a, date=date(2030, 3, 3), views=7, clicks=2),
        factories.DailyPlaceStatsFactory.build(place=a, date=date(2030, 2, 28), views=100),
    ]

    # when the report is built
    report = build_report(places=[a, b], rows=rows, rating_distribution={"5.0": 2}, start=start, end=end)

    # then days without rows are zeros, places are compared, peak hours are summed
    assert report.series["views"] == [7, 0, 7]
    assert report.series["clicks"] == [4, 0, 2]
    assert [(entry.place.name, entry.totals["views"]) for entry in report.places] == [("A", 12), ("B", 2)]
    assert report.peak_hours[12] == 5 + 6 + 6  # the factory's default hours have 6 at noon
    assert report.busiest_hour == 12
    assert report.chart_data()["labels"] == ["2030-03-01", "2030-03-02", "2030-03-03"]
    lines = list(report_csv_rows(report))
    assert lines[0] == [
        "date",
        "place_id",
        "place",
        "views",
        "unique_viewers",
        "clicks",
        "ratings",
        "nearby_users",
        "avg_dwell_seconds",
        "partial",
    ]
    assert lines[1][:4] == ["2030-03-01", 1, "A", 5]
    assert [line[:4] for line in lines if line and line[0] == "total"][-1] == ["total", 2, "B", 2]


@pytest.mark.django_db
def test_analytics_page_passes_chart_data_for_the_chosen_range_and_place(owner_client, vendor_a, place_a):
    # given yesterday's rolled-up figures of place A, today's raw events so far, and a rating
    other = factories.PlaceFactory(vendor=vendor_a, name="Other")
    today = timezone.now().astimezone(place_a.tzinfo).date()
    factories.DailyPlaceStatsFactory(place=place_a, date=today - timedelta(days=1), views=10, clicks=3)
    factories.DailyPlaceStatsFactory(place=place_a, date=today, views=99)  # a stale row: today is from events
    factories.UserInteractionFactory.create_batch(4, place=place_a)
    factories.UserInteractionFactory(place=place_a, type=InteractionType.CLICK)
    factories.DailyPlaceStatsFactory(place=other, date=today, views=50)
    factories.RatingFactory(place=place_a, stars=Decimal("4.5"))

    # when the owner asks for 7 days of place A
    response = owner_client.get(reverse("portal:analytics"), {"days": "7", "place": str(place_a.pk)})

    # then the chart data covers 7 days ending today, for place A only
    assert response.status_code == 200
    html = response.content.decode()
    payload = html.split('<script id="chart-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    data = json.loads(payload)
    assert len(data["labels"]) == 7
    assert data["labels"][-1] == today.isoformat()
    views = next(metric for metric in data["metrics"] if metric["key"] == "views")
    # no data before yesterday (not zeros), today so far from the raw events, marked partial
    assert views["values"] == [None, None, None, None, None, 10, 4]
    assert data["partial"] == [False] * 6 + [True]
    assert "No data before" in html
    assert data["ratings"]["values"][data["ratings"]["labels"].index("4.5")] == 1
    assert data["places"]["labels"] == ["Taco Truck A"]
    assert "<script>" not in html  # no inline scripts: CSP-ready
    assert "vendor/chartjs/chart.umd.min.js" in html


@pytest.mark.django_db
def test_analytics_of_another_vendors_place_is_404(owner_client, place_b):
    response = owner_client.get(reverse("portal:analytics"), {"place": str(place_b.pk)})
    csv_response = owner_client.get(reverse("portal:analytics_csv"), {"place": str(place_b.pk)})

    assert (response.status_code, csv_response.status_code) == (404, 404)


@pytest.mark.django_db
def test_analytics_unknown_range_falls_back_to_30_days(owner_client, place_a):
    response = owner_client.get(reverse("portal:analytics"), {"days": "365"})

    assert response.context["days"] == 30
    assert len(response.context["chart_data"]["labels"]) == 30


@pytest.mark.django_db
def test_analytics_csv_has_one_line_per_place_and_day_and_totals(owner_client, vendor_a, place_a, place_b):
    today = timezone.now().astimezone(place_a.tzinfo).date()
    yesterday = today - timedelta(days=1)
    factories.DailyPlaceStatsFactory(
        place=place_a, date=yesterday, views=4, unique_viewers=3, clicks=1, avg_dwell_ms=2500
    )
    factories.UserInteractionFactory(place=place_a)  # today so far: one view
    factories.DailyPlaceStatsFactory(place=place_b, date=yesterday, views=99)  # vendor B: never in A's export

    response = owner_client.get(reverse("portal:analytics_csv"), {"days": "7"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="analytics-all-places-')
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    # the days from the first one with data (yesterday), then one total per place
    assert lines[1] == [yesterday.isoformat(), str(place_a.pk), "Taco Truck A", "4", "3", "1", "1", "5", "2.5", "no"]
    assert lines[2] == [today.isoformat(), str(place_a.pk), "Taco Truck A", "1", "1", "0", "0", "0", "", "yes"]
    assert lines[3] == ["total", str(place_a.pk), "Taco Truck A", "5", "4", "1", "1", "5", "", "yes"]
    assert lines[4] == []
    assert lines[5] == ["figure", "this_period", "previous_period", "change_pct"]
    assert lines[6] == ["views", "5", "0", ""]
    assert "99" not in response.content.decode()


@pytest.mark.django_db
def test_analytics_page_queries_are_pinned(owner_client, vendor_a, place_a, django_assert_num_queries):
    today = timezone.now().astimezone(place_a.tzinfo).date()
    for offset in range(5):
        factories.DailyPlaceStatsFactory(place=place_a, date=today - timedelta(days=offset))
    factories.PlaceFactory(vendor=vendor_a)

    # session, user, memberships, places (the membership check is in the same query), star distribution,
    # daily rows (this period and the previous one), today so far (one per time zone), the first day,
    # the funnel and dwell, the audience, the heat map's cells
    with django_assert_num_queries(11):
        owner_client.get(reverse("portal:analytics"), {"days": "30"})
