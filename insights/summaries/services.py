"""Writes for weekly summaries: dispatch, the exactly-once claim, the send, and unsubscribing.

Exactly once per (user, week) rests on the database, not on the queue. The dispatcher
inserts one row per user and week under a unique constraint, ignoring a conflict, so two
beats insert one row. A send first claims the row with a conditional UPDATE (pending ->
sending); of two workers racing on one row only one UPDATE matches, and the other sends
nothing. The one gap left is a worker that dies after the SMTP server accepted the mail
but before the row says ``sent``: after STALE_SENDING its row is claimed again. That is the
usual trade between at-least-once and at-most-once; it needs a crash at one precise moment.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from insights.summaries import selectors
from insights.summaries.email_message import build_message, render_summary
from insights.summaries.models import SummaryStatus, WeeklySummary
from insights.summaries.tokens import user_id_from_token
from insights.summaries.weeks import Week, due_weeks_by_timezone, week_to_send

logger = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died; it must exceed the task's hard time limit.
STALE_SENDING = timedelta(minutes=15)
# A pending row untouched this long has lost its task (a broker flushed, say); the retries'
# backoff stays well inside it, so a row waiting for its retry is never sent early.
ORPHANED_PENDING = timedelta(minutes=30)
CHUNK = 500
RETRY_BASE_SECONDS = 60
MAX_RETRIES = 4


class TransientSendError(Exception):
    """The SMTP server could not take the message now; the send may succeed later."""


def retry_delay(retries: int) -> int:
    """Exponential backoff: 1, 2, 4, 8 minutes, all well inside ORPHANED_PENDING."""
    return RETRY_BASE_SECONDS * 2**retries


def _is_permanent(exc: Exception) -> bool:
    """Whether retrying cannot help: the recipient refused, or any other 5xx answer."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def summaries_dispatch(
    *, enqueue: Callable[[int], object], now: datetime | None = None, after_commit: bool = True
) -> int:
    """Create this week's row for every user now due and enqueue a send for each row that needs one.

    ``now`` decides who is due (Monday from 08:00 local); bookkeeping uses the real clock.
    Users are read in keyset-paged chunks, so memory stays flat however many are due.
    ``after_commit=False`` hands ids over at once, for a caller that sends them itself in
    this process and transaction. Returns how many sends were enqueued.
    """
    clock = timezone.now()
    groups = due_weeks_by_timezone(now or clock, selectors.summary_timezones())
    enqueued = 0
    for week, zones in groups.items():
        last_pk = 0
        while True:
            user_ids = list(
                selectors.users_without_summary(timezones=zones, week=week)
                .filter(pk__gt=last_pk)
                .values_list("pk", flat=True)[:CHUNK]
            )
            if not user_ids:
                break
            # A concurrent dispatcher may have inserted some of these rows: the unique
            # constraint turns its duplicates into no-ops.
            WeeklySummary.objects.bulk_create(
                [WeeklySummary(user_id=user_id, week_start=week.start) for user_id in user_ids],
                ignore_conflicts=True,
            )
            last_pk = user_ids[-1]
        summary_ids = selectors.summaries_to_enqueue(
            timezones=zones,
            week=week,
            created_since=clock,
            orphaned_before=clock - ORPHANED_PENDING,
            stale_before=clock - STALE_SENDING,
        )
        for summary_id in summary_ids:
            if after_commit:
                # Enqueue only once the rows are committed, or a fast worker could miss its row.
                transaction.on_commit(partial(enqueue, summary_id))
            else:
                enqueue(summary_id)
            enqueued += 1
    return enqueued


def summary_claim(*, summary_id: int) -> bool:
    """Move the row to ``sending`` if nobody else holds it; True when this caller won it."""
    now = timezone.now()
    claimable = Q(status=SummaryStatus.PENDING) | Q(status=SummaryStatus.SENDING, claimed_at__lt=now - STALE_SENDING)
    updated = WeeklySummary.objects.filter(claimable, pk=summary_id).update(
        status=SummaryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
    )
    return updated == 1


