"""The vendor portal, /portal/: one URL namespace ("portal"), routes from each domain app."""

from django.urls import include, path

app_name = "portal"

urlpatterns = [
    path("", include("vendors.urls")),
    path("", include("trucks.urls")),
    path("", include("analytics.urls")),
]
