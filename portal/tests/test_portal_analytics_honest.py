"""Analytics figures agree with the raw events: a seeded week plus today, rolled up, read back from
the page, the CSV and the dashboard; the previous period; k-anonymous audience; the empty state."""

import csv
import io
import json
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.models import InteractionType, UserInteraction
from analytics.rollup import rollup_day
from tests import factories

DAYS = 7
V, C, R, N = (InteractionType.VIEW, InteractionType.CLICK, InteractionType.RATING, InteractionType.NEARBY_DETECTION)


def _born(today: date, age: int) -> date:
    return date(today.year - age - 1, 6, 15) if (today.month, today.day) < (6, 15) else date(today.year - age, 6, 15)


def _chart_data(html: str) -> dict:
    return json.loads(html.split('<script id="chart-data" type="application/json">', 1)[1].split("</script>", 1)[0])


@pytest.fixture
def owner_client(client, owner_a):
    client.force_login(owner_a)
    return client


@pytest.fixture
def seeded(vendor_a):
    """Two places (two zones), 26 people, 9 past local days of random events (the previous period's
    last two days included) rolled up, and today's events so far (not rolled up)."""
    rng = random.Random(11)
    chicago = factories.PlaceFactory(vendor=vendor_a, name="Chicago Truck", time_zone="America/Chicago")
    denver = factories.PlaceFactory(vendor=vendor_a, name="Denver Stand", time_zone="America/Denver", kind="stand")
    now = timezone.now()
    today = now.astimezone(chicago.tzinfo).date()
    people = (
        [factories.UserFactory(date_of_birth=_born(today, 30), primary_city="Austin") for _ in range(12)]
        + [factories.UserFactory(date_of_birth=_born(today, 40), primary_city=" austin ") for _ in range(2)]
        + [factories.UserFactory(date_of_birth=_born(today, 41), primary_city="Houston") for _ in range(9)]
        + [factories.UserFactory(date_of_birth=_born(today, 20), primary_city="Dallas") for _ in range(3)]
    )
    events = []
    for place in (chicago, denver):
        local_today = now.astimezone(place.tzinfo).date()
        midnight = datetime.combine(local_today, time.min, tzinfo=place.tzinfo)
        for back in range(9, -1, -1):
            day = local_today - timedelta(days=back)
            for person in rng.sample(people, rng.randint(3, 20)):
                for kind in rng.choices([V, V, V, C, C, R, N], k=rng.randint(1, 5)):
                    if back == 0:  # today: between local midnight and now
                        moment = midnight + (now - midnight) * rng.random()
                    else:
                        moment = datetime.combine(day, time(rng.randint(0, 23), rng.randint(0, 59)), place.tzinfo)
                    dwell = rng.choice([None, None, rng.randint(1000, 90_000)]) if kind == V else None
                    located = kind in (C, N)
                    events.append(
                        UserInteraction(
                            user=person,
                            place=place,
                            type=kind,
                            occurred_at=moment,
                            dwell_ms=dwell,
                            lat=30.26 + rng.random() / 50 if located else None,
                            lng=-97.74 + rng.random() / 50 if located else None,
                        )
                    )
    UserInteraction.objects.bulk_create(events)
    for back in range(10, 0, -1):
        rollup_day(day=today - timedelta(days=back))
    return {"places": [chicago, denver], "events": events, "now": now}


def _local_day(event) -> date:
    return event.occurred_at.astimezone(event.place.tzinfo).date()


