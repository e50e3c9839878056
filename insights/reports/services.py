"""Report and share writes: check a range, render or queue a report, create and revoke shares.

Every refusal is a ``DomainError`` naming the field and the rule, which the API turns into
its one error shape. The report job's task and the daily cleanup call in here too.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from config.errors import DomainError, NotFound
from diary.models import SyncClock
from diary.selectors import diary_first_day
from diary.sync_clock import stamp_to_datetime
from diary.time_bounds import EARLIEST_DAY
from insights.reports import selectors
from insights.reports.models import ReportJob, ReportJobStatus, Share, ShareAccess, ShareAccessKind, token_hash
from insights.reports.pdf import render_report_pdf
from insights.reports.presenters import report_content
from insights.reports.report_model import ReportFile, report_filename
from insights.selectors import local_today

logger = logging.getLogger(__name__)

MAX_RANGE_DAYS = 366
# Up to this many days the PDF is rendered in the request (well under a second); longer
# ranges go through a job so a phone on a slow link is never held waiting.
DIRECT_MAX_DAYS = 90
JOB_LIFETIME = timedelta(days=7)
SHARE_MAX_DAYS = 30
SHARE_DEFAULT_DAYS = 7
# A job still "running" after this was lost with its worker: a redelivered task may take it over.
JOB_STALE_AFTER = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
TOKEN_BYTES = 32
USER_AGENT_MAX = 300


def report_range_check(*, user: User, start: date, end: date) -> None:
    """Refuse a range that is reversed, reaches past tomorrow or is longer than MAX_RANGE_DAYS.

    Tomorrow, not today, is the limit because "today" is the user's local date and a phone
    a few hours ahead of the server's idea of the user's timezone must not be refused.
    """
    if start > end:
        raise DomainError("The range starts after it ends.", fields={"from": ["must be on or before 'to'"]})
    if start < EARLIEST_DAY:
        raise DomainError(
            "The range starts before any diary can.",
            fields={"from": [f"must not be before {EARLIEST_DAY.isoformat()}"]},
        )
    first = _account_first_day(user, before=end)
    if first is not None:
        raise DomainError(
            "The range ends before your diary begins.",
            fields={"to": [f"must not be before {first.isoformat()}, the first day of your account or diary"]},
        )
    latest = local_today(user=user) + timedelta(days=1)
    if end > latest:
        raise DomainError(
            "The range reaches into the future.", fields={"to": [f"must not be after {latest.isoformat()} (tomorrow)"]}
        )
    days = (end - start).days + 1
    if days > MAX_RANGE_DAYS:
        raise DomainError(
            "The range is too long.",
            fields={"from": [f"the range may cover at most {MAX_RANGE_DAYS} days; it covers {days}"]},
        )


def _account_first_day(user: User, *, before: date) -> date | None:
    """The account's first day (its creation, or its earliest entry if that is older) when it falls
    after ``before``: a range wholly before the account's life shows nothing and is refused. The
    diary is only read for a range ending before the account was created."""
    joined = user.date_joined.astimezone(ZoneInfo(user.timezone)).date()
    if before >= joined:
        return None
    entry = diary_first_day(user=user)
    first = min(joined, entry) if entry else joined
    # A day's slack: the first entry's UTC date may be a day after its local one.
    return first if before < first - timedelta(days=1) else None


def report_needs_job(*, start: date, end: date) -> bool:
    return (end - start).days + 1 > DIRECT_MAX_DAYS


def report_pdf_render(*, user: User, start: date, end: date, scope: str = "diary") -> bytes:
    """The report PDF; ``scope="range"`` for a share, which shows its own range only."""
    return render_report_pdf(report_content(user=user, start=start, end=end, scope=scope))


def report_request(*, user: User, start: date, end: date, enqueue: Callable[[str], object]) -> ReportFile | ReportJob:
    """The report of a checked range: rendered at once when short, else a job that builds it."""
    report_range_check(user=user, start=start, end=end)
    if report_needs_job(start=start, end=end):
        return report_job_create(user=user, start=start, end=end, enqueue=enqueue)
    return ReportFile(report_pdf_render(user=user, start=start, end=end), report_filename(start=start, end=end))


def report_job_create(*, user: User, start: date, end: date, enqueue: Callable[[str], object]) -> ReportJob:
    """A job that builds the report in the reports queue, enqueued once the row is committed.

    ``enqueue`` hands the new job's id to the queue: the view passes ``tasks.build_report_pdf.delay``.
    It is a parameter because tasks.py imports this module, never the reverse (tests/test_layers.py).
    A job for the same range that is still queued or running, or that finished building after
    the diary last changed, is handed back instead: an app that retries or asks again gets the
    one build, never a second copy kept for a week.
    """
    report_range_check(user=user, start=start, end=end)
    now = timezone.now()
    # A build that started after the diary's last change shows what a new one would.
    last_stamp = SyncClock.objects.filter(user=user).values_list("last_stamp_ms", flat=True).first()
    current = Q(status=ReportJobStatus.DONE, started_at__gte=stamp_to_datetime(last_stamp or 0))
    pending = (
        ReportJob.objects.filter(user=user, range_start=start, range_end=end, expires_at__gt=now)
        .filter(Q(status__in=(ReportJobStatus.QUEUED, ReportJobStatus.RUNNING)) | current)
        .defer("pdf")
        .order_by("-created_at")
        .first()
    )
    if pending is not None:
        return pending
    with transaction.atomic():
        job = ReportJob.objects.create(
            user=user, range_start=start, range_end=end, created_at=now, expires_at=now + JOB_LIFETIME
        )
        job_id = str(job.pk)
        transaction.on_commit(lambda: enqueue(job_id))
    return job


def report_job_run(*, job_id: str) -> ReportJob | None:
    """Build a job's PDF and store it. Safe to run twice: a done job is left alone, and a job
    another worker is building is left to it unless that worker has been silent too long."""
    now = timezone.now()
    claimable = Q(status__in=(ReportJobStatus.QUEUED, ReportJobStatus.FAILED)) | Q(
        status=ReportJobStatus.RUNNING, started_at__lt=now - JOB_STALE_AFTER
    )
    claimed = ReportJob.objects.filter(claimable, pk=job_id, expires_at__gt=now).update(
        status=ReportJobStatus.RUNNING, started_at=now, error=""
    )
    job = ReportJob.objects.select_related("user").defer("pdf").filter(pk=job_id).first()
    if not claimed or job is None:
        return job
    try:
        pdf = report_pdf_render(user=job.user, start=job.range_start, end=job.range_end)
    except Exception as exc:
        # The trace goes to the log; the job keeps only the error's type, never diary content.
        logger.exception("Report job %s failed", job_id)
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJobStatus.FAILED,
            finished_at=timezone.now(),
            error=f"The report could not be built ({type(exc).__name__}).",
        )
    else:
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJobStatus.DONE, pdf=pdf, pdf_size=len(pdf), finished_at=timezone.now()
        )
    job.refresh_from_db(fields=["status", "pdf_size", "error", "finished_at"])
    return job


def reports_expire(*, now: datetime | None = None) -> int:
    """Delete every report job past its expiry, with its PDF. Returns how many went."""
    deleted, _ = ReportJob.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def share_url(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/s/{token}/"


def share_create(
    *, user: User, start: date, end: date, expires_in_days: int = SHARE_DEFAULT_DAYS, note: str = ""
) -> tuple[Share, str]:
    """A new share and its token; the token is returned this once and only its hash is stored."""
    report_range_check(user=user, start=start, end=end)
    if not 1 <= expires_in_days <= SHARE_MAX_DAYS:
        raise DomainError(
            "A share link lives for 1 to 30 days.",
            fields={"expires_in_days": [f"must be between 1 and {SHARE_MAX_DAYS}"]},
        )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    share = Share.objects.create(
        user=user,
        token_hash=token_hash(token),
        range_start=start,
        range_end=end,
        note=note.strip(),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
    )
    # Handed back as the list shows it (with its access log), for the answer.
    return selectors.share_list(user=user).get(pk=share.pk), token


def share_revoke(*, user: User, share_id: str) -> Share:
    """Revoke one of the user's shares; revoking twice keeps the first revocation time."""
    share = Share.objects.filter(user=user, pk=share_id).first()
    if share is None:
        raise NotFound("No such share.")
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
    return selectors.share_list(user=user).get(pk=share.pk)


def share_access_log(*, share: Share, ip: str | None, user_agent: str, what: ShareAccessKind) -> ShareAccess:
    return ShareAccess.objects.create(
        share=share, at=timezone.now(), ip=ip or None, user_agent=user_agent[:USER_AGENT_MAX], what=what
    )
