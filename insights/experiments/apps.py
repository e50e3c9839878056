"""Self-experiments (N-of-1): a randomised schedule, its promise, adherence and its one result."""

from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "insights.experiments"
    # A label of its own keeps this app's migrations apart from the insights app's.
    label = "experiments"
    verbose_name = "Self-experiments"
    default_auto_field = "django.db.models.BigAutoField"
