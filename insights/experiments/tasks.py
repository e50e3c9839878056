"""Celery tasks of self-experiments (insights queue): ids in, one service call, safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from accounts.timezones import local_today
from insights.experiments import selectors, services

# Late entries for an ended experiment's days refresh its result for this long after its end:
# people back-fill a diary within days, and a result should settle rather than drift for ever.
LATE_ENTRY_DAYS = 14


@shared_task(name="insights.experiment_result")
def compute_result(experiment_id: int) -> str:
    return services.experiment_result_compute(experiment_id=experiment_id)


@shared_task(name="insights.experiments_sweep")
def sweep() -> int:
    """Hourly from beat: queue the result of every active experiment whose last day has passed
    in its owner's timezone. Candidates are narrowed in SQL (ended by UTC tomorrow), the
    timezone decides in Python."""
    candidates = selectors.experiments_active_ended_before(day=timezone.now().date() + timedelta(days=1))
    due = [e.pk for e in candidates if local_today(user=e.user) > e.end_date]
    for experiment_id in due:
        compute_result.delay(experiment_id)
    return len(due)


def queue_late_entry_results(user_id: int) -> int:
    """Queue a fresh result for each of the user's experiments that ended in the last
    LATE_ENTRY_DAYS. Called by the debounced insights recompute (insights/tasks.py) rather
    than on every write, so a burst of back-filled entries costs one look, not one per write;
    an unchanged result is left as it is (experiment_result_compute compares its inputs)."""
    recent = timezone.now().date() - timedelta(days=LATE_ENTRY_DAYS)
    queued = 0
    for experiment_id in selectors.experiments_ended_since(user_id=user_id, day=recent):
        compute_result.delay(experiment_id)
        queued += 1
    return queued
