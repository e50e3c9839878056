"""Celery tasks of self-experiments (insights queue): ids in, one service call, safe to run twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from django.dispatch import receiver
from django.utils import timezone

from diary.signals import diary_changed
from insights.experiments import selectors, services
from insights.selectors import local_today

# Late entries for an ended experiment's days refresh its result for this long after its end:
# people back-fill a diary within days, and a result should settle rather than drift for ever.
LATE_ENTRY_DAYS = 14
# The tables whose rows the result reads (episodes, and what adherence and "logged" are read from).
RESULT_TABLES = frozenset(
    {
        "episodes",
        "caffeine_intakes",
        "exercise_sessions",
        "sleep_logs",
        "stress_logs",
        "medication_doses",
        "tremor_recordings",
        "day_checkins",
    }
)


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


@receiver(diary_changed, dispatch_uid="experiments.recompute_on_late_entries")
def recompute_on_late_entries(sender: Any, user_id: int, tables: list[str] | None = None, **kwargs: Any) -> None:
    """The signal is sent after commit; a result already in is refreshed when its days may have changed."""
    if tables is not None and not RESULT_TABLES.intersection(tables):
        return
    recent = timezone.now().date() - timedelta(days=LATE_ENTRY_DAYS)
    for experiment_id in selectors.experiments_ended_since(user_id=user_id, day=recent):
        compute_result.delay(experiment_id)
