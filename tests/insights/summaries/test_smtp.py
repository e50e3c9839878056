"""End to end through a real SMTP server on localhost (aiosmtpd): dispatch, send, parse what arrived."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.test import override_settings

from accounts.models import User
from insights.summaries.models import SummaryStatus, WeeklySummary
from tests.builders import local, row
from tests.insights.summaries import states
from tests.insights.summaries.smtp_inbox import Inbox, free_port


@pytest.fixture
def smtp_server() -> Iterator[Inbox]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ):
            yield inbox
    finally:
        controller.stop()


def test_a_summary_travels_through_a_real_smtp_server_and_parses(
    make_user: Callable[..., User], smtp_server: Inbox, dispatch: Callable[[], int]
) -> None:
    user = make_user(email="kai@example.org", display_name="Kai", timezone="Asia/Kolkata")
    states.save_all(
        [row("episodes", user=user, at=local(date(2026, 1, 6), 10, "Asia/Kolkata"), duration_s=120, intensity=6)]
    )
    with time_machine.travel(datetime(2026, 1, 12, 3, 5, tzinfo=UTC), tick=False):  # 08:35 in Kolkata
        dispatch()
        dispatch()

    (message,) = smtp_server.messages
    assert message["To"] == "kai@example.org"
    assert message["Subject"] == "Your Twitchlog week: 5\u201311 January 2026"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(message["List-Unsubscribe"]).strip().startswith("<https://twitchlog.example/unsubscribe/")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    # The diary began this week: no column for the week before, and no "against 0".
    assert "- Episodes: 1\n" in text.replace("\r\n", "\n")
    assert "This is your first week in the diary" in text
    assert "2 min" in text and "2 min" in html
    (image,) = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"cid:{image['Content-ID'].strip('<>')}" in html
    assert WeeklySummary.objects.get(user=user).status == SummaryStatus.SENT


def test_a_recipient_the_server_refuses_is_recorded_as_failed_once(
    make_user: Callable[..., User], smtp_server: Inbox, dispatch: Callable[[], int]
) -> None:
    user = make_user(email="gone@example.org", timezone="UTC")
    smtp_server.refuse.add(user.email)
    with time_machine.travel(datetime(2026, 1, 12, 9, 5, tzinfo=UTC), tick=False):
        dispatch()
    with time_machine.travel(datetime(2026, 1, 12, 10, 5, tzinfo=UTC), tick=False):
        dispatch()
    summary = WeeklySummary.objects.get(user=user)
    assert (summary.status, summary.attempts) == (SummaryStatus.FAILED, 1)
    assert "550" in summary.last_error
    assert smtp_server.messages == []
