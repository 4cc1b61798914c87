from django.urls import path

from ratings.api import views

urlpatterns = [
    path("places/<int:place_id>/ratings/", views.PlaceRatingsView.as_view(), name="api-place-ratings"),
    path("ratings/<int:rating_id>/", views.RatingDetailView.as_view(), name="api-rating-detail"),
]
