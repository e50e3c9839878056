"""Flags, insight states and association rows for the summary tests, written straight to the tables.

``save_all`` writes unsaved diary rows (``tests.builders.row``) in one bulk insert per table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from accounts.models import User
from insights.models import Flag, FlagStatus, InsightState


def save_all(rows: list[Any]) -> None:
    by_model: dict[type, list[Any]] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    for model, items in by_model.items():
        model.objects.bulk_create(items)


def open_flag(
    user: User,
    *,
    rule_id: str = "R1",
    title: str = "Twitching in the same place for more than two weeks",
    wording: str = "Your diary shows twitching in the same area for more than two weeks.",
    changed_at: datetime | None = None,
    severity: str = "see_doctor",
) -> Flag:
    return Flag.objects.create(
        user=user,
        rule_id=rule_id,
        severity=severity,
        title=title,
        wording=wording,
        source="NHS",
        fingerprint=f"{rule_id}:x",
        status=FlagStatus.OPEN,
        status_changed_at=changed_at or timezone.now(),
    )


def association(trigger: str, sentence: str, *, significant: bool, q_value: float) -> dict[str, Any]:
    return {
        "trigger": trigger,
        "label": trigger,
        "lag": "same day",
        "n_days": 60,
        "rho": 0.3,
        "p_value": q_value,
        "q_value": q_value,
        "rate_ratio": 2.0,
        "ci_low": 1.4,
        "ci_high": 2.7,
        "direction": "more",
        "significant": significant,
        "sentence": sentence,
    }


def shared_association(trigger: str, status: str, sentence: str, *, days_needed: int | None = None) -> dict[str, Any]:
    """One row of the shared association shape, as ``InsightState.associations`` holds it."""
    texts = {
        "linked": "linked in the diary",
        "possible": "possible, not clear yet",
        "no_sign": "no sign of a link",
        "not_enough_data": "not enough data yet",
    }
    no_sign = status == "no_sign"
    tested = status in ("linked", "possible", "no_sign")
    return {
        "trigger": trigger,
        "label": trigger.capitalize(),
        "status": status,
        "status_text": texts[status],
        "exposure": f"{trigger} the same day",
        "comparison": f"your higher-{trigger} days against your lower ones",
        "rate_ratio": (1.0 if no_sign else 1.9) if tested else None,
        "ci_low": (0.8 if no_sign else 1.4) if tested else None,
        "ci_high": (1.3 if no_sign else 2.6) if tested else None,
        "p_value": 0.01 if tested else None,
        "q_value": {"linked": 0.01, "possible": 0.2, "no_sign": 0.8}.get(status),
        "days_needed": days_needed,
        "n_days": 60,
        "sentence": sentence,
        "clinician_sentence": sentence,
        "method": "rate ratio",
        "significant": status == "linked",
        "direction": "more" if tested else "not_tested",
    }


def insight_state(user: User, associations: list[dict[str, Any]]) -> InsightState:
    return InsightState.objects.create(
        user=user,
        computed_at=timezone.now(),
        associations=associations,
        sufficiency={
            "logged_days": 60,
            "episode_days": 30,
            "needed_logged_days": 50,
            "needed_episode_days": 24,
            "days_more_needed": 0,
            "enough": True,
        },
    )
