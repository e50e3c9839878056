"""The URL map: the versioned API, its schema and docs, the health check, the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.health import healthz

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("diary.urls")),
    path("", include("insights.urls")),
    path("", include("insights.summaries.urls")),
    path("", include("insights.reports.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("healthz", healthz, name="healthz"),
    path("", include("insights.summaries.public_urls")),
    path("s/", include("insights.reports.public_urls")),
    path("admin/", admin.site.urls),
]

handler404 = "config.api_errors.json_not_found"
handler500 = "config.api_errors.json_server_error"
