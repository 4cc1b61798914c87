"""The consumer API, /api/v1/: every route of the mobile app's API in one table."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.accounts import views as accounts
from api.consumers import views as consumers
from api.events import views as events
from api.live import views as live
from api.notifications import views as alerts
from api.places import views as places
from api.ratings import views as ratings
from api.vendors import views as vendors

urlpatterns = [
    # accounts: sign-up, log-in, own profile
    path("auth/register/", accounts.RegisterView.as_view(), name="api-register"),
    path("auth/token/", accounts.LoginView.as_view(), name="api-token"),
    path("auth/logout/", accounts.LogoutView.as_view(), name="api-logout"),
    path("me/", accounts.MeView.as_view(), name="api-me"),
    # the consumer's own lists
    path("me/favorites/", consumers.FavoriteListView.as_view(), name="api-favorites"),
    path("me/favorites/<int:place_id>/", consumers.FavoriteDetailView.as_view(), name="api-favorite-detail"),
    path("me/recently-viewed/", consumers.RecentlyViewedListView.as_view(), name="api-recently-viewed"),
    path("me/favorite-categories/", consumers.FavoriteCategoriesView.as_view(), name="api-favorite-categories"),
    # followers' alerts: preferences, where I am, my saved places, the inbox, push devices
    path("me/alert-preferences/", alerts.AlertPreferencesView.as_view(), name="api-alert-preferences"),
    path("me/location/", alerts.LocationView.as_view(), name="api-location"),
    path("me/saved-places/", alerts.SavedPlaceListView.as_view(), name="api-saved-places"),
    path("me/saved-places/<int:saved_place_id>/", alerts.SavedPlaceDetailView.as_view(), name="api-saved-place-detail"),
    path("me/notifications/", alerts.NotificationListView.as_view(), name="api-notifications"),
    path(
        "me/notifications/unread-count/",
        alerts.NotificationUnreadCountView.as_view(),
        name="api-notifications-unread-count",
    ),
    path("me/notifications/read-all/", alerts.NotificationReadAllView.as_view(), name="api-notifications-read-all"),
    path(
        "me/notifications/<int:notification_id>/read/",
        alerts.NotificationReadView.as_view(),
        name="api-notification-read",
    ),
    path("me/devices/", alerts.DeviceListView.as_view(), name="api-devices"),
    path("me/devices/<int:device_id>/", alerts.DeviceDetailView.as_view(), name="api-device-detail"),
    # places: search, top, detail, categories, a vendor's check-in
    path("places/", places.PlaceListView.as_view(), name="api-places"),
    path("places/top/", places.TopPlacesView.as_view(), name="api-places-top"),
    path("places/map/", places.PlaceMapView.as_view(), name="api-places-map"),
    path("places/changes/", places.PlaceChangesView.as_view(), name="api-places-changes"),
    path("places/<int:place_id>/", places.PlaceDetailView.as_view(), name="api-place-detail"),
    path("places/<int:place_id>/calendar.ics", places.PlaceCalendarView.as_view(), name="api-place-calendar"),
    path("categories/", places.CategoryListView.as_view(), name="api-categories"),
    path("vendor/places/<int:place_id>/location/", places.PlaceCheckInView.as_view(), name="api-vendor-place-check-in"),
    # live streams (Server-Sent Events; served over ASGI or behind Pushpin, docs/live.md)
    path("live/places/", live.LivePlacesStreamView.as_view(), name="api-live-places"),
    path("live/me/favorites/", live.LiveFavoritesStreamView.as_view(), name="api-live-favorites"),
    # ratings and reviews
    path("places/<int:place_id>/ratings/", ratings.PlaceRatingsView.as_view(), name="api-place-ratings"),
    path("ratings/<int:rating_id>/", ratings.RatingDetailView.as_view(), name="api-rating-detail"),
    # vendors' public profiles
    path("vendors/<int:vendor_id>/", vendors.VendorPublicView.as_view(), name="api-vendor-detail"),
    # analytics events from the app
    path("events/", events.EventBatchApi.as_view(), name="events-batch"),
    # the schema and its docs
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
