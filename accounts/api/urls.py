from django.urls import path

from accounts.api import views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="api-register"),
    path("auth/token/", views.LoginView.as_view(), name="api-token"),
    path("auth/logout/", views.LogoutView.as_view(), name="api-logout"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("me/favorites/", views.FavoriteListView.as_view(), name="api-favorites"),
    path("me/favorites/<int:place_id>/", views.FavoriteDetailView.as_view(), name="api-favorite-detail"),
    path("me/recently-viewed/", views.RecentlyViewedListView.as_view(), name="api-recently-viewed"),
    path("me/favorite-categories/", views.FavoriteCategoriesView.as_view(), name="api-favorite-categories"),
]
