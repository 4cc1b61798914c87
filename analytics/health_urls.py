"""Include at "healthz/analytics" in foodtrucks/urls.py."""

from django.urls import path

from analytics.health import analytics_health

urlpatterns = [
    path("", analytics_health, name="analytics-health"),
]
