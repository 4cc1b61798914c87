"""The portal's analytics report: daily statistics shaped for charts, tables and CSV.

Pure shaping over rows already read by analytics.selectors.daily_stats and
ratings.selectors.star_distribution; the page passes `chart_data` through `json_script`
and static/portal/analytics.js draws it with Chart.js.
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


@dataclass
class PlaceTotals:
    place: Place
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRIC_NAMES, 0))


@dataclass
class AnalyticsReport:
    start: date
    end: date
    days: list[date]
    series: dict[str, list[int]]
    peak_hours: list[int]
    rating_distribution: dict[str, int]
    places: list[PlaceTotals]
    rows: list[DailyPlaceStats]

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(values) for name, values in self.series.items()}

    @property
    def busiest_hour(self) -> int | None:
        if not any(self.peak_hours):
            return None
        return max(range(24), key=lambda hour: self.peak_hours[hour])

    def chart_data(self) -> dict:
        """JSON-ready data for the page's charts."""
        return {
            "labels": [day.isoformat() for day in self.days],
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


def build_report(
    *,
    places: list[Place],
    rows: Iterable[DailyPlaceStats],
    rating_distribution: dict[str, int],
    start: date,
    end: date,
) -> AnalyticsReport:
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    index = {day: position for position, day in enumerate(days)}
    series = {name: [0] * len(days) for name in METRIC_NAMES}
    peak_hours = [0] * 24
    per_place = {place.pk: PlaceTotals(place=place) for place in places}
    rows = list(rows)
    for row in rows:
        position = index.get(row.date)
        if position is None or row.place_id not in per_place:
            continue
        for name in METRIC_NAMES:
            value = getattr(row, name)
            series[name][position] += value
            per_place[row.place_id].totals[name] += value
        for hour, count in enumerate((row.views_by_hour or [])[:24]):
            peak_hours[hour] += int(count or 0)
    return AnalyticsReport(
        start=start,
        end=end,
        days=days,
        series=series,
        peak_hours=peak_hours,
        rating_distribution=rating_distribution,
        places=sorted(per_place.values(), key=lambda entry: (-entry.totals["views"], entry.place.name)),
        rows=rows,
    )


CSV_HEADER = ["date", "place_id", "place", *METRIC_NAMES, "avg_dwell_seconds"]


def report_csv_rows(report: AnalyticsReport) -> Iterator[list]:
    """One line per place and day (days without figures as zeros), then one total per place."""
    by_key = {(row.place_id, row.date): row for row in report.rows}
    yield CSV_HEADER
    for day in report.days:
        for entry in sorted(report.places, key=lambda e: e.place.name):
            row = by_key.get((entry.place.pk, day))
            values = [getattr(row, name) if row else 0 for name in METRIC_NAMES]
            dwell = f"{row.avg_dwell_ms / 1000:.1f}" if row and row.avg_dwell_ms is not None else ""
            yield [day.isoformat(), entry.place.pk, entry.place.name, *values, dwell]
    for entry in sorted(report.places, key=lambda e: e.place.name):
        yield ["total", entry.place.pk, entry.place.name, *(entry.totals[name] for name in METRIC_NAMES), ""]
