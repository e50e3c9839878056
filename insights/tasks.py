"""Celery tasks of the insights queue. Each takes ids, calls one service and is safe to run twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from django.utils import timezone

from insights import selectors, services, tremor
from insights.experiments.tasks import queue_late_entry_results

# Writes within this many seconds of the first are folded into one recompute.
DEBOUNCE_SECONDS = 10
SWEEP_CHUNK = 200
# Who the nightly sweep revisits: anyone with an open or active flag, a pending change, or a
# diary written in the last month (whose "not enough data yet: N more days" moves daily).
SWEEP_RECENT = timedelta(days=30)


def recompute_on_diary_change(
    sender: Any, user_id: int, tables: list[str] | None = None, claimed: bool | None = None, **kwargs: Any
) -> None:
    """Receive diary_changed (connected in InsightsConfig.ready, insights/apps.py): queue the
    recompute. ``claimed``: whether the write already took the recompute claim (diary.sync_clock)."""
    if tables and "tremor_recordings" in tables:
        # The recompute follows the analysis, which R8 and R9 need.
        analyse_tremor_recordings.delay(user_id, claimed)
        return
    queue_recompute(user_id, claimed=claimed)


def queue_recompute(user_id: int, *, claimed: bool | None = None) -> None:
    if services.mark_dirty(user_id=user_id, claimed=claimed):
        recompute_user.apply_async(args=(user_id,), countdown=DEBOUNCE_SECONDS)


@shared_task(name="reports.analyse_tremor_recordings")
def analyse_tremor_recordings(user_id: int, claimed: bool | None = None) -> None:
    tremor.tremor_analyse_recordings(user_id=user_id)
    queue_recompute(user_id, claimed=claimed)


@shared_task(name="insights.recompute_user")
def recompute_user(user_id: int) -> None:
    _recompute(user_id)


@shared_task(name="insights.recompute_users")
def recompute_users(user_ids: list[int]) -> None:
    for user_id in user_ids:
        _recompute(user_id)


def _recompute(user_id: int) -> None:
    services.insights_recompute(user_id=user_id)
    # Entries back-filled for an ended experiment's days refresh its result too.
    queue_late_entry_results(user_id)


@shared_task(name="insights.nightly_sweep")
def nightly_sweep() -> int:
    """Fan the users whose insights depend on time out in chunks; memory stays flat because
    ids are streamed from the database and never held all at once."""
    recent = timezone.now() - SWEEP_RECENT
    user_ids = selectors.users_to_sweep(changed_since=recent, chunk_size=SWEEP_CHUNK)
    chunk: list[int] = []
    total = 0
    for user_id in user_ids:
        chunk.append(user_id)
        if len(chunk) == SWEEP_CHUNK:
            recompute_users.delay(chunk)
            total += len(chunk)
            chunk = []
    if chunk:
        recompute_users.delay(chunk)
        total += len(chunk)
    return total
