"""The physician report as a Django app: report jobs, share links and their access log."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "insights.reports"
    label = "reports"
    verbose_name = "Physician reports and shares"
    default_auto_field = "django.db.models.BigAutoField"
