from django.urls import path, re_path

from diary.tables import CLIENT_ID_PATTERN
from insights.experiments import views

# Experiment ids are the synced rows' ids: the diary's client id pattern.
_ID = rf"(?P<experiment_id>{CLIENT_ID_PATTERN.removeprefix('^').removesuffix('$')})"

urlpatterns = [
    path("experiments/", views.ExperimentListView.as_view(), name="experiment-list"),
    path("experiments/plan/", views.ExperimentPlanView.as_view(), name="experiment-plan"),
    path("experiments/today/", views.ExperimentTodayView.as_view(), name="experiment-today"),
    re_path(rf"^experiments/{_ID}/$", views.ExperimentDetailView.as_view(), name="experiment-detail"),
    re_path(rf"^experiments/{_ID}/stop/$", views.ExperimentStopView.as_view(), name="experiment-stop"),
]