def _expected(events, days: list[date]) -> dict[str, dict[date, int]]:
    """The roll-up's definitions, computed in Python over the raw events, per local day."""
    figures = {name: defaultdict(int) for name in ("views", "unique_viewers", "clicks", "ratings", "nearby_users")}
    viewers, nearby = defaultdict(set), defaultdict(set)
    for event in events:
        day = _local_day(event)
        if day not in days:
            continue
        if event.type == V and event.dwell_ms is None:
            figures["views"][day] += 1
            viewers[(event.place_id, day)].add(event.user_id)
        elif event.type == C:
            figures["clicks"][day] += 1
        elif event.type == R:
            figures["ratings"][day] += 1
        elif event.type == N:
            nearby[(event.place_id, day)].add(event.user_id)
    for (_, day), users in viewers.items():
        figures["unique_viewers"][day] += len(users)
    for (_, day), users in nearby.items():
        figures["nearby_users"][day] += len(users)
    return figures


@pytest.mark.django_db
def test_every_figure_on_the_page_and_in_the_csv_equals_the_raw_events(owner_client, seeded):
    events = seeded["events"]
    chicago = seeded["places"][0]
    today = seeded["now"].astimezone(chicago.tzinfo).date()
    days = [today - timedelta(days=back) for back in range(DAYS - 1, -1, -1)]
    previous_days = [today - timedelta(days=back) for back in range(2 * DAYS - 1, DAYS - 1, -1)]
    expected = _expected(events, days)
    expected_previous = _expected(events, previous_days)

    response = owner_client.get(reverse("portal:analytics"), {"days": str(DAYS)})
    html = response.content.decode()
    data = _chart_data(html)

    # the per-day series, today's partial value included (both places share the local date here)
    assert data["labels"] == [day.isoformat() for day in days]
    local_todays = {seeded["now"].astimezone(place.tzinfo).date() for place in seeded["places"]}
    assert data["partial"] == [day in local_todays for day in days]
    for metric in data["metrics"]:
        assert metric["values"] == [expected[metric["key"]][day] for day in days], metric["key"]
    report = response.context["report"]
    for item in report.comparison:
        assert item.current == sum(expected[item.name].values())
        assert item.previous == sum(expected_previous[item.name][day] for day in previous_days)

    # the funnel: distinct people per step in the period; dwell: the mean over the dwell reports
    in_period = [event for event in events if _local_day(event) in days]
    funnel = response.context["funnel"]
    assert funnel.viewed == len({e.user_id for e in in_period if e.type == V and e.dwell_ms is None})
    assert funnel.clicked == len({e.user_id for e in in_period if e.type == C})
    assert funnel.rated == len({e.user_id for e in in_period if e.type == R})
    assert funnel.nearby == len({e.user_id for e in in_period if e.type == N})
    dwells = [e.dwell_ms for e in in_period if e.dwell_ms is not None]
    assert funnel.dwell_reports == len(dwells)
    assert funnel.avg_dwell_seconds == round(sum(dwells) / len(dwells) / 1000, 1)

    # the heat map: the rolled-up days' located events (today is not rolled up)
    located = [e for e in in_period if e.lat is not None and _local_day(e) != today]
    assert sum(cell["events"] for cell in data["heatmap"]["cells"]) == len(located)

    # the dashboard's "Views today" is the series' today value
    dashboard = owner_client.get(reverse("portal:dashboard"))
    assert dashboard.context["totals"]["views"] == data["metrics"][0]["values"][-1] == expected["views"][today]

    # the CSV: the same per-day numbers (summed over places), the partial flag, the comparison
    export = owner_client.get(reverse("portal:analytics_csv"), {"days": str(DAYS)})
    lines = list(csv.reader(io.StringIO(export.content.decode())))
    header = lines[0]
    sums = defaultdict(lambda: defaultdict(int))
    partial = {}
    for line in lines[1:]:
        if not line:
            break
        if line[0] == "total":
            continue
        for name in expected:
            sums[name][date.fromisoformat(line[0])] += int(line[header.index(name)])
        partial[date.fromisoformat(line[0])] = line[header.index("partial")]
    for name in expected:
        assert [sums[name][day] for day in days] == [expected[name][day] for day in days], name
    assert partial[today] == "yes" and partial[days[0]] == "no"
    comparison = lines[lines.index(["figure", "this_period", "previous_period", "change_pct"]) + 1 :][:5]
    for line, item in zip(comparison, report.comparison, strict=True):
        assert line[:3] == [item.name, str(item.current), str(item.previous)]
    summary = lines[lines.index(["average_rating", "current_ratings", "busiest_hour"]) + 1]
    assert summary[2] == f"{report.busiest_hour:02d}:00"
    funnel_lines = lines[lines.index(["funnel_step", "people"]) + 1 :][:4]
    assert [int(line[1]) for line in funnel_lines] == [funnel.nearby, funnel.viewed, funnel.clicked, funnel.rated]


