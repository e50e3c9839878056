"""manage.py send_weekly_summaries: one user or everyone due, a dry run, progress printed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.models import User
from insights.summaries.models import WeeklySummary

MONDAY_MORNING = datetime(2026, 1, 12, 9, 5, tzinfo=UTC)


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_weekly_summaries", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_lists_who_is_due_and_sends_and_stores_nothing(make_user: Callable[..., User]) -> None:
    make_user(email="due@example.org", timezone="UTC")
    make_user(email="later@example.org", timezone="America/New_York")  # 04:05 there
    with time_machine.travel(MONDAY_MORNING, tick=False):
        output = run("--dry-run")
    assert "would send to due@example.org (UTC)" in output
    assert "later@example.org" not in output
    assert mail.outbox == []
    assert not WeeklySummary.objects.exists()


def test_it_sends_to_everyone_due_with_progress_and_never_twice(make_user: Callable[..., User]) -> None:
    for n in range(3):
        make_user(email=f"due{n}@example.org", timezone="Europe/London")
    with time_machine.travel(MONDAY_MORNING, tick=False):
        first = run()
        second = run()
    assert "[3/3] summary" in first
    assert "Done: 3 sent." in first
    assert "Done: nothing to send." in second
    assert len(mail.outbox) == 3


def test_it_sends_one_users_summary_on_any_day_and_only_once(user: User) -> None:
    with time_machine.travel(datetime(2026, 1, 14, 12, 0, tzinfo=UTC), tick=False):  # a Wednesday
        assert "sent" in run("--user", "ANN@example.org")
        assert "already-claimed" in run("--user", user.email)
    (message,) = mail.outbox
    assert "5\u201311 January 2026" in message.subject


def test_a_dry_run_for_one_user_prints_the_email(user: User) -> None:
    with time_machine.travel(MONDAY_MORNING, tick=False):
        output = run("--user", user.email, "--dry-run")
    assert "Would send to ann@example.org: Your Twitchlog week" in output
    assert mail.outbox == []


def test_an_unknown_user_is_an_error(db: None) -> None:
    with pytest.raises(CommandError, match="No user"):
        run("--user", "nobody@example.org")
