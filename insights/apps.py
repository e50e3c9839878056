from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Connect the one link from the diary to the insights.

        diary/services.py sends ``diary_changed`` (diary/signals.py) once a diary write or sync push
        has committed; ``insights.tasks.recompute_on_diary_change`` receives it and queues the debounced
        recompute. The diary sits below the insights and may not call them (tests/test_layers.py), so
        this connection is the whole way from a push to a recompute: docs/architecture.md follows it.
        """
        # Imported here, not at the top: tasks import models, which need the app registry ready.
        from diary.signals import diary_changed
        from insights.tasks import recompute_on_diary_change

        diary_changed.connect(recompute_on_diary_change, dispatch_uid="insights.recompute_on_diary_change")
