"""Diary routes: REST for every diary table, the catalogues, the WatermelonDB sync and the exports."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from diary import views
from diary.exports import views as export_views
from diary.health import views as health_views
from diary.sync_views import SyncView

router = SimpleRouter(trailing_slash=True)
for viewset in (
    views.EpisodeViewSet,
    views.CaffeineIntakeViewSet,
    views.SleepLogViewSet,
    views.StressLogViewSet,
    views.MedicationViewSet,
    views.MedicationDoseViewSet,
    views.ExerciseSessionViewSet,
    views.TremorRecordingViewSet,
    views.LabResultViewSet,
    views.DayCheckinViewSet,
):
    router.register(viewset.route, viewset, basename=viewset.route)

# The sync and the diary tables' routes first: the requests a phone makes most.
urlpatterns = [
    path("sync/", SyncView.as_view(), name="sync"),
    *router.urls,
    path("health/samples/", health_views.HealthSamplesView.as_view(), name="health-samples"),
    path("health/exports/", health_views.HealthExportListView.as_view(), name="health-export-list"),
    path("health/exports/<uuid:job_id>/", health_views.HealthExportJobView.as_view(), name="health-export-job"),
    # Everything of the user's: the profile and every diary table, so it is served with the diary.
    path("account/export/", export_views.AccountExportView.as_view(), name="account-export"),
    path("exports/csv/", export_views.CsvExportView.as_view(), name="export-csv"),
    path("exports/fhir/", export_views.FhirExportView.as_view(), name="export-fhir"),
    *(
        path(f"catalogues/{view.name}/", view.as_view(), name=f"catalogue-{view.name}")
        for view in (
            views.DrinksCatalogueView,
            views.MedicinesCatalogueView,
            views.BodySitesCatalogueView,
            views.TermsCatalogueView,
        )
    ),
]
