"""Beat's scheduler keeps its liveness file fresh, which the image's health check reads.

django-celery-beat's own tick (reading the schedule from the database) is stood in for: it
manages its own database connections, which a test's transaction cannot share, and what is
tested here is what the subclass adds after it.
"""

from __future__ import annotations

import os
import time

import pytest
from django_celery_beat.schedulers import DatabaseScheduler

from config.beat import LivenessDatabaseScheduler
from config.celery_app import app

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def schedule_read_elsewhere(monkeypatch):
    monkeypatch.setattr(DatabaseScheduler, "tick", lambda self, *args, **kwargs: 5.0)


def test_every_tick_touches_the_liveness_file(tmp_path, monkeypatch):
    alive = tmp_path / "beat.alive"
    monkeypatch.setenv("BEAT_LIVENESS_FILE", str(alive))
    scheduler = LivenessDatabaseScheduler(app=app, lazy=True)

    assert scheduler.tick() == 5.0  # the next tick's delay, handed on
    first = alive.stat().st_mtime
    os.utime(alive, (first - 120, first - 120))  # as if beat had hung two minutes ago
    scheduler.tick()

    assert alive.stat().st_mtime > time.time() - 60


def test_without_the_variable_no_file_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv("BEAT_LIVENESS_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    scheduler = LivenessDatabaseScheduler(app=app, lazy=True)

    scheduler.tick()

    assert scheduler.liveness_file is None
    assert list(tmp_path.iterdir()) == []
