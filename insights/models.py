"""Stored insights: the latest associations per user, and doctor-visit flags with their status."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class InsightState(models.Model):
    """One row per user: the latest computed associations and the recompute bookkeeping.

    ``recompute_queued`` debounces recomputes: a diary write sets it with a conditional
    UPDATE and enqueues a task only when it was not already set, so a burst of pushes
    causes one recompute (two if a write lands while it runs), not one per push.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="insight_state"
    )
    dirty = models.BooleanField(default=False)
    recompute_queued = models.BooleanField(default=False)
    queued_at = models.DateTimeField(null=True, blank=True)
    last_diary_change_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    recompute_count = models.PositiveIntegerField(default=0)
    sufficiency = models.JSONField(default=dict)
    associations = models.JSONField(default=list)

    class Meta:
        db_table = "insights_state"
        indexes = [models.Index(fields=["dirty"], name="insights_state_dirty")]


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    SEEN_DOCTOR = "seen_doctor", "Seen a doctor"


class Flag(models.Model):
    """A flag rule (docs/clinical.md) that the user's diary meets, one row per (user, rule).

    ``active`` is whether the latest recompute still found it. An acknowledged flag (or
    one the user has seen a doctor about) stays quiet while ``fingerprint`` equals
    ``quiet_fingerprint``; when the evidence changes materially (a new region, a higher
    severity) the fingerprints differ and the flag reopens.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags")
    rule_id = models.CharField(max_length=8)
    severity = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    wording = models.TextField()
    source = models.TextField()
    # The evidence in plain words (test, value, range and date; regions and dates; counts that say
    # what they count), and the rule's line in a clinician's voice for the physician report.
    detail = models.TextField(blank=True, default="", db_default="")
    clinician_wording = models.TextField(blank=True, default="", db_default="")
    regions = models.JSONField(default=list)
    evidence_entry_ids = models.JSONField(default=list)
    evidence_dates = models.JSONField(default=list)
    first_seen = models.DateField(null=True)
    last_seen = models.DateField(null=True)
    fingerprint = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    quiet_fingerprint = models.CharField(max_length=300, blank=True, default="")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "insights_flag"
        constraints = [models.UniqueConstraint(fields=["user", "rule_id"], name="flag_unique_rule_per_user")]
        indexes = [models.Index(fields=["user", "active", "status"], name="flag_user_active_status")]
