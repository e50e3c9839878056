"""What the server keeps about an experiment beyond the synced schedule (diary.Experiment).

The schedule's days are diary rows, so they reach the app through the sync pull. The seed that
drew them, the design and the promise made before the person committed, and the result live here:
the app reads them over REST only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ExperimentPhase(models.TextChoices):
    """Where an experiment is, for the app's wording: an active one's phase comes from the dates,
    a stopped or completed one's is its status (diary.models.ExperimentStatus)."""

    UPCOMING = "upcoming", "upcoming"
    RUNNING = "running", "running"
    AWAITING_RESULT = "awaiting_result", "awaiting_result"
    STOPPED = "stopped", "stopped"
    COMPLETED = "completed", "completed"


class ExperimentPlan(models.Model):
    experiment = models.OneToOneField("diary.Experiment", on_delete=models.CASCADE, related_name="plan")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The schedule is n_of_1.draw_schedule(days, block_days, seed): stored so it can be redrawn
    # and checked, and so the test knows exactly which design the schedule came from.
    seed = models.BigIntegerField()
    weeks = models.PositiveSmallIntegerField()
    block_days = models.PositiveSmallIntegerField()
    design = models.CharField(max_length=32, default="paired_blocks")
    promise = models.JSONField()  # the plan as answered before the start (services.experiment_plan)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "experiments_plan"


class ExperimentResult(models.Model):
    experiment = models.OneToOneField("diary.Experiment", on_delete=models.CASCADE, related_name="result")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField()
    # A digest of the days the result was computed from: a recompute over the same days is a no-op.
    inputs_digest = models.CharField(max_length=64)
    payload = models.JSONField()

    class Meta:
        db_table = "experiments_result"
