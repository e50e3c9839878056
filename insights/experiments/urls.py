from django.urls import path, re_path

from insights.experiments import views

# Experiment ids are the synced rows' ids: WatermelonDB's shape.
_ID = r"(?P<experiment_id>[A-Za-z0-9_-]{1,64})"

urlpatterns = [
    path("experiments/", views.ExperimentListView.as_view(), name="experiment-list"),
    path("experiments/plan/", views.ExperimentPlanView.as_view(), name="experiment-plan"),
    path("experiments/today/", views.ExperimentTodayView.as_view(), name="experiment-today"),
    re_path(rf"^experiments/{_ID}/$", views.ExperimentDetailView.as_view(), name="experiment-detail"),
    re_path(rf"^experiments/{_ID}/stop/$", views.ExperimentStopView.as_view(), name="experiment-stop"),
]
