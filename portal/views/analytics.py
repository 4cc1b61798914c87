"""Portal analytics: charts of a vendor's daily statistics, and the same numbers as CSV."""

import csv
from zoneinfo import ZoneInfo

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from analytics.charts import RANGES, AnalyticsReport, build_report, date_range, report_csv_rows
from analytics.selectors import daily_stats
from portal.access import PortalView
from ratings.selectors import star_distribution
from trucks.selectors import places_for_member

DEFAULT_RANGE = 30


class AnalyticsMixin:
    permission = "analytics"

    def report(self) -> tuple[AnalyticsReport, int, int | None, list]:
        """The report for ?days=7|30|90 and ?place=<id> (one of the vendor's own places, else 404)."""
        places = list(places_for_member(self.request.user, self.vendor.pk, action="analytics").order_by("name"))
        try:
            days = int(self.request.GET.get("days", DEFAULT_RANGE))
        except ValueError:
            days = DEFAULT_RANGE
        if days not in RANGES:
            days = DEFAULT_RANGE
        place_id = None
        chosen = places
        if self.request.GET.get("place"):
            try:
                place_id = int(self.request.GET["place"])
            except ValueError as exc:
                raise Http404("No such place.") from exc
            chosen = [place for place in places if place.pk == place_id]
            if not chosen:
                raise Http404("No such place.")  # another vendor's place: never a chart of it
        now = timezone.now()
        today = max((now.astimezone(ZoneInfo(place.time_zone)).date() for place in chosen), default=now.date())
        start, end = date_range(days=days, today=today)
        ids = [place.pk for place in chosen]
        report = build_report(
            places=chosen,
            rows=daily_stats(place_ids=ids, start=start, end=end),
            rating_distribution=star_distribution(place_ids=ids),
            start=start,
            end=end,
        )
        return report, days, place_id, places


class AnalyticsView(AnalyticsMixin, PortalView):
    def get(self, request):
        report, days, place_id, places = self.report()
        context = self.get_context_data(
            report=report,
            chart_data=report.chart_data(),
            days=days,
            ranges=RANGES,
            place_id=place_id,
            places=places,
        )
        return render(request, "portal/analytics.html", context)


class AnalyticsCsvView(AnalyticsMixin, PortalView):
    def get(self, request):
        report, _days, place_id, _ = self.report()
        scope = f"place-{place_id}" if place_id else "all-places"
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="analytics-{scope}-{report.start.isoformat()}-{report.end.isoformat()}.csv"'
        )
        writer = csv.writer(response)
        for line in report_csv_rows(report):
            writer.writerow(line)
        return response
