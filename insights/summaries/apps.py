from django.apps import AppConfig


class SummariesConfig(AppConfig):
    name = "insights.summaries"
    # A label of its own keeps this app's migrations apart from the insights app's.
    label = "summaries"
    verbose_name = "Weekly summaries"
    default_auto_field = "django.db.models.BigAutoField"
