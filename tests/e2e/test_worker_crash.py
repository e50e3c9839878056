"""Crashes and double fires against real `celery worker` and `celery beat` processes (docs/operations.md).

A worker killed mid-task must not lose the task: another worker gets it again and finishes
it, once. Beat firing the weekly dispatcher more than once must still send one email per
user and week. These need processes of their own, because a crash is the point: the tests
start Celery through tests/e2e/celery_launcher.py on this test process's PostgreSQL test
database and Redis database, and SIGKILL them as a machine failure would.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accounts.models import User
from diary.demo import demo_user_seed
from insights import services, tasks
from insights.models import Flag, InsightState
from insights.summaries.models import SummaryStatus, WeeklySummary
from insights.summaries.tasks import dispatch_weekly
from tests.builders import local, row
from tests.e2e.celery_launcher import PID_KEY, STALL_KEY
from tests.e2e.celery_processes import CeleryProcesses, celery_processes, wait_for
from tests.insights.summaries import states
from tests.insights.summaries.smtp_inbox import Inbox, free_port

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is unset: no real broker for a worker process"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker process needs a database it can share with the test: PostgreSQL (DATABASE_URL)",
    ),
]

# The worker that is killed holds its message unacknowledged in Redis; kombu puts such a
# message back on its queue once it is older than the visibility timeout (an hour in
# production, above the tasks' hard time limit). The tests run the workers with seconds
# instead, so the redelivery comes within the test. It must still exceed how long the
# redelivered recompute takes (a fraction of a second, more on a loaded CI machine), or the
# second worker would see its own message come back and run it twice.
VISIBILITY_TIMEOUT = 10
# Long enough that the first worker is surely still inside the task when it is killed.
STALL_SECONDS = 60


@pytest.fixture
def broker() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[CeleryProcesses]:
    with celery_processes(
        tmp_path,
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        E2E_STALL_STORE_SECONDS=str(STALL_SECONDS),
    ) as started:
        yield started


def broker_is_empty(broker: redis.Redis, queue: str) -> bool:
    """Nothing waiting on ``queue`` and nothing delivered but unacknowledged (kombu's Redis keys)."""
    return broker.llen(queue) == 0 and broker.hlen("unacked") == 0


def stored_insights(user_id: int) -> dict[str, Any]:
    """What a recompute stores for a user, without its bookkeeping (times, counters)."""
    state = InsightState.objects.get(user_id=user_id)
    flags = Flag.objects.filter(user_id=user_id).order_by("rule_id")
    return {
        "dirty": state.dirty,
        "sufficiency": state.sufficiency,
        "associations": state.associations,
        "flags": list(
            flags.values(
                "rule_id",
                "severity",
                "title",
                "wording",
                "source",
                "regions",
                "evidence_entry_ids",
                "evidence_dates",
                "first_seen",
                "last_seen",
                "fingerprint",
                "status",
                "active",
            )
        ),
    }


def seed_a_diary_and_queue_its_recompute(broker: redis.Redis, monkeypatch: pytest.MonkeyPatch) -> User:
    """The demo diary (four months, with associations and flags to find), written as the API
    writes: its commit marks the user dirty and puts one recompute on the broker."""
    monkeypatch.setattr(tasks, "DEBOUNCE_SECONDS", 0)
    user = demo_user_seed().user
    assert InsightState.objects.get(user=user).recompute_queued
    assert (broker.llen("insights"), broker.llen("reports")) == (1, 0)
    return user


def assert_recomputed_once_and_as_a_clean_recompute_would(user: User, broker: redis.Redis) -> None:
    state = InsightState.objects.get(user=user)
    # The killed attempt's transaction was rolled back: one count, from the attempt that finished.
    assert state.recompute_count == 1
    assert int(broker.get(STALL_KEY.format(user_id=user.pk)) or 0) == 2  # the killed attempt and the redelivery
    stored = stored_insights(user.pk)
    assert stored["sufficiency"]["enough"] is True
    assert stored["associations"] and stored["flags"]

    services.insights_recompute(user_id=user.pk)  # in this process, from scratch
    assert stored == stored_insights(user.pk)


def test_a_worker_killed_mid_recompute_has_the_task_redelivered_to_a_new_worker_which_completes_it_once(
    processes: CeleryProcesses, broker: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = seed_a_diary_and_queue_its_recompute(broker, monkeypatch)
    first = processes.worker("insights")
    started = STALL_KEY.format(user_id=user.pk)
    assert wait_for(lambda: broker.get(started) == b"1", 30), processes.logs()
    # Mid-recompute: the state row is written but not committed, the flags not yet stored,
    # and the message is delivered but, with acks_late, not acknowledged.
    assert broker.hlen("unacked") == 1

    first.kill()  # SIGKILL to the main process and its pool child: no shutdown code runs

    # Nothing of the killed attempt was committed (PostgreSQL rolls its transaction back as
    # the connection drops), and the message survived the crash, still unacknowledged.
    state = InsightState.objects.get(user=user)
    assert (state.recompute_count, state.dirty) == (0, True)
    assert not Flag.objects.filter(user=user).exists()
    assert broker.hlen("unacked") == 1

    # The new worker checks every second for messages past the visibility timeout (the
    # launcher's E2E_RESTORE_EVERY_SECOND) and takes the dead worker's back.
    processes.worker("insights", E2E_RESTORE_EVERY_SECOND="1")
    done = wait_for(lambda: InsightState.objects.filter(user=user, recompute_count__gte=1).exists(), 45)
    assert done, processes.logs()
    assert wait_for(lambda: broker_is_empty(broker, "insights"), 10), processes.logs()
    processes.stop_all()

    assert_recomputed_once_and_as_a_clean_recompute_would(user, broker)


def test_a_pool_process_killed_mid_recompute_has_its_task_requeued_at_once_and_completed_once(
    processes: CeleryProcesses, broker: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = seed_a_diary_and_queue_its_recompute(broker, monkeypatch)
    processes.worker("insights")
    started = STALL_KEY.format(user_id=user.pk)
    assert wait_for(lambda: broker.get(started) == b"1", 30), processes.logs()

    # Only the pool process dies (the kernel's OOM killer picks one so): the worker's main
    # process sees it go and, with reject_on_worker_lost, puts the message straight back
    # rather than waiting for the visibility timeout. Its new pool process runs it again.
    os.kill(int(broker.get(PID_KEY.format(user_id=user.pk)) or 0), signal.SIGKILL)

    done = wait_for(lambda: InsightState.objects.filter(user=user, recompute_count__gte=1).exists(), 30)
    assert done, processes.logs()
    assert wait_for(lambda: broker_is_empty(broker, "insights"), 10), processes.logs()
    processes.stop_all()

    assert_recomputed_once_and_as_a_clean_recompute_would(user, broker)


# Monday 12 January 2026 at 09:05 UTC: past Monday 08:00 in UTC, London, Kolkata (14:35) and
# Auckland (22:05), so summaries are due there; not yet in New York (04:05) or Los Angeles (01:05).
# The real clock says another day, so beat and the worker run at this moment (time-machine).
MONDAY_MORNING = datetime(2026, 1, 12, 9, 5, tzinfo=UTC)
DUE_ZONES = ("UTC", "Europe/London", "Asia/Kolkata", "Pacific/Auckland")
NOT_YET_DUE_ZONES = ("America/New_York", "America/Los_Angeles")
BEAT_FIRES = 3


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, str]]:
    """A real SMTP server on localhost, and the EMAIL_URL that points a worker process at it."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


def test_beat_firing_the_weekly_dispatcher_again_and_again_sends_each_due_user_one_email(
    make_user: Any, smtp_inbox: tuple[Inbox, str], broker: redis.Redis, tmp_path: Path
) -> None:
    inbox, email_url = smtp_inbox
    due = [make_user(timezone=zone) for zone in DUE_ZONES]
    not_due = [make_user(timezone=zone) for zone in NOT_YET_DUE_ZONES]
    not_due.append(make_user(timezone="UTC", weekly_summary_enabled=False))
    states.save_all(
        [row("episodes", user=user, at=local(date(2026, 1, 8), 18, user.timezone), duration_s=60) for user in due]
    )
    # The production scheduler (django-celery-beat's DatabaseScheduler), with an entry that
    # fires the hourly dispatcher every second instead. Its last run is set in beat's
    # travelled time: left empty, beat would take the row's creation (today, real time) and
    # wait months for the first fire.
    PeriodicTask.objects.create(
        name="e2e-weekly-dispatch",
        task="email.dispatch_weekly",
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS),
        last_run_at=MONDAY_MORNING - timedelta(minutes=1),
    )

    # Beat and the worker believe it is Monday morning; the four pool processes let the
    # dispatchers and the sends they queue run side by side, racing for the same rows.
    with celery_processes(tmp_path, E2E_TRAVEL_TO=MONDAY_MORNING.isoformat(), EMAIL_URL=email_url) as processes:
        processes.worker("email", concurrency=4)
        beat = processes.beat()
        # Two more fires at the very same moment, as two beats left running by a deploy would.
        dispatch_weekly.delay()
        dispatch_weekly.delay()

        def beat_fired() -> int:
            return beat.log_path.read_text(errors="replace").count("Sending due task e2e-weekly-dispatch")

        def all_sent() -> bool:
            sent = WeeklySummary.objects.filter(user__in=due, status=SummaryStatus.SENT).count()
            return sent == len(due) and beat_fired() >= BEAT_FIRES

        assert wait_for(all_sent, 45), processes.logs()
        # Beat stops first and the queue drains, so no send is still on its way when mail is counted.
        beat.stop()
        assert wait_for(lambda: broker_is_empty(broker, "email"), 20), processes.logs()

    recipients = sorted(str(message["To"]) for message in inbox.messages)
    assert recipients == sorted(user.email for user in due)
    summaries = WeeklySummary.objects.order_by("user_id")
    assert [(s.user_id, s.week_start, s.status, s.attempts) for s in summaries] == [
        (user.pk, date(2026, 1, 5), SummaryStatus.SENT, 1) for user in due
    ]
