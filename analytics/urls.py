"""Portal routes of the analytics app (namespace "portal", see foodtrucks/portal_urls.py)."""

from django.urls import path

from analytics import views

urlpatterns = [
    path("analytics/", views.AnalyticsView.as_view(), name="analytics"),
    path("analytics/export.csv", views.AnalyticsCsvView.as_view(), name="analytics_csv"),
]
