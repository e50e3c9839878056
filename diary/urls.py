"""Diary routes: REST for every diary table, the catalogues and the WatermelonDB sync."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from diary import views
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
):
    router.register(viewset.route, viewset, basename=viewset.route)

urlpatterns = [
    path("sync/", SyncView.as_view(), name="sync"),
    *(
        path(f"catalogues/{view.name}/", view.as_view(), name=f"catalogue-{view.name}")
        for view in (
            views.DrinksCatalogueView,
            views.MedicinesCatalogueView,
            views.BodySitesCatalogueView,
            views.TermsCatalogueView,
        )
    ),
    *router.urls,
]
