"""One row per (user, week): the database's guarantee that a weekly summary is sent once.

The dispatcher inserts the row (ignoring a conflict with one that exists) and the send task
claims it with a conditional UPDATE before sending, so two beats, two workers or a retried
task can never send the same week twice: only one UPDATE can move a row out of ``pending``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SummaryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # The user turned summaries off between the row's creation and its send.
    SKIPPED = "skipped", "Skipped"


class WeeklySummary(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_summaries")
    # The local Monday that begins the week summarised (the week that ended before the send).
    week_start = models.DateField()
    status = models.CharField(max_length=10, choices=SummaryStatus.choices, default=SummaryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The flags this week's email showed, as [{"rule": ..., "fingerprint": ...}], written when it
    # is sent: a later week shows a flag with the same fingerprint only as a one-line reminder.
    flags_emailed = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "summaries_weekly_summary"
        verbose_name_plural = "weekly summaries"
        constraints = [
            models.UniqueConstraint(fields=["user", "week_start"], name="weekly_summary_once_per_user_week"),
        ]
        indexes = [models.Index(fields=["week_start", "status"], name="weekly_summary_week_status")]

    def __str__(self) -> str:
        return f"{self.user_id} week of {self.week_start}: {self.status}"
