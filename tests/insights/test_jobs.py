"""Insight jobs through the real broker and a real worker: debounced recomputes and the nightly sweep."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from config.celery_app import app as celery_app
from insights import tasks
from insights.models import InsightState
from tests.builders import wire
from tests.conftest import authenticated_client
from tests.diary.wire import changes, push

pytestmark = pytest.mark.django_db(transaction=True)
needs_broker = pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is unset: no real broker and worker")


@contextmanager
def insights_worker(queues: tuple[str, ...] = ("insights",)) -> Iterator[None]:
    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=list(queues), shutdown_timeout=30):
        yield


def wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.slow
@needs_broker
def test_a_burst_of_fifty_pushes_causes_one_or_two_recomputes(make_user, monkeypatch):
    monkeypatch.setattr(tasks, "DEBOUNCE_SECONDS", 3)
    user = make_user(email="burst@example.org")
    phone = authenticated_client(user)
    with insights_worker():
        for n in range(50):
            assert push(phone, changes(episodes=[wire("episodes", f"burst{n}", minutes_ago=n + 1)])).status_code == 200
        assert wait_for(lambda: InsightState.objects.filter(user=user, dirty=False, recompute_count__gte=1).exists())
        time.sleep(4)  # room for a straggler the burst might have queued
    state = InsightState.objects.get(user=user)
    assert 1 <= state.recompute_count <= 2
    assert state.dirty is False
    assert state.sufficiency["logged_days"] >= 1


def test_the_nightly_sweep_recomputes_every_user_with_pending_or_active_insights(make_user):
    users = [make_user(email=f"sweep{n}@example.org") for n in range(5)]
    idle = make_user(email="idle@example.org")
    for user in users:
        InsightState.objects.create(user=user, dirty=True)
    InsightState.objects.create(user=idle, dirty=False)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        swept = tasks.nightly_sweep.apply().get()
    else:
        with insights_worker():
            swept = tasks.nightly_sweep.apply().get()
            wait_for(lambda: not InsightState.objects.filter(dirty=True).exists())
    assert swept == 5
    assert not InsightState.objects.filter(dirty=True).exists()
    assert InsightState.objects.get(user=idle).recompute_count == 0
    assert all(state.recompute_count == 1 for state in InsightState.objects.filter(user__in=users))


@needs_broker
def test_a_pushed_tremor_recording_is_analysed_on_the_reports_queue_then_insights_recompute(make_user, monkeypatch):
    from diary.models import TremorRecording
    from tests.diary.tremor_samples import axes

    monkeypatch.setattr(tasks, "DEBOUNCE_SECONDS", 1)
    user = make_user(email="tremor@example.org")
    phone = authenticated_client(user)
    recording = {
        "id": "rec1",
        "recorded_at": int(time.time() * 1000) - 60_000,
        "hand": "right",
        "posture": "rest",
        "sample_rate_hz": 100,
        "samples": json.dumps(axes(frequency_hz=5.0)),
    }
    with insights_worker(("insights", "reports")):
        response = push(phone, {"tremor_recordings": {"created": [recording], "updated": [], "deleted": []}})
        assert response.status_code == 200
        assert wait_for(lambda: InsightState.objects.filter(user=user, recompute_count__gte=1).exists())
    stored = TremorRecording.objects.get(user=user, client_id="rec1")
    assert stored.rhythmic is True
    assert abs(stored.dominant_hz - 5.0) < 0.2