@pytest.mark.django_db
def test_audience_cells_under_ten_people_are_not_shown(owner_client, seeded):
    # 12 people aged 30 in Austin, 2 aged 40 in " austin ", 9 aged 41 in Houston, 3 aged 20 in Dallas
    events = seeded["events"]
    chicago = seeded["places"][0]
    today = seeded["now"].astimezone(chicago.tzinfo).date()
    days = {today - timedelta(days=back) for back in range(30)}
    viewers = {e.user for e in events if e.type == V and e.dwell_ms is None and _local_day(e) in days}

    response = owner_client.get(reverse("portal:analytics"), {"days": "30"})

    audience = response.context["audience"]
    assert audience.viewers == len(viewers)
    ages = {cell.label: cell.people for cell in audience.age_bands}
    cities = {cell.label.lower(): cell.people for cell in audience.cities}
    thirties = sum(1 for user in viewers if user.primary_city == "Austin")
    forties = len(viewers) - thirties - sum(1 for user in viewers if user.primary_city == "Dallas")
    assert ages == ({"25–34": thirties} if thirties >= 10 else {}) | ({"35–44": forties} if forties >= 10 else {})
    assert "18–24" not in ages  # 3 people at most: suppressed, and "other" under 10 is not shown either
    assert audience.age_other is None
    assert cities.get("austin") == sum(1 for user in viewers if user.primary_city.strip().lower() == "austin")
    assert "houston" not in cities and "dallas" not in cities  # 9 and 3 people
    assert audience.city_other == sum(1 for user in viewers if user.primary_city in ("Houston", "Dallas"))
    html = response.content.decode()
    assert "Dallas" not in html and "Houston" not in html
    assert "at least 10 people" in html


@pytest.mark.django_db
def test_a_new_place_shows_an_empty_state_instead_of_charts(owner_client, vendor_a):
    factories.PlaceFactory(vendor=vendor_a, name="Brand New")

    response = owner_client.get(reverse("portal:analytics"))

    html = response.content.decode()
    assert 'id="analytics-empty"' in html
    assert "chart-data" not in html and "chart.umd.min.js" not in html
    assert response.context["funnel"] is None


@pytest.mark.django_db
def test_the_period_is_compared_with_the_previous_one_in_percent(owner_client, vendor_a):
    place = factories.PlaceFactory(vendor=vendor_a)
    today = timezone.now().astimezone(place.tzinfo).date()
    factories.DailyPlaceStatsFactory(place=place, date=today - timedelta(days=8), views=20, clicks=0)
    factories.DailyPlaceStatsFactory(place=place, date=today - timedelta(days=2), views=25, clicks=4)

    response = owner_client.get(reverse("portal:analytics"), {"days": "7"})

    comparison = {item.name: item for item in response.context["report"].comparison}
    assert (comparison["views"].current, comparison["views"].previous, comparison["views"].change_pct) == (25, 20, 25.0)
    assert comparison["clicks"].change_pct is None  # nothing to compare with
    html = response.content.decode()
    assert "+25.0 % vs previous 7 days (20)" in html
    assert "no figures for the previous 7 days" in html


@pytest.mark.django_db
def test_a_vendor_without_places_is_told_to_add_one(owner_client):
    response = owner_client.get(reverse("portal:analytics"))

    assert response.status_code == 200
    assert "No trucks or stands yet" in response.content.decode()
