"""Portal routes of the vendors app (namespace "portal", see foodtrucks/portal_urls.py)."""

from django.urls import path

from vendors import views

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password-reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("switch-vendor/", views.VendorSwitchView.as_view(), name="switch_vendor"),
    path("certificates/", views.CertificateListView.as_view(), name="certificates"),
    path("certificates/<int:pk>/open/", views.CertificateOpenView.as_view(), name="certificate_open"),
    path("certificates/<int:pk>/delete/", views.CertificateDeleteView.as_view(), name="certificate_delete"),
    path("certificates/file/<str:token>/", views.CertificateFileView.as_view(), name="certificate_file"),
    path("team/", views.TeamView.as_view(), name="team"),
    path("team/<int:pk>/role/", views.MemberRoleView.as_view(), name="member_role"),
    path("team/<int:pk>/remove/", views.MemberRemoveView.as_view(), name="member_remove"),
]
