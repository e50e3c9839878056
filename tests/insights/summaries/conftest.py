"""Fixtures for the summary tests: mail goes to the locmem outbox, a clean Celery eager mode."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings


@pytest.fixture(autouse=True)
def _locmem_mail() -> Iterator[None]:
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PUBLIC_BASE_URL="https://twitchlog.example",
        APP_BASE_URL="twitchlog://open",
        APP_WEB_URL="https://twitchlog.example/open",
    ):
        mail.outbox = []
        yield


@pytest.fixture(autouse=True)
def _eager_celery() -> Iterator[None]:
    # Tasks are called directly or with .apply(); a .delay() from the dispatcher runs in-process too,
    # even when REDIS_URL points the suite at a real broker.
    from config.celery_app import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def dispatch(django_capture_on_commit_callbacks: Any) -> Callable[[], int]:
    """Run the hourly dispatch task as beat would, its on-commit enqueues included.

    The test's own transaction never commits, so the callbacks are run as the block ends.
    """
    from insights.summaries.tasks import dispatch_weekly

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return int(dispatch_weekly.apply().get())

    return run
