"""Signed-in routes under /api/v1/: the report PDF and its jobs, and shares."""

from django.urls import path

from insights.reports import views

urlpatterns = [
    path("reports/pdf/", views.ReportPdfView.as_view(), name="report-pdf"),
    path("reports/jobs/<uuid:job_id>/", views.ReportJobView.as_view(), name="report-job"),
    path("reports/jobs/<uuid:job_id>/pdf/", views.ReportJobPdfView.as_view(), name="report-job-pdf"),
    path("shares/", views.ShareListView.as_view(), name="share-list"),
    path("shares/<uuid:share_id>/", views.ShareDetailView.as_view(), name="share-detail"),
]
