"""Pages reached from an email without logging in, included at the site root."""

from django.urls import path

from insights.summaries import views

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="summaries-unsubscribe"),
]
