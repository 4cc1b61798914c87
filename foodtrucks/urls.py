from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:dashboard", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("foodtrucks.api_urls")),
    path("portal/", include("foodtrucks.portal_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# --- operations (docs/operations.md): probes and error answers --------------------------------
from foodtrucks import health  # noqa: E402

urlpatterns += [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

handler400 = "foodtrucks.errors.bad_request"
handler403 = "foodtrucks.errors.permission_denied"
handler404 = "foodtrucks.errors.not_found"
handler500 = "foodtrucks.errors.server_error"
