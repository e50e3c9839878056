"""Sending one summary: the claim, retries with backoff, permanent failures, races and query counts."""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, connections

from accounts.models import User
from insights.summaries import services
from insights.summaries.models import SummaryStatus, WeeklySummary
from insights.summaries.tasks import send_weekly_summary
from tests.builders import local, row
from tests.insights.summaries import states
from tests.query_counts import assert_same_query_count, captured_queries

WEEK_START = date(2026, 1, 5)
SEND_TIME = datetime(2026, 1, 12, 9, 5, tzinfo=UTC)


@pytest.fixture
def frozen_monday() -> Iterator[None]:
    with time_machine.travel(SEND_TIME, tick=False):
        yield


class SmtpScript:
    """Makes the locmem backend raise the given errors on its first sends, then deliver."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.errors: list[Exception] = []
        self.calls = 0
        original = EmailBackend.send_messages

        def send_messages(backend: EmailBackend, messages: Any) -> int:
            self.calls += 1
            if self.errors:
                raise self.errors.pop(0)
            return original(backend, messages)

        monkeypatch.setattr(EmailBackend, "send_messages", send_messages)


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> SmtpScript:
    return SmtpScript(monkeypatch)


def pending(user: User) -> WeeklySummary:
    return WeeklySummary.objects.create(user=user, week_start=WEEK_START)


def test_a_summary_is_sent_once_and_marked_sent(user: User, frozen_monday: None) -> None:
    summary = pending(user)
    assert send_weekly_summary.apply(args=[summary.pk]).get() == SummaryStatus.SENT
    assert send_weekly_summary.apply(args=[summary.pk]).get() == "already-claimed"
    summary.refresh_from_db()
    assert (summary.status, summary.attempts, summary.sent_at) == (SummaryStatus.SENT, 1, SEND_TIME)
    assert len(mail.outbox) == 1


def test_an_smtp_failure_then_success_sends_one_email(user: User, frozen_monday: None, smtp: SmtpScript) -> None:
    smtp.errors = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]
    summary = pending(user)
    send_weekly_summary.apply(args=[summary.pk])
    summary.refresh_from_db()
    assert smtp.calls == 2
    assert len(mail.outbox) == 1
    assert (summary.status, summary.attempts) == (SummaryStatus.SENT, 2)
    assert "SMTPServerDisconnected" in summary.last_error  # the failure stays visible in the admin


def test_a_permanent_failure_is_recorded_at_once_without_a_retry_loop(
    user: User, frozen_monday: None, smtp: SmtpScript
) -> None:
    smtp.errors = [smtplib.SMTPRecipientsRefused({user.email: (550, b"5.1.1 No such user")})]
    summary = pending(user)
    assert send_weekly_summary.apply(args=[summary.pk]).get() == SummaryStatus.FAILED
    summary.refresh_from_db()
    assert smtp.calls == 1
    assert mail.outbox == []
    assert (summary.status, summary.attempts) == (SummaryStatus.FAILED, 1)
    assert "SMTPRecipientsRefused" in summary.last_error
    # Neither a retry nor the next dispatch picks a failed summary up again.
    assert send_weekly_summary.apply(args=[summary.pk]).get() == "already-claimed"
    assert smtp.calls == 1


def test_temporary_failures_are_retried_then_recorded_as_failed(
    user: User, frozen_monday: None, smtp: SmtpScript
) -> None:
    smtp.errors = [smtplib.SMTPConnectError(421, b"Service not available")] * 10
    summary = pending(user)
    assert send_weekly_summary.apply(args=[summary.pk]).get() == SummaryStatus.FAILED
    summary.refresh_from_db()
    assert smtp.calls == 1 + services.MAX_RETRIES
    assert (summary.status, summary.attempts) == (SummaryStatus.FAILED, 1 + services.MAX_RETRIES)
    assert "SMTPConnectError" in summary.last_error
    assert mail.outbox == []


def test_on_a_worker_a_temporary_failure_is_retried_with_exponential_backoff(
    user: User, frozen_monday: None, smtp: SmtpScript, monkeypatch: pytest.MonkeyPatch
) -> None:
    countdowns: list[int] = []

    def retry(*args: Any, countdown: int, **kwargs: Any) -> Retry:
        countdowns.append(countdown)
        return Retry("retry", when=countdown)

    monkeypatch.setattr(send_weekly_summary, "retry", retry)
    summary = pending(user)
    for attempt in range(services.MAX_RETRIES):
        smtp.errors = [smtplib.SMTPServerDisconnected("gone")]
        send_weekly_summary.push_request(is_eager=False, retries=attempt)
        try:
            with pytest.raises(Retry):
                send_weekly_summary.run(summary.pk)
        finally:
            send_weekly_summary.pop_request()
        summary.refresh_from_db()
        assert summary.status == SummaryStatus.PENDING  # handed back for the retry to claim
    assert countdowns == [60, 120, 240, 480]

    smtp.errors = [smtplib.SMTPServerDisconnected("gone")]
    send_weekly_summary.push_request(is_eager=False, retries=services.MAX_RETRIES)
    try:
        assert send_weekly_summary.run(summary.pk) == "failed"
    finally:
        send_weekly_summary.pop_request()
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.FAILED


def test_a_user_who_turned_summaries_off_before_the_send_gets_nothing(user: User, frozen_monday: None) -> None:
    summary = pending(user)
    User.objects.filter(pk=user.pk).update(weekly_summary_enabled=False)
    assert send_weekly_summary.apply(args=[summary.pk]).get() == SummaryStatus.SKIPPED
    assert mail.outbox == []


def test_a_claim_left_by_a_dead_worker_is_taken_over_once_it_is_stale(user: User) -> None:
    summary = pending(user)
    with time_machine.travel(SEND_TIME, tick=False):
        assert services.summary_claim(summary_id=summary.pk)  # this worker then dies
    with time_machine.travel(SEND_TIME + timedelta(minutes=5), tick=False):
        assert send_weekly_summary.apply(args=[summary.pk]).get() == "already-claimed"
    with time_machine.travel(SEND_TIME + services.STALE_SENDING + timedelta(minutes=1), tick=False):
        assert send_weekly_summary.apply(args=[summary.pk]).get() == SummaryStatus.SENT
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locking")
@pytest.mark.django_db(transaction=True)
def test_two_sends_of_the_same_summary_at_once_on_postgresql_send_one_email(
    make_user: Callable[..., User],
) -> None:
    user = make_user(timezone="Europe/London")
    summaries = [pending(user)] + [pending(make_user(timezone="UTC")) for _ in range(4)]
    barrier = threading.Barrier(2 * len(summaries))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def send(summary_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes.append(services.summary_send(summary_id=summary_id))
        except BaseException as exc:  # a failed thread must fail the test, not vanish
            errors.append(exc)
        finally:
            connections.close_all()

    # Every summary is sent by two threads at once; several summaries make the race likely.
    threads = [threading.Thread(target=send, args=(s.pk,)) for s in summaries for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(outcomes) == sorted([SummaryStatus.SENT] * len(summaries) + ["already-claimed"] * len(summaries))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.user.email for s in summaries)
    assert set(WeeklySummary.objects.values_list("status", flat=True)) == {SummaryStatus.SENT}


def _diary(user: User, entries: int) -> None:
    """``entries`` rows spread over the five weeks the summary reads, and a year before them."""
    rows: list[Any] = []
    start = local(date(2025, 1, 1), 0, user.timezone)
    span = SEND_TIME - start
    for n in range(entries):
        at = start + span * (n / entries)
        kind = n % 4
        if kind == 0:
            rows.append(
                row(
                    "episodes",
                    user=user,
                    at=at,
                    duration_s=60,
                    intensity=1 + n % 10,
                    body_sites=["left_index", "right_thumb"],
                )
            )
        elif kind == 1:
            rows.append(row("caffeine_intakes", user=user, at=at, mg=95))
        elif kind == 2:
            rows.append(row("sleep_logs", user=user, at=at, bed_at=at - timedelta(hours=6.5)))
        else:
            rows.append(row("stress_logs", user=user, at=at, level=n % 11))
    states.save_all(rows)


def test_queries_per_user_are_the_same_for_10_entries_and_1000(
    make_user: Callable[..., User], frozen_monday: None
) -> None:
    counts = {}
    for entries in (10, 1000):
        user = make_user(timezone="America/Los_Angeles")
        _diary(user, entries)
        states.open_flag(user)
        states.insight_state(
            user, [states.association("caffeine", "More on coffee days.", significant=True, q_value=0.01)]
        )
        summary = pending(user)
        with captured_queries() as queries:
            assert services.summary_send(summary_id=summary.pk) == SummaryStatus.SENT
        counts[entries] = queries
    assert_same_query_count(counts[10], counts[1000], "10 entries against 1000")
    # Claim, user, seven diary tables and the day check-ins, the first entry ever, flags, flags
    # emailed before, the insight state, the self-experiment line, the send's bookkeeping.
    assert len(counts[10]) <= 18, str(counts[10])
    assert len(mail.outbox) == 2