def _finish(
    summary_id: int,
    status: str,
    *,
    error: str | None = None,
    sent_at: datetime | None = None,
    flags_emailed: list[dict[str, str]] | None = None,
) -> None:
    """Close a claimed row; a sent row keeps the error of any earlier attempt, for the admin."""
    values: dict[str, object] = {"status": status, "sent_at": sent_at, "updated_at": timezone.now()}
    if error is not None:
        values["last_error"] = error[:2000]
    if flags_emailed is not None:
        values["flags_emailed"] = flags_emailed
    WeeklySummary.objects.filter(pk=summary_id, status=SummaryStatus.SENDING).update(**values)


def summary_send(*, summary_id: int) -> str:
    """Claim, render and send one summary; returns the row's outcome.

    A temporary SMTP failure hands the row back as ``pending`` and raises TransientSendError
    for the task to retry; a permanent one (a refused recipient, any 5xx) marks it ``failed``
    at once, so it never loops.
    """
    if not summary_claim(summary_id=summary_id):
        return "already-claimed"
    summary = selectors.summary_with_user(summary_id=summary_id)
    if summary is None:  # the account was deleted between the claim and now
        return "gone"
    user = summary.user
    # The address may have changed (and so lost its confirmation) since the row was made.
    if not (user.is_active and user.weekly_summary_enabled and user.email_confirmed_at is not None):
        _finish(summary_id, SummaryStatus.SKIPPED)
        return SummaryStatus.SKIPPED
    try:
        rendered = render_summary(user, Week(summary.week_start))
        if rendered.before_diary:
            # A diary begun after the week: its first email is next Monday's, about its first week.
            _finish(summary_id, SummaryStatus.SKIPPED)
            return SummaryStatus.SKIPPED
        message = build_message(user, rendered)
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"
        if _is_permanent(exc):
            logger.warning("Weekly summary %s failed permanently: %s", summary_id, type(exc).__name__)
            _finish(summary_id, SummaryStatus.FAILED, error=error)
            return SummaryStatus.FAILED
        WeeklySummary.objects.filter(pk=summary_id, status=SummaryStatus.SENDING).update(
            status=SummaryStatus.PENDING, last_error=error[:2000], updated_at=timezone.now()
        )
        raise TransientSendError(error) from exc
    except Exception as exc:
        # A bug in rendering must not leave the row claimed until it goes stale and loops.
        logger.exception("Weekly summary %s could not be built", summary_id)
        _finish(summary_id, SummaryStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    # Only a sent email counts as having shown its flags: next week repeats them as reminders.
    _finish(summary_id, SummaryStatus.SENT, sent_at=timezone.now(), flags_emailed=list(rendered.flags_emailed))
    return SummaryStatus.SENT


def summary_give_up(*, summary_id: int, error: str) -> None:
    """Record a send whose retries are exhausted as failed, for the admin to see."""
    WeeklySummary.objects.filter(pk=summary_id, status__in=(SummaryStatus.PENDING, SummaryStatus.SENDING)).update(
        status=SummaryStatus.FAILED, last_error=error[:2000], updated_at=timezone.now()
    )


def summary_for_user(*, user: User, now: datetime | None = None) -> WeeklySummary:
    """The row for the week ``user``'s summary covers now, created if needed (the command's --user)."""
    week = week_to_send(now or timezone.now(), user.timezone)
    summary, _ = WeeklySummary.objects.get_or_create(user=user, week_start=week.start)
    return summary


def summaries_unsubscribe(*, token: str) -> None:
    """Turn summaries off for the token's user; raises InvalidToken for a forged or damaged token.

    Unsubscribing twice, or for an account deleted since, is fine: the link did its job.
    """
    User.objects.filter(pk=user_id_from_token(token)).update(weekly_summary_enabled=False)
