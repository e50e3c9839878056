"""Public routes of a share link, mounted at /s/ outside the API: no login, throttled."""

from django.urls import path

from insights.reports import public_views

urlpatterns = [
    path("<str:token>/", public_views.share_page, name="share-page"),
    path("<str:token>/report.pdf", public_views.share_pdf, name="share-pdf"),
]
