"""Stored report jobs, share links and every access to a share.

A finished report's PDF is kept in the database (``ReportJob.pdf``), not as a file under
MEDIA_ROOT: the worker that builds it and the web process that serves it then need no
shared volume, the bytes commit atomically with the job's status, and deleting the job
(expiry, or account deletion through the cascade) deletes the health data with it, with
no orphaned file to sweep. A year's report is a few hundred kilobytes, which both
PostgreSQL and SQLite store comfortably for the seven days it lives.

A share link's token is never stored: only its SHA-256 hex digest, so a database leak
does not hand out working links.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class ReportJobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ReportJob(models.Model):
    """A report for a long range, built by the ``reports.build_report_pdf`` task the app polls."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs")
    range_start = models.DateField()
    range_end = models.DateField()
    status = models.CharField(max_length=10, choices=ReportJobStatus.choices, default=ReportJobStatus.QUEUED)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_size = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        db_table = "reports_job"
        indexes = [
            models.Index(fields=["user", "created_at"], name="reports_job_user_created"),
            models.Index(fields=["expires_at"], name="reports_job_expires"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(range_end__gte=F("range_start")), name="reports_job_range_order"),
        ]

    def __str__(self) -> str:
        return f"Report {self.range_start} to {self.range_end} ({self.status})"


def token_hash(token: str) -> str:
    """What a share stores of its token: the SHA-256 of it, so a database leak gives no link."""
    return hashlib.sha256(token.encode()).hexdigest()


class Share(models.Model):
    """A link a patient gives a doctor: the report of one range, without login, until it expires."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares")
    token_hash = models.CharField(max_length=64, unique=True)
    range_start = models.DateField()
    range_end = models.DateField()
    note = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "reports_share"
        indexes = [models.Index(fields=["user", "created_at"], name="reports_share_user_created")]
        constraints = [
            models.CheckConstraint(condition=Q(range_end__gte=F("range_start")), name="reports_share_range_order"),
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="reports_share_expires_later"),
        ]

    def __str__(self) -> str:
        # Never the token hash: admin pages and logs have no use for it.
        return f"Share {self.range_start} to {self.range_end} until {self.expires_at:%Y-%m-%d}"


class ShareAccessKind(models.TextChoices):
    PAGE = "page", "Summary page"
    PDF = "pdf", "PDF download"


class ShareAccess(models.Model):
    """One opening of a share link, shown to its owner."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="accesses")
    at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")
    what = models.CharField(max_length=4, choices=ShareAccessKind.choices)

    class Meta:
        db_table = "reports_share_access"
        indexes = [models.Index(fields=["share", "at"], name="reports_share_access_at")]

    def __str__(self) -> str:
        return f"{self.what} at {self.at:%Y-%m-%d %H:%M}"
