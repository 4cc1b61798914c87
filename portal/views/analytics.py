"""Portal analytics: charts of a vendor's daily statistics, and the same numbers as CSV."""

import csv

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render

from analytics.charts import DEFINITIONS, RANGES
from analytics.report import PortalAnalytics, portal_analytics, portal_analytics_csv_rows
from analytics.report_selectors import AUDIENCE_MIN_PEOPLE
from portal.access import PortalView
from ratings.selectors import star_distribution
from trucks.selectors import places_for_member

DEFAULT_RANGE = 30


class AnalyticsMixin:
    permission = "analytics"

    def analytics(self) -> tuple[PortalAnalytics, int, int | None, list]:
        """The figures for ?days=7|30|90 and ?place=<id> (one of the vendor's own places, else 404)."""
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
        data = portal_analytics(
            places=chosen,
            days=days,
            rating_distribution=star_distribution(place_ids=[place.pk for place in chosen]),
        )
        return data, days, place_id, places


class AnalyticsView(AnalyticsMixin, PortalView):
    def get(self, request):
        data, days, place_id, places = self.analytics()
        report = data.report
        chart_data = report.chart_data()
        chart_data["heatmap"] = {"tileUrl": settings.MAP_TILE_URL, "cells": data.cells}
        context = self.get_context_data(
            report=report,
            funnel=data.funnel,
            audience=data.audience,
            cells=data.cells,
            chart_data=chart_data,
            definitions=DEFINITIONS,
            min_people=AUDIENCE_MIN_PEOPLE,
            days=days,
            ranges=RANGES,
            place_id=place_id,
            places=places,
        )
        return render(request, "portal/analytics.html", context)


class AnalyticsCsvView(AnalyticsMixin, PortalView):
    def get(self, request):
        data, _days, place_id, _ = self.analytics()
        report = data.report
        scope = f"place-{place_id}" if place_id else "all-places"
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="analytics-{scope}-{report.start.isoformat()}-{report.end.isoformat()}.csv"'
        )
        writer = csv.writer(response)
        for line in portal_analytics_csv_rows(data):
            writer.writerow(line)
        return response
