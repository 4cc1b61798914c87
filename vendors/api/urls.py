from django.urls import path

from vendors.api import views

urlpatterns = [
    path("vendors/<int:vendor_id>/", views.VendorPublicView.as_view(), name="api-vendor-detail"),
]
