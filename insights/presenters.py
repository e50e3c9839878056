"""Turn stored insights into what the API, the weekly summary and the report show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from insights import wording
from insights.analysis.associations import METHOD_SUMMARY
from insights.analysis.knowledge import CAUSES, CONTEXT_SENTENCE, FLAG_RULES_LIST
from insights.models import InsightState

METHOD = METHOD_SUMMARY


def status_sentence(
    sufficiency: dict[str, Any] | None, reported: list[dict[str, Any]], tested: Sequence[dict[str, Any]] = ()
) -> str:
    if not sufficiency or not sufficiency.get("enough"):
        if tested and all(a.get("n_days") == 0 for a in tested):
            # More days of episodes alone can never make a test: say what to log instead of a count.
            return "No trigger logged yet: log caffeine, sleep, stress or exercise beside your episodes to test them."
        more = (sufficiency or {}).get("days_more_needed")
        if more:
            return f"Not enough data yet: {more} more days of logging."
        return "Not enough data yet."
    if not reported:
        return "No clear link yet between your episodes and the triggers you log."
    return f"{wording.plural(len(reported), 'link')} found in your data."


def current_shape(result: dict[str, Any]) -> dict[str, Any]:
    """A stored association in the current vocabulary: its status and status words as every
    surface says them, whichever version of the engine stored it."""
    status = wording.status_of(result)
    if status == result.get("status") and result.get("status_text") == wording.status_words(status):
        return result
    return {**result, "status": status, "status_text": wording.status_words(status)}


def current_associations(state: InsightState | None) -> list[dict[str, Any]]:
    return [current_shape(result) for result in state.associations] if state else []


def insights_payload(state: InsightState | None) -> dict[str, Any]:
    if state is None:
        return {
            "computed_at": None,
            "up_to_date": True,
            "sufficiency": None,
            "status": status_sentence(None, []),
            "associations": [],
            "tested": [],
            "method": METHOD,
        }
    tested = current_associations(state)
    reported = [a for a in tested if a["status"] == wording.TriggerStatus.LINKED]
    reported.sort(key=lambda a: a.get("q_value") or 1.0)
    return {
        "computed_at": state.computed_at,
        "up_to_date": not state.dirty,
        "sufficiency": state.sufficiency or None,
        "status": status_sentence(state.sufficiency, reported, tested),
        "associations": reported,
        "tested": tested,
        "method": METHOD,
    }


def causes_payload() -> dict[str, Any]:
    """The documented causes of twitching and the flag rules, with their sources (no user data)."""
    return {
        "context": CONTEXT_SENTENCE,
        "causes": [asdict(cause) for cause in CAUSES],
        "flag_rules": [asdict(rule) for rule in FLAG_RULES_LIST],
    }
