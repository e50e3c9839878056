"""Insight writes: mark a user dirty, recompute and store, change a flag's status."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.selectors import user_get
from config.errors import NotFound
from diary.sync_clock import recompute_claim, recompute_claim_drop
from insights import selectors
from insights.analysis.associations import (
    NEEDED_EPISODE_DAYS,
    NEEDED_LOGGED_DAYS,
    AssociationReport,
    analyse_associations,
)
from insights.analysis.daily_series import build_daily_series
from insights.analysis.flag_rules import FlagResult, evaluate_flags
from insights.models import Flag, FlagStatus, InsightState

logger = logging.getLogger(__name__)


def mark_dirty(*, user_id: int, claimed: bool | None = None) -> bool:
    """Note that the user's diary changed and claim the right to queue its recompute.

    Returns True when the caller must enqueue one. ``claimed`` is what the write's own tick
    said (True: it took the claim; False: a recompute was already waiting); None asks now.
    The claim lives on the user's sync clock row (diary.sync_clock, "The recompute claim",
    which says why no write is missed): a burst of writes enqueues one recompute, and every
    write after the first costs no statement of its own and no database write, which matters
    because each commit waits for the disk. The recompute frees the claim before it reads the
    diary; a claim whose recompute was lost is free again after CLAIM_GIVE_UP. InsightState
    keeps the bookkeeping the nightly sweep reads (dirty, queued_at).
    """
    if claimed is None:
        claimed = recompute_claim(user_id)
    if not claimed:
        return False
    now = timezone.now()
    changes = {"recompute_queued": True, "queued_at": now, "dirty": True, "last_diary_change_at": now}
    if not InsightState.objects.filter(user_id=user_id).update(**changes):
        InsightState.objects.update_or_create(user_id=user_id, defaults=changes)
    return True


def _association_payload(report: AssociationReport) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    sufficiency = {**asdict(report.sufficiency), "enough": report.sufficiency.enough}
    # Each result is already in the shared shape readers expect (docs: "the shared association result").
    associations = [asdict(result) for result in report.results]
    return sufficiency, associations


def _store_flags(user: User, results: list[FlagResult]) -> None:
    now = timezone.now()
    existing = {flag.rule_id: flag for flag in Flag.objects.filter(user=user)}
    found = set()
    for result in results:
        found.add(result.rule_id)
        values = {
            "severity": result.severity,
            "title": result.title,
            "wording": result.wording,
            "source": result.source,
            "detail": result.detail,
            "clinician_wording": result.clinician_wording,
            "regions": list(result.regions),
            "evidence_entry_ids": list(result.evidence_entry_ids),
            "evidence_dates": [day.isoformat() for day in result.evidence_dates],
            "first_seen": result.first_seen,
            "last_seen": result.last_seen,
            "fingerprint": result.fingerprint,
            "active": True,
        }
        flag = existing.get(result.rule_id)
        if flag is None:
            Flag.objects.create(
                user=user, rule_id=result.rule_id, status=FlagStatus.OPEN, status_changed_at=now, **values
            )
            continue
        if flag.status != FlagStatus.OPEN and flag.quiet_fingerprint != result.fingerprint:
            # The evidence changed materially since the user quietened it: speak up again.
            values.update(status=FlagStatus.OPEN, status_changed_at=now, reopened_count=flag.reopened_count + 1)
        elif not flag.active:
            # A flag that had stopped firing and fires again is news, whatever its old status.
            values.update(status=FlagStatus.OPEN, status_changed_at=now)
        for field, value in values.items():
            setattr(flag, field, value)
        flag.save()
    Flag.objects.filter(user=user, active=True).exclude(rule_id__in=found).update(active=False, updated_at=now)


def insights_recompute(*, user_id: int) -> InsightState | None:
    """Recompute and store a user's associations and flags. Safe to run twice: the result
    depends only on the diary, and storing it overwrites the previous one."""
    user = user_get(user_id=user_id)
    if user is None:
        return None  # the account was deleted while the task waited
    # Freed before the read: a write from now on claims the next recompute (see mark_dirty).
    recompute_claim_drop(user_id)
    InsightState.objects.filter(user=user).update(recompute_queued=False)
    diary = selectors.diary_for_user(user=user)
    series = build_daily_series(diary) if diary.episodes else None
    report = analyse_associations(diary, series) if series is not None else None
    flags = evaluate_flags(diary)
    with transaction.atomic():
        state, _ = InsightState.objects.select_for_update().get_or_create(user=user)
        if report is not None:
            state.sufficiency, state.associations = _association_payload(report)
        else:
            state.sufficiency, state.associations = _empty_sufficiency(), []
        state.dirty = False
        state.computed_at = timezone.now()
        state.recompute_count += 1
        state.save(update_fields=["sufficiency", "associations", "dirty", "computed_at", "recompute_count"])
        _store_flags(user, flags)
    return state


def _empty_sufficiency() -> dict[str, Any]:
    return {
        "logged_days": 0,
        "episode_days": 0,
        "needed_logged_days": NEEDED_LOGGED_DAYS,
        "needed_episode_days": NEEDED_EPISODE_DAYS,
        "days_more_needed": NEEDED_LOGGED_DAYS,
        "enough": False,
    }


def flag_set_status(*, user: User, flag_id: int, status: str) -> Flag:
    flag = Flag.objects.filter(user=user, pk=flag_id).first()
    if flag is None:
        raise NotFound("No such flag.")
    flag.status = status
    flag.quiet_fingerprint = flag.fingerprint if status != FlagStatus.OPEN else ""
    flag.status_changed_at = timezone.now()
    flag.save(update_fields=["status", "quiet_fingerprint", "status_changed_at", "updated_at"])
    return flag
