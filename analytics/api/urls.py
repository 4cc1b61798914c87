from django.urls import path

from analytics.api.views import EventBatchApi

urlpatterns: list = [
    path("events/", EventBatchApi.as_view(), name="events-batch"),
]
