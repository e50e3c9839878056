"""Diary routes: REST for every table in TABLES, the catalogues and the WatermelonDB sync."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from diary.sync_views import SyncView
from diary.tables import TABLES
from diary.views import CATALOGUE_VIEWS, VIEWSETS

router = SimpleRouter(trailing_slash=True)
for name, spec in TABLES.items():
    router.register(spec.route, VIEWSETS[name], basename=spec.route)

urlpatterns = [
    path("sync/", SyncView.as_view(), name="sync"),
    *(path(f"catalogues/{name}/", view.as_view(), name=f"catalogue-{name}") for name, view in CATALOGUE_VIEWS.items()),
    *router.urls,
]
