"""Sync under concurrency on PostgreSQL: pulls racing pushes miss nothing; replays make no copies."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial

import pytest
from django.db import connection, connections

from diary.bulk_upsert import COPY_MIN_ROWS
from diary.models import Episode
from tests.builders import wire
from tests.conftest import authenticated_client
from tests.diary.wire import changes, pull, push

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and real concurrency need PostgreSQL"),
]


def run_at_once(*jobs: Callable[[], None]) -> None:
    """Each job in a thread of its own, all started together; each closes its database connection
    when done (a thread's connection is its own, and the test database is dropped at the end)."""

    def closing(job: Callable[[], None]) -> None:
        try:
            job()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=closing, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def test_a_puller_racing_a_pusher_sees_every_pushed_record(make_user):
    user = make_user(email="racer@example.org")
    pusher, puller = authenticated_client(user, "pusher"), authenticated_client(user, "puller")
    pushed: list[str] = []
    seen: set[str] = set()
    done = threading.Event()
    failures: list[str] = []

    def push_batches() -> None:
        try:
            for batch in range(25):
                records = [wire("episodes", f"b{batch}-{i}") for i in range(20)]
                response = push(pusher, changes(episodes=records))
                if response.status_code != 200:
                    failures.append(f"push {batch}: {response.status_code}")
                pushed.extend(r["id"] for r in records)
        finally:
            done.set()

    def pull_in_a_loop() -> None:
        last = None
        while True:
            finished = done.is_set()
            result = pull(puller, last)
            seen.update(r["id"] for r in result["changes"]["episodes"]["created"])
            seen.update(r["id"] for r in result["changes"]["episodes"]["updated"])
            last = result["timestamp"]
            if finished:
                return

    run_at_once(push_batches, pull_in_a_loop)
    assert not failures
    assert len(pushed) == 500
    assert seen == set(pushed)


def test_two_devices_pushing_at_once_lose_nothing(make_user):
    user = make_user(email="twodevices@example.org")
    devices = [authenticated_client(user, f"device {n}") for n in range(2)]
    statuses: list[int] = []

    def push_from(device_number: int) -> None:
        for batch in range(10):
            records = [wire("episodes", f"d{device_number}-{batch}-{i}") for i in range(25)]
            # Each batch is sent twice, as a phone retrying after a lost answer would.
            for _ in range(2):
                statuses.append(push(devices[device_number], changes(episodes=records)).status_code)
            time.sleep(0.001)

    run_at_once(*(partial(push_from, n) for n in range(2)))
    assert set(statuses) == {200}
    assert Episode.objects.filter(user=user).count() == 2 * 10 * 25
    final = pull(devices[0])
    assert len(final["changes"]["episodes"]["created"]) == 500


def test_two_devices_pushing_the_same_large_batch_at_once_store_it_once(make_user):
    """Large enough for COPY: the first push takes its records for new and COPYs them; the other,
    waiting on the user's clock, meets them stored, is rolled back and applied again as a merge."""
    user = make_user(email="samebatch@example.org")
    devices = [authenticated_client(user, f"device {n}") for n in range(2)]
    records = [wire("episodes", f"same-{i}", notes="first") for i in range(COPY_MIN_ROWS + 10)]
    statuses: list[int] = []
    start = threading.Barrier(2)

    def push_from(device_number: int) -> None:
        start.wait(timeout=30)
        for attempt in range(3):
            body = [{**r, "notes": f"device {device_number} try {attempt}"} for r in records]
            statuses.append(push(devices[device_number], changes(episodes=body)).status_code)

    run_at_once(*(partial(push_from, n) for n in range(2)))
    assert statuses == [200] * 6
    stored = Episode.objects.filter(user=user)
    assert stored.count() == len(records)
    assert len(set(stored.values_list("notes", flat=True))) == 1  # one push's values, whole, last
