"""Portal routes of the trucks app (namespace "portal", see foodtrucks/portal_urls.py)."""

from django.urls import path

from trucks import views

urlpatterns = [
    path("places/", views.PlaceListView.as_view(), name="places"),
    path("places/new/", views.PlaceCreateView.as_view(), name="place_create"),
    path("places/<int:pk>/edit/", views.PlaceEditView.as_view(), name="place_edit"),
    path("places/<int:pk>/delete/", views.PlaceDeleteView.as_view(), name="place_delete"),
    path("places/<int:pk>/hours/", views.PlaceHoursView.as_view(), name="place_hours"),
    path("places/<int:pk>/exceptions/", views.ScheduleExceptionCreateView.as_view(), name="place_exception_create"),
    path(
        "places/<int:pk>/exceptions/<int:exception_pk>/delete/",
        views.ScheduleExceptionDeleteView.as_view(),
        name="place_exception_delete",
    ),
    path("places/<int:pk>/photos/", views.PlacePhotosView.as_view(), name="place_photos"),
    path("places/<int:pk>/photos/<int:photo_pk>/move/", views.PlacePhotoMoveView.as_view(), name="place_photo_move"),
    path(
        "places/<int:pk>/photos/<int:photo_pk>/delete/", views.PlacePhotoDeleteView.as_view(), name="place_photo_delete"
    ),
    path("places/<int:pk>/check-in/", views.PlaceCheckInView.as_view(), name="place_check_in"),
    path("menus/", views.MenuListView.as_view(), name="menus"),
    path("menus/new/", views.MenuCreateView.as_view(), name="menu_create"),
    path("menus/<int:pk>/edit/", views.MenuEditView.as_view(), name="menu_edit"),
    path("menus/<int:pk>/delete/", views.MenuDeleteView.as_view(), name="menu_delete"),
    path("menus/<int:pk>/move/", views.MenuMoveView.as_view(), name="menu_move"),
    path("menus/<int:pk>/items/new/", views.ItemCreateView.as_view(), name="item_create"),
    path("items/<int:pk>/edit/", views.ItemEditView.as_view(), name="item_edit"),
    path("items/<int:pk>/delete/", views.ItemDeleteView.as_view(), name="item_delete"),
    path("items/<int:pk>/move/", views.ItemMoveView.as_view(), name="item_move"),
    path("items/<int:pk>/availability/", views.ItemAvailabilityView.as_view(), name="item_availability"),
]
