from django.urls import path

from diary.sync_views import SyncView

urlpatterns = [
    path("sync/", SyncView.as_view(), name="sync"),
]
