"""API routes, included under /api/v1/."""

from django.urls import path

from insights.summaries import views

urlpatterns = [
    path("summaries/preview/", views.SummaryPreviewView.as_view(), name="summary-preview"),
]
