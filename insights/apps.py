from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the diary_changed receiver that queues recomputes.
        from insights import tasks  # noqa: F401
