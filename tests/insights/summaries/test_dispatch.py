"""The hourly dispatcher: each user's own Monday 08:00, once per week, whatever the beats do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from accounts.models import User
from config.celery_app import app
from insights.summaries import services
from insights.summaries.models import SummaryStatus, WeeklySummary
from insights.summaries.tasks import dispatch_weekly, send_weekly_summary
from tests.builders import local, row
from tests.conftest import authenticated_client
from tests.insights.summaries import states

# Monday 12 January 2026: Los Angeles is on UTC-8, Kolkata on UTC+5:30, Auckland on UTC+13 (summer).
MONDAY = date(2026, 1, 12)
ZONES = {
    # zone: the UTC instant of the first hourly beat (minute 5) at or after local Monday 08:00
    "America/Los_Angeles": datetime(2026, 1, 12, 16, 5, tzinfo=UTC),
    "Asia/Kolkata": datetime(2026, 1, 12, 3, 5, tzinfo=UTC),  # 08:35 local
    "Pacific/Auckland": datetime(2026, 1, 11, 19, 5, tzinfo=UTC),  # still Sunday in UTC
}


def hourly_beats(first: datetime, last: datetime) -> list[datetime]:
    beats, moment = [], first
    while moment <= last:
        beats.append(moment)
        moment += timedelta(hours=1)
    return beats


def test_each_user_gets_one_email_at_their_own_monday_8am_with_their_own_weeks_dates(
    make_user: Callable[..., User],
    dispatch: Callable[[], int],
) -> None:
    users = {zone: make_user(timezone=zone, display_name=zone.split("/")[1]) for zone in ZONES}
    # One episode each on the last evening of their local week (Sunday 11 January, 21:00 local),
    # which is Monday in UTC for Los Angeles, and one on their local Monday 5 January at 09:00,
    # which is still Sunday 4 January in UTC for Auckland: both belong to the week 5-11 January.
    states.save_all(
        [
            row("episodes", user=user, at=local(date(2026, 1, 11), 21, zone), duration_s=60)
            for zone, user in users.items()
        ]
        + [
            row("episodes", user=user, at=local(date(2026, 1, 5), 9, zone), duration_s=60)
            for zone, user in users.items()
        ]
    )

    arrivals: dict[str, list[datetime]] = {}
    for beat in hourly_beats(datetime(2026, 1, 10, 0, 5, tzinfo=UTC), datetime(2026, 1, 14, 0, 5, tzinfo=UTC)):
        with time_machine.travel(beat, tick=False):
            before = len(mail.outbox)
            dispatch()
            for message in mail.outbox[before:]:
                arrivals.setdefault(message.to[0], []).append(beat)

    for zone, user in users.items():
        assert arrivals[user.email] == [ZONES[zone]], zone
        (message,) = [m for m in mail.outbox if m.to == [user.email]]
        assert "5\u201311 January 2026" in message.subject
        assert "- Episodes: 2\n" in message.body
        assert WeeklySummary.objects.get(user=user).week_start == date(2026, 1, 5)
    assert len(mail.outbox) == 3


def test_the_dispatcher_run_twice_sends_one_email(user: User, dispatch: Callable[[], int]) -> None:
    with time_machine.travel(datetime(2026, 1, 12, 8, 5, tzinfo=UTC), tick=False):  # 08:05 in London
        dispatch()
        dispatch()
    assert len(mail.outbox) == 1
    assert WeeklySummary.objects.get(user=user).status == SummaryStatus.SENT


def test_a_missed_monday_morning_is_sent_later_that_day_and_never_twice(
    user: User, dispatch: Callable[[], int]
) -> None:
    # The beats from 08:05 to 13:05 were lost (worker down); the first one to run is at 14:05.
    for hour in (14, 15, 23):
        with time_machine.travel(datetime(2026, 1, 12, hour, 5, tzinfo=UTC), tick=False):
            dispatch()
    with time_machine.travel(datetime(2026, 1, 13, 8, 5, tzinfo=UTC), tick=False):
        dispatch()
    assert len(mail.outbox) == 1
    assert "5\u201311 January 2026" in mail.outbox[0].subject


def test_nothing_is_sent_before_8am_local_on_monday(user: User, dispatch: Callable[[], int]) -> None:
    with time_machine.travel(datetime(2026, 1, 12, 7, 59, tzinfo=UTC), tick=False):
        assert dispatch() == 0
    assert mail.outbox == []
    assert not WeeklySummary.objects.exists()


def test_it_obeys_summaries_off_and_inactive_accounts(
    make_user: Callable[..., User], dispatch: Callable[[], int]
) -> None:
    make_user(timezone="UTC", weekly_summary_enabled=False)
    make_user(timezone="UTC", is_active=False)
    with time_machine.travel(datetime(2026, 1, 12, 9, 5, tzinfo=UTC), tick=False):
        dispatch()
    assert mail.outbox == []
    assert not WeeklySummary.objects.exists()


def test_a_summary_already_sent_is_not_enqueued_again(user: User, dispatch: Callable[[], int]) -> None:
    sent: list[int] = []
    with time_machine.travel(datetime(2026, 1, 12, 9, 5, tzinfo=UTC), tick=False):
        dispatch()
    with time_machine.travel(datetime(2026, 1, 12, 10, 5, tzinfo=UTC), tick=False):
        assert services.summaries_dispatch(enqueue=sent.append) == 0
    assert sent == []


@pytest.mark.parametrize("task", [dispatch_weekly, send_weekly_summary])
def test_the_summary_tasks_go_to_the_email_queue(task: object) -> None:
    route = app.amqp.router.route({}, task.name)  # type: ignore[attr-defined]
    assert route["queue"].name == "email"


def test_beat_runs_the_dispatcher_every_hour() -> None:
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "email.dispatch_weekly"]
    schedule = entry["schedule"]
    assert schedule.hour == set(range(24))
    assert len(schedule.minute) == 1


def test_after_the_phone_moves_monday_morning_is_where_the_person_is_now(
    user: User, dispatch: Callable[[], int]
) -> None:
    # The profile was London's; on Saturday the phone, now in Auckland, sent its zone.
    with time_machine.travel(datetime(2026, 1, 10, 9, 0, tzinfo=UTC), tick=False):
        client = authenticated_client(user)
        assert client.patch("/api/v1/me/", {"timezone": "Pacific/Auckland"}, format="json").status_code == 200

    arrivals = []
    for beat in hourly_beats(datetime(2026, 1, 11, 0, 5, tzinfo=UTC), datetime(2026, 1, 12, 12, 5, tzinfo=UTC)):
        with time_machine.travel(beat, tick=False):
            before = len(mail.outbox)
            dispatch()
            arrivals += [beat] * (len(mail.outbox) - before)

    # Monday 08:05 in Auckland (Sunday 19:05 UTC), not Monday 08:05 in London: once.
    assert arrivals == [ZONES["Pacific/Auckland"]]
    assert "5\u201311 January 2026" in mail.outbox[0].subject
