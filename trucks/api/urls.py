from django.urls import path

from trucks.api import views

urlpatterns = [
    path("places/", views.PlaceListView.as_view(), name="api-places"),
    path("places/top/", views.TopPlacesView.as_view(), name="api-places-top"),
    path("places/<int:place_id>/", views.PlaceDetailView.as_view(), name="api-place-detail"),
    path("categories/", views.CategoryListView.as_view(), name="api-categories"),
    path("vendor/places/<int:place_id>/location/", views.PlaceCheckInView.as_view(), name="api-vendor-place-check-in"),
]
