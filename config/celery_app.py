"""The Celery app. Its settings live in config/settings.py under the CELERY_ namespace."""

import os
from logging.config import dictConfig
from typing import Any

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("twitchlog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _log_through_django_settings(**kwargs: Any) -> None:
    """The worker logs through settings.LOGGING and its redaction filter, not Celery's own handlers."""
    from django.conf import settings

    dictConfig(settings.LOGGING)
