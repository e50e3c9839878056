from django.urls import path

from insights import views

urlpatterns = [
    path("insights/", views.InsightsView.as_view(), name="insights"),
    path("insights/causes/", views.CausesView.as_view(), name="insights-causes"),
    path("flags/", views.FlagListView.as_view(), name="flag-list"),
    path("flags/<int:flag_id>/acknowledge/", views.FlagAcknowledgeView.as_view(), name="flag-acknowledge"),
    path("flags/<int:flag_id>/seen-doctor/", views.FlagSeenDoctorView.as_view(), name="flag-seen-doctor"),
]
