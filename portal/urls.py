"""The vendor portal, /portal/: every route of the portal in one table (namespace "portal")."""

from django.urls import path

from portal.views import analytics, history, notifications, places, reviews, signup, vendor

app_name = "portal"

urlpatterns = [
    # log-in, dashboard, vendor switch, certificates, team
    path("", vendor.DashboardView.as_view(), name="dashboard"),
    path("login/", vendor.LoginView.as_view(), name="login"),
    path("logout/", vendor.LogoutView.as_view(), name="logout"),
    path("signup/", signup.SignUpView.as_view(), name="signup"),
    path("password-reset/", vendor.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", vendor.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", vendor.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password-reset/done/", vendor.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("switch-vendor/", vendor.VendorSwitchView.as_view(), name="switch_vendor"),
    path("certificates/", vendor.CertificateListView.as_view(), name="certificates"),
    path("certificates/<int:pk>/open/", vendor.CertificateOpenView.as_view(), name="certificate_open"),
    path("certificates/<int:pk>/delete/", vendor.CertificateDeleteView.as_view(), name="certificate_delete"),
    path("certificates/file/<str:token>/", vendor.CertificateFileView.as_view(), name="certificate_file"),
    path("team/", vendor.TeamView.as_view(), name="team"),
    path("team/<int:pk>/role/", vendor.MemberRoleView.as_view(), name="member_role"),
    path("team/<int:pk>/remove/", vendor.MemberRemoveView.as_view(), name="member_remove"),
    # places, hours, photos, check-in, menus and items
    path("places/", places.PlaceListView.as_view(), name="places"),
    path("places/new/", places.PlaceCreateView.as_view(), name="place_create"),
    path("places/<int:pk>/edit/", places.PlaceEditView.as_view(), name="place_edit"),
    path("places/<int:pk>/delete/", places.PlaceDeleteView.as_view(), name="place_delete"),
    path("places/<int:pk>/hours/", places.PlaceHoursView.as_view(), name="place_hours"),
    path("places/<int:pk>/exceptions/", places.ScheduleExceptionCreateView.as_view(), name="place_exception_create"),
    path(
        "places/<int:pk>/exceptions/<int:exception_pk>/delete/",
        places.ScheduleExceptionDeleteView.as_view(),
        name="place_exception_delete",
    ),
    path("places/<int:pk>/calendar/", places.PlaceCalendarView.as_view(), name="place_calendar"),
    path("places/<int:pk>/calendar/sync/", places.PlaceCalendarSyncView.as_view(), name="place_calendar_sync"),
    path("places/<int:pk>/calendar/remove/", places.PlaceCalendarRemoveView.as_view(), name="place_calendar_remove"),
    path("places/<int:pk>/photos/", places.PlacePhotosView.as_view(), name="place_photos"),
    path("places/<int:pk>/photos/<int:photo_pk>/move/", places.PlacePhotoMoveView.as_view(), name="place_photo_move"),
    path(
        "places/<int:pk>/photos/<int:photo_pk>/delete/",
        places.PlacePhotoDeleteView.as_view(),
        name="place_photo_delete",
    ),
    path("places/<int:pk>/check-in/", places.PlaceCheckInView.as_view(), name="place_check_in"),
    path("menus/", places.MenuListView.as_view(), name="menus"),
    path("menus/new/", places.MenuCreateView.as_view(), name="menu_create"),
    path("menus/<int:pk>/edit/", places.MenuEditView.as_view(), name="menu_edit"),
    path("menus/<int:pk>/delete/", places.MenuDeleteView.as_view(), name="menu_delete"),
    path("menus/<int:pk>/move/", places.MenuMoveView.as_view(), name="menu_move"),
    path("menus/<int:pk>/items/new/", places.ItemCreateView.as_view(), name="item_create"),
    path("items/<int:pk>/edit/", places.ItemEditView.as_view(), name="item_edit"),
    path("items/<int:pk>/delete/", places.ItemDeleteView.as_view(), name="item_delete"),
    path("items/<int:pk>/move/", places.ItemMoveView.as_view(), name="item_move"),
    path("items/<int:pk>/availability/", places.ItemAvailabilityView.as_view(), name="item_availability"),
    # reviews inbox: replies and reports to staff
    path("reviews/", reviews.ReviewInboxView.as_view(), name="reviews"),
    path("reviews/<int:pk>/reply/", reviews.ReviewReplyView.as_view(), name="review_reply"),
    path("reviews/<int:pk>/reply/delete/", reviews.ReviewReplyDeleteView.as_view(), name="review_reply_delete"),
    path("reviews/<int:pk>/report/", reviews.ReviewReportView.as_view(), name="review_report"),
    # history: the audit trail of the vendor's changes
    path("history/", history.HistoryView.as_view(), name="history"),
    # email settings: the weekly summary's toggle and its one-click unsubscribe link
    path("email-settings/", notifications.EmailSettingsView.as_view(), name="email_settings"),
    path(
        "email-settings/unsubscribe/<str:token>/",
        notifications.SummaryUnsubscribeView.as_view(),
        name="summary_unsubscribe",
    ),
    # analytics
    path("analytics/", analytics.AnalyticsView.as_view(), name="analytics"),
    path("analytics/export.csv", analytics.AnalyticsCsvView.as_view(), name="analytics_csv"),
]
