from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from foodtrucks import health

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:dashboard", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("portal/", include("portal.urls")),
    # Probes (docs/operations.md): liveness, readiness, every dependency, and the analytics roll-up's health.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("healthz/dependencies", health.dependencies, name="healthz-dependencies"),
    path("healthz/analytics", include("analytics.health_urls")),
]

if settings.DEBUG:
    # Photos from the local MEDIA_ROOT: images only, typed by their key, nosniff (foodtrucks/media.py).
    # Production serves nothing from MEDIA_ROOT: photos live on S3 (docs/operations.md).
    from foodtrucks.media import media_urlpatterns

    urlpatterns += media_urlpatterns()

# One error shape: JSON under /api/, a small standalone page elsewhere (foodtrucks/errors.py).
handler400 = "foodtrucks.errors.bad_request"
handler403 = "foodtrucks.errors.permission_denied"
handler404 = "foodtrucks.errors.not_found"
handler500 = "foodtrucks.errors.server_error"
