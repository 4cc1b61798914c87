"""The portal's analytics report: daily statistics shaped for charts, tables and CSV.

Pure shaping over rows already read by analytics.selectors (the nightly roll-up's days, today's
partial day from the raw events) and analytics.report_selectors (first day, funnel, audience, heat
map); the page passes `chart_data` through `json_script` and static/portal/analytics.js draws it
with Chart.js. The CSV (`report_csv_rows`) writes the same numbers as the page.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from analytics.models import DailyPlaceStats
from trucks.models import Place

RANGES = (7, 30, 90)
METRICS = (
    ("views", "Views"),
    ("unique_viewers", "Unique viewers"),
    ("clicks", "Clicks"),
    ("ratings", "Ratings"),
    ("nearby_users", "Nearby users"),
)
METRIC_NAMES = tuple(name for name, _ in METRICS)
LABELS = dict(METRICS)

# One line per figure: what is counted (docs/analytics.md, "What the portal's figures mean").
DEFINITIONS = {
    "views": "Times a signed-in app user opened the place's page.",
    "unique_viewers": "People who opened the page, each counted once per day (a person who looks on "
    "three days counts three times in the period).",
    "clicks": "Taps on the place's actions (directions, call, menu …) the app reports; one view can "
    "lead to several taps, so clicks can exceed views.",
    "ratings": "Ratings submitted, changes of an earlier rating included.",
    "nearby_users": "People the app detected near the place, each counted once per day.",
    "busiest_hour": "The local hour of day with the most views in the period.",
    "average_rating": "Average of the current ratings (one per person, hidden reviews left out); it "
    "counts people, the Ratings figure counts submissions, so the two numbers differ.",
    "dwell": "How long people stayed on the place's page, averaged over the visits the app reported a time for.",
}


@dataclass
class PlaceTotals:
    place: Place
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRIC_NAMES, 0))


@dataclass(frozen=True)
class Comparison:
    name: str
    label: str
    current: int
    previous: int

    @property
    def definition(self) -> str:
        return DEFINITIONS.get(self.name, "")

    @property
    def change_pct(self) -> float | None:
        """The change against the previous period in %, or None when it had nothing to compare."""
        if not self.previous:
            return None
        return round((self.current - self.previous) * 100 / self.previous, 1)


@dataclass
class AnalyticsReport:
    start: date
    end: date
    days: list[date]
    # None on the days before `first_day` (no data then, not zeros)
    series: dict[str, list[int | None]]
    peak_hours: list[int]
    rating_distribution: dict[str, int]
    places: list[PlaceTotals]
    rows: list[DailyPlaceStats]
    partial_days: list[date] = field(default_factory=list)
    first_day: date | None = None
    previous_start: date | None = None
    previous_end: date | None = None
    previous_totals: dict[str, int] = field(default_factory=dict)
    # no event at all was ever recorded for the places (a new place): the page shows an empty state
    empty: bool = False

    @property
    def has_data(self) -> bool:
        return not self.empty

    @property
    def no_data_before(self) -> date | None:
        """The first day with data when the period starts before it (else None)."""
        if self.first_day is not None and self.first_day > self.start:
            return self.first_day
        return None

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(value or 0 for value in values) for name, values in self.series.items()}

    @property
    def today_totals(self) -> dict[str, int]:
        """The partial days' figures: what the dashboard shows as "today"."""
        return {
            name: sum(getattr(row, name) for row in self.rows if row.date in self.partial_days) for name in METRIC_NAMES
        }

    @property
    def current_ratings(self) -> tuple[float | None, int]:
        """The average of the places' current ratings (weighted by their counts) and how many there are."""
        count = sum(entry.place.rating_count for entry in self.places)
        if not count:
            return None, 0
        total = sum(float(entry.place.rating_avg) * entry.place.rating_count for entry in self.places)
        return round(total / count, 2), count

    @property
    def comparison(self) -> list[Comparison]:
        totals = self.totals
        return [Comparison(name, label, totals[name], self.previous_totals.get(name, 0)) for name, label in METRICS]

    @property
    def busiest_hour(self) -> int | None:
        if not any(self.peak_hours):
            return None
        return max(range(24), key=lambda hour: self.peak_hours[hour])

    def chart_data(self) -> dict:
        """JSON-ready data for the page's charts."""
        return {
            "labels": [day.isoformat() for day in self.days],
            "partial": [day in self.partial_days for day in self.days],
            "metrics": [{"key": name, "label": label, "values": self.series[name]} for name, label in METRICS],
            "peakHours": {"labels": [f"{hour:02d}:00" for hour in range(24)], "values": self.peak_hours},
            "ratings": {
                "labels": list(self.rating_distribution),
                "values": list(self.rating_distribution.values()),
            },
            "places": {
                "labels": [entry.place.name for entry in self.places],
                "views": [entry.totals["views"] for entry in self.places],
                "clicks": [entry.totals["clicks"] for entry in self.places],
            },
        }


