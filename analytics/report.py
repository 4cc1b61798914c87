"""The portal's analytics page in one call: the period's report (rolled-up days + today's partial
day), the previous period, the funnel and dwell, the audience and the heat map's cells."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from analytics.charts import AnalyticsReport, build_report, data_start, date_range, previous_range, report_csv_rows
from analytics.report_selectors import Audience, Funnel, first_data_day, location_cells, period_audience, period_funnel
from analytics.selectors import daily_stats, today_stats
from trucks.models import Place


@dataclass
class PortalAnalytics:
    report: AnalyticsReport
    funnel: Funnel | None
    audience: Audience | None
    cells: list[dict]


def portal_analytics(
    *, places: list[Place], days: int, rating_distribution: dict[str, int], now: datetime | None = None
) -> PortalAnalytics:
    """Everything the analytics page and its CSV show for `places` over the last `days` local days.
    A new place (no event ever) gets an empty report and none of the raw-event reads."""
    now = now or timezone.now()
    today = max((now.astimezone(ZoneInfo(place.time_zone)).date() for place in places), default=now.date())
    start, end = date_range(days=days, today=today)
    previous_start, _ = previous_range(start=start, end=end)
    ids = [place.pk for place in places]
    rows = list(daily_stats(place_ids=ids, start=previous_start, end=end))
    today_rows = list(today_stats(places=places, now=now).values())
    first_rolled_up = first_data_day(places=places)
    first_day, empty = data_start(first_rolled_up=first_rolled_up, today_rows=today_rows, places=places)
    report = build_report(
        places=places,
        rows=[row for row in rows if row.date >= start],
        rating_distribution=rating_distribution,
        start=start,
        end=end,
        today_rows=today_rows,
        first_day=first_day,
        previous_rows=[row for row in rows if row.date < start],
        empty=empty,
    )
    if empty:
        return PortalAnalytics(report=report, funnel=None, audience=None, cells=[])
    return PortalAnalytics(
        report=report,
        funnel=period_funnel(places=places, start=start, now=now),
        audience=period_audience(places=places, start=start, today=today, now=now),
        cells=location_cells(place_ids=ids, start=start, end=end),
    )


def portal_analytics_csv_rows(data: PortalAnalytics):
    """The CSV of the page: the days and totals, the comparison, then the funnel, dwell and audience
    sections (each after a blank line; audience cells under the threshold are left out as on the page)."""
    report = data.report
    average, count = report.current_ratings
    busiest = "" if report.busiest_hour is None else f"{report.busiest_hour:02d}:00"
    extra: list[list] = [
        [],
        ["average_rating", "current_ratings", "busiest_hour"],
        ["" if average is None else f"{average:.2f}", count, busiest],
    ]
    if data.funnel is not None:
        extra += [[], ["funnel_step", "people"], *([key, n] for key, _label, n in data.funnel.steps())]
        dwell = "" if data.funnel.avg_dwell_seconds is None else f"{data.funnel.avg_dwell_seconds:.1f}"
        extra += [[], ["avg_dwell_seconds", "dwell_reports"], [dwell, data.funnel.dwell_reports]]
    if data.audience is not None:
        audience = data.audience
        extra += [[], ["age_band", "people"], *([cell.label, cell.people] for cell in audience.age_bands)]
        if audience.age_other is not None:
            extra.append(["other", audience.age_other])
        extra += [[], ["primary_city", "people"], *([cell.label, cell.people] for cell in audience.cities)]
        if audience.city_other is not None:
            extra.append(["other", audience.city_other])
    yield from report_csv_rows(data.report, extra=extra)
