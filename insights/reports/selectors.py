"""Reads for reports and shares: a user's jobs and shares, and a share found by its token."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from config.errors import DomainError, NotFound
from insights.reports.models import ReportJob, ReportJobStatus, Share, ShareAccess, token_hash
from insights.reports.report_model import ReportFile, report_filename


class ShareState(Enum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


def report_job_get(*, user: User, job_id: str, with_pdf: bool = False) -> ReportJob:
    """One of the user's jobs; another user's id is simply not found."""
    jobs = ReportJob.objects.filter(user=user, pk=job_id)
    job = (jobs if with_pdf else jobs.defer("pdf")).first()
    if job is None:
        raise NotFound("No such report job.")
    return job


def report_job_file(*, user: User, job_id: str) -> ReportFile:
    """The PDF a finished job built and its file name; 410 once expired, 409 before it is done."""
    job = report_job_get(user=user, job_id=job_id, with_pdf=True)
    if job.expires_at <= timezone.now():
        raise DomainError("This report has expired; request it again.", code="expired", status_code=410)
    if job.status != ReportJobStatus.DONE or job.pdf is None:
        raise DomainError(f"The report is not ready (status: {job.status}).", code="not_ready", status_code=409)
    return ReportFile(bytes(job.pdf), report_filename(start=job.range_start, end=job.range_end))


def share_state(*, share: Share, now: datetime | None = None) -> ShareState:
    if share.revoked_at is not None:
        return ShareState.REVOKED
    if share.expires_at <= (now or timezone.now()):
        return ShareState.EXPIRED
    return ShareState.ACTIVE


def share_list(*, user: User) -> QuerySet[Share]:
    """The user's shares, newest first, each with its accesses newest first (two queries in all)."""
    accesses = ShareAccess.objects.order_by("-at", "-pk")
    return (
        Share.objects.filter(user=user)
        .order_by("-created_at")
        .prefetch_related(Prefetch("accesses", queryset=accesses))
    )


def share_by_token(*, token: str) -> tuple[Share | None, ShareState]:
    """The share a public link points at, and whether it may still be opened."""
    share = Share.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    if share is None:
        return None, ShareState.UNKNOWN
    return share, share_state(share=share)