def date_range(*, days: int, today: date) -> tuple[date, date]:
    """The last `days` local days up to and including today."""
    return today - timedelta(days=days - 1), today


def previous_range(*, start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before start..end."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def data_start(
    *, first_rolled_up: date | None, today_rows: Iterable[DailyPlaceStats], places: list[Place]
) -> tuple[date | None, bool]:
    """The first day the places have figures for (their first rolled-up day, today's when only today
    has events, or the day the first of them was created if earlier), and whether any event exists."""
    active_today = [row.date for row in today_rows if _has_events(row)]
    empty = first_rolled_up is None and not active_today
    created = [place.created_at.astimezone(place.tzinfo).date() for place in places if place.created_at]
    candidates = [day for day in (first_rolled_up, *active_today, *created) if day is not None]
    return (min(candidates) if candidates else None), empty


def _has_events(row: DailyPlaceStats) -> bool:
    return any(getattr(row, name) for name in METRIC_NAMES) or row.avg_dwell_ms is not None


def build_report(
    *,
    places: list[Place],
    rows: Iterable[DailyPlaceStats],
    rating_distribution: dict[str, int],
    start: date,
    end: date,
    today_rows: Iterable[DailyPlaceStats] = (),
    first_day: date | None = None,
    previous_rows: Iterable[DailyPlaceStats] = (),
    empty: bool = False,
) -> AnalyticsReport:
    """Sum the days' rows per day and per place. `today_rows` (each place's partial local today, from
    the raw events) replace any stored row of that place and day; days before `first_day` stay None."""
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    index = {day: position for position, day in enumerate(days)}
    today_rows = [row for row in today_rows if row.date in index]
    partial = {(row.place_id, row.date) for row in today_rows}
    rows = [row for row in rows if (row.place_id, row.date) not in partial and row.date in index] + today_rows
    series: dict[str, list[int | None]] = {
        name: [None if first_day is not None and day < first_day else 0 for day in days] for name in METRIC_NAMES
    }
    peak_hours = [0] * 24
    per_place = {place.pk: PlaceTotals(place=place) for place in places}
    kept = []
    for row in rows:
        position = index[row.date]
        if row.place_id not in per_place:
            continue
        kept.append(row)
        for name in METRIC_NAMES:
            value = getattr(row, name)
            series[name][position] = (series[name][position] or 0) + value
            per_place[row.place_id].totals[name] += value
        for hour, count in enumerate((row.views_by_hour or [])[:24]):
            peak_hours[hour] += int(count or 0)
    previous = [row for row in previous_rows if row.place_id in per_place]
    previous_days = previous_range(start=start, end=end)
    return AnalyticsReport(
        start=start,
        end=end,
        days=days,
        series=series,
        peak_hours=peak_hours,
        rating_distribution=rating_distribution,
        places=sorted(per_place.values(), key=lambda entry: (-entry.totals["views"], entry.place.name)),
        rows=sorted(kept, key=lambda row: (row.date, row.place_id)),
        partial_days=sorted({row.date for row in today_rows}),
        first_day=first_day,
        previous_start=previous_days[0],
        previous_end=previous_days[1],
        previous_totals={name: sum(getattr(row, name) for row in previous) for name in METRIC_NAMES},
        empty=empty,
    )


CSV_HEADER = ["date", "place_id", "place", *METRIC_NAMES, "avg_dwell_seconds", "partial"]


def report_csv_rows(report: AnalyticsReport, *, extra: Iterable[list] = ()) -> Iterator[list]:
    """One line per place and day from the first day with data (today's marked partial), one total per
    place; then, after a blank line, the period comparison and any `extra` sections of the page."""
    by_key = {(row.place_id, row.date): row for row in report.rows}
    yield CSV_HEADER
    for day in report.days:
        if report.first_day is not None and day < report.first_day:
            continue
        for entry in sorted(report.places, key=lambda e: e.place.name):
            row = by_key.get((entry.place.pk, day))
            values = [getattr(row, name) if row else 0 for name in METRIC_NAMES]
            dwell = f"{row.avg_dwell_ms / 1000:.1f}" if row and row.avg_dwell_ms is not None else ""
            partial = "yes" if day in report.partial_days else "no"
            yield [day.isoformat(), entry.place.pk, entry.place.name, *values, dwell, partial]
    for entry in sorted(report.places, key=lambda e: e.place.name):
        partial = "yes" if report.partial_days else "no"
        yield ["total", entry.place.pk, entry.place.name, *(entry.totals[name] for name in METRIC_NAMES), "", partial]
    yield []
    yield ["figure", "this_period", "previous_period", "change_pct"]
    for item in report.comparison:
        change = "" if item.change_pct is None else f"{item.change_pct:.1f}"
        yield [item.name, item.current, item.previous, change]
    yield from extra
