"""A task travels through the real Redis broker to a real in-process worker."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache

from config.celery_app import app as celery_app

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is unset: no real broker to test against")


@celery_app.task(name="insights.test_record_delivery")
def record_delivery(marker: str) -> None:
    cache.set(f"delivered:{marker}", "yes", timeout=60)


def test_a_task_is_delivered_through_redis_to_a_worker_on_its_queue():
    marker = f"m{time.time_ns()}"
    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=["insights"], shutdown_timeout=10):
        record_delivery.delay(marker)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and cache.get(f"delivered:{marker}") is None:
            time.sleep(0.1)
    assert cache.get(f"delivered:{marker}") == "yes"
