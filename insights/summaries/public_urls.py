"""Pages reached from an email without logging in, included at the site root."""

from django.urls import path

from insights.summaries import views

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="summaries-unsubscribe"),
    # Only the screens an email links to; any other path is a 404.
    path("open/<str:screen>/", views.open_in_app, name="summaries-open"),
]
