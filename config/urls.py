"""The URL map: the versioned API, its schema and docs, the health check, the admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.health import healthz

# The diary first: the requests a phone makes most (episode writes, sync) are matched against the
# fewest patterns (no two lists share a path, so the order changes nothing else).
api_v1 = [
    path("", include("diary.urls")),
    path("", include("accounts.urls")),
    path("", include("insights.urls")),
    path("", include("insights.summaries.urls")),
    path("", include("insights.reports.urls")),
    path("", include("insights.experiments.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's initialiser as a script of its own (?script), so the
    # docs page runs under a CSP without 'unsafe-inline' scripts.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("healthz", healthz, name="healthz"),
    path("", include("insights.summaries.public_urls")),
    path("s/", include("insights.reports.public_urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

# An unmatched /api/ URL is answered by config.api_errors.ApiNotFoundMiddleware; any other
# path gets Django's own 404 page.
handler500 = "config.api_errors.json_server_error"
