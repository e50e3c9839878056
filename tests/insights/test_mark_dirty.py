"""Marking a user's insights dirty: one recompute claimed per burst of writes, no write left out.

The claim is a column of the user's sync clock row (diary.sync_clock, "The recompute claim"): a
REST create takes it in the same statement as its tick, any other write asks after its commit,
and the recompute frees it before it reads, waiting for any write still holding the clock's lock.
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from diary.models import SyncClock
from diary.signals import diary_changed
from diary.sync_clock import CLAIM_GIVE_UP_MS, recompute_claim_drop
from insights.models import InsightState
from insights.services import insights_recompute, mark_dirty
from tests.builders import payload, wire
from tests.diary.wire import changes, push

pytestmark = pytest.mark.django_db


def test_the_first_write_claims_a_recompute_and_later_ones_write_nothing_to_the_database(user):
    SyncClock.objects.create(user=user, last_stamp_ms=1)
    assert mark_dirty(user_id=user.pk) is True
    first = InsightState.objects.get(user=user)
    assert first.dirty and first.recompute_queued and first.queued_at is not None
    with CaptureQueriesContext(connection) as queries:
        assert mark_dirty(user_id=user.pk) is False
        assert mark_dirty(user_id=user.pk) is False
    # One statement each whose conditional UPDATE matches no row: nothing written, no commit waits for the disk.
    one_each = ["WITH", "WITH"] if connection.vendor == "postgresql" else ["UPDATE", "SELECT"] * 2
    assert [q["sql"].split()[0] for q in queries.captured_queries] == one_each
    assert InsightState.objects.get(user=user).queued_at == first.queued_at


def test_what_the_writes_own_tick_said_is_taken_without_asking(user):
    with CaptureQueriesContext(connection) as queries:
        assert mark_dirty(user_id=user.pk, claimed=False) is False
    assert len(queries) == 0
    assert mark_dirty(user_id=user.pk, claimed=True) is True
    assert InsightState.objects.get(user=user).recompute_queued


def test_a_write_after_the_recompute_started_claims_the_next_one(user):
    SyncClock.objects.create(user=user, last_stamp_ms=1)
    mark_dirty(user_id=user.pk)
    insights_recompute(user_id=user.pk)  # frees the claim before it reads the diary
    state = InsightState.objects.get(user=user)
    assert not state.dirty and not state.recompute_queued
    assert SyncClock.objects.get(user=user).recompute_claimed_ms is None
    assert mark_dirty(user_id=user.pk) is True
    assert InsightState.objects.get(user=user).dirty


def test_a_claim_whose_recompute_was_lost_is_free_again_after_the_give_up_time(user):
    now_ms = int(time.time() * 1000)
    SyncClock.objects.create(user=user, last_stamp_ms=now_ms)
    assert mark_dirty(user_id=user.pk) is True
    SyncClock.objects.filter(user=user).update(recompute_claimed_ms=now_ms - CLAIM_GIVE_UP_MS + 60_000)
    assert mark_dirty(user_id=user.pk) is False  # 29 minutes old: its recompute may still come
    SyncClock.objects.filter(user=user).update(recompute_claimed_ms=now_ms - CLAIM_GIVE_UP_MS - 60_000)
    assert mark_dirty(user_id=user.pk) is True


def test_claims_are_per_user(user, make_user):
    other = make_user()
    for someone in (user, other):
        SyncClock.objects.create(user=someone, last_stamp_ms=1)
    assert mark_dirty(user_id=user.pk) is True
    assert mark_dirty(user_id=other.pk) is True
    assert mark_dirty(user_id=user.pk) is False


def test_a_user_without_a_clock_row_is_claimed_for(user):
    assert mark_dirty(user_id=user.pk) is True


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the one-statement create is PostgreSQL's")
def test_a_rest_create_claims_in_its_own_statement_and_a_burst_claims_once(auth_client, user):
    heard: list[bool | None] = []

    def listen(sender, claimed=None, **kwargs):
        heard.append(claimed)

    def create(client_id: str) -> None:
        body = payload("episodes", user=user, id=client_id)
        assert auth_client.post("/api/v1/episodes/", body, format="json").status_code == 201

    create("first")  # the user's first write makes the clock row on the transactional path
    recompute_claim_drop(user.pk)
    diary_changed.connect(listen, dispatch_uid="test_mark_dirty")
    try:
        with CaptureQueriesContext(connection) as queries:
            create("second")
        statements = [q["sql"] for q in queries.captured_queries]  # read now: a request empties the log
        create("third")
        recompute_claim_drop(user.pk)  # what the recompute does before it reads
        create("fourth")
        auth_client.post("/api/v1/episodes/", payload("episodes", user=user, id="fourth"), format="json")
    finally:
        diary_changed.disconnect(dispatch_uid="test_mark_dirty")

    # The tick took the claim: the create asked nothing more of anyone before queueing.
    assert [sql.split()[0] for sql in statements if "sync_clock" in sql] == ["WITH"]
    assert heard == [True, False, True]  # the refused fifth (409) found the claim held and said nothing
    assert InsightState.objects.get(user=user).recompute_queued


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks are PostgreSQL's here")
def test_freeing_the_claim_waits_for_a_write_that_still_holds_the_clock(user):
    """A write that found the claim held must be committed before the recompute reads."""
    SyncClock.objects.create(user=user, last_stamp_ms=1, recompute_claimed_ms=1)
    settings = connection.settings_dict
    writer = psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
    )
    freed = threading.Event()

    def free() -> None:
        try:
            recompute_claim_drop(user.pk)
            freed.set()
        finally:
            connections.close_all()

    try:
        # The write's tick: it holds the clock's row lock until it commits.
        writer.execute("UPDATE diary_sync_clock SET last_stamp_ms = last_stamp_ms + 1 WHERE user_id = %s", [user.pk])
        thread = threading.Thread(target=free)
        thread.start()
        waiting = False
        for _ in range(200):  # until PostgreSQL shows the freeing UPDATE waiting for the row's lock
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
                    ["UPDATE %diary_sync_clock%recompute_claimed_ms%"],
                )
                waiting = cursor.fetchone()[0] == 1
            if waiting:
                break
            time.sleep(0.05)
        assert waiting and not freed.is_set()
        writer.commit()
        thread.join(timeout=30)
        assert freed.is_set()
    finally:
        writer.close()
    assert SyncClock.objects.get(user=user).recompute_claimed_ms is None


@pytest.mark.django_db(transaction=True)
def test_a_sync_push_claims_with_its_tick_and_a_push_of_nothing_claims_nothing(auth_client, user):
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("tasks run inside the request: the recompute frees each claim at once")
    heard: list[bool | None] = []

    def listen(sender, claimed=None, **kwargs):
        heard.append(claimed)

    def clock_statements(body) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert push(auth_client, body).status_code == 200
        return [q["sql"].split()[0] for q in queries.captured_queries if "diary_sync_clock" in q["sql"]]

    assert push(auth_client, changes(episodes=[wire("episodes", "e0")])).status_code == 200  # the clock row
    recompute_claim_drop(user.pk)
    diary_changed.connect(listen, dispatch_uid="test_mark_dirty_push")
    try:
        assert clock_statements(changes(episodes=[wire("episodes", "e1")])) == ["UPDATE"]  # the tick, and no more
        assert clock_statements(changes(episodes=[wire("episodes", "e2")])) == ["UPDATE"]
        recompute_claim_drop(user.pk)
        assert clock_statements(changes(episodes=[])) == ["UPDATE"]
        assert SyncClock.objects.get(user=user).recompute_claimed_ms is None
        # A refused push (a record another table needs is missing) rolls its claim back with it.
        dose = wire("medication_doses", "d1", medication_id="no-such-medication")
        assert push(auth_client, changes(medication_doses=[dose])).status_code >= 400
        assert SyncClock.objects.get(user=user).recompute_claimed_ms is None
    finally:
        diary_changed.disconnect(dispatch_uid="test_mark_dirty_push")

    assert heard == [True, False]  # the empty push announced nothing and took no claim
