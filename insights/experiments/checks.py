"""The rules a new experiment's request must meet, each refusal naming its field and rule."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from config.errors import DomainError
from diary.catalogues.medicines import DRUG_CLASSES, MEDICINES, match_medicine
from insights.analysis.experiment_designs import DESIGNS, MEDICINE_REFUSAL, MEDICINE_WORDS, NOT_ASSIGNABLE

MIN_WEEKS, MAX_WEEKS = 4, 8
# A start further ahead than this is a plan, not an experiment: the promise is read from the
# diary as it is now, and the one-at-a-time rule would block the weeks in between.
MAX_DAYS_AHEAD = 28


def _is_medicine(trigger: str) -> bool:
    words = set(re.split(r"[^a-z0-9]+", trigger))
    key = trigger.replace(" ", "_")
    return (
        trigger.startswith("medication:")
        or key in MEDICINES
        or key in DRUG_CLASSES
        # Any name the catalogue knows: brands ("Zoloft"), spellings, doses ("ventolin evohaler").
        or match_medicine(trigger) is not None
        or any(word.startswith(w) for w in MEDICINE_WORDS for word in words)
    )


def checked_trigger(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise DomainError(
            "Say which trigger to test.", fields={"trigger": [f"is required: one of {', '.join(DESIGNS)}"]}
        )
    trigger = raw.strip().lower()
    if trigger in DESIGNS:
        return trigger
    if _is_medicine(trigger):
        raise DomainError(MEDICINE_REFUSAL, code="medicine_not_allowed", fields={"trigger": [MEDICINE_REFUSAL]})
    if trigger in NOT_ASSIGNABLE:
        raise DomainError(NOT_ASSIGNABLE[trigger], code="not_assignable", fields={"trigger": [NOT_ASSIGNABLE[trigger]]})
    rule = f"must be one of {', '.join(DESIGNS)}"
    raise DomainError(f"Unknown trigger '{raw}': it {rule}.", fields={"trigger": [rule]})


def checked_weeks(raw: Any) -> int:
    rule = f"must be a whole number of weeks from {MIN_WEEKS} to {MAX_WEEKS}"
    text = str(raw) if isinstance(raw, int | str) and not isinstance(raw, bool) else ""
    if not re.fullmatch(r"[0-9]{1,3}", text, flags=re.ASCII) or not MIN_WEEKS <= int(text) <= MAX_WEEKS:
        raise DomainError(f"Invalid weeks: it {rule}.", fields={"weeks": [rule]})
    return int(text)


def checked_start(raw: Any, today: date) -> date:
    # Left out (or null) means today; an empty string is no date (the schema says date).
    if raw is None:
        return today
    try:
        start = date.fromisoformat(raw) if isinstance(raw, str) and len(raw) == 10 else None
    except ValueError:
        start = None
    if start is None:
        raise DomainError("Invalid start_date.", fields={"start_date": ["must be a date as YYYY-MM-DD"]})
    if start < today:
        raise DomainError(
            "An experiment cannot start in the past.",
            fields={"start_date": [f"must be today ({today.isoformat()}) or later, in your timezone"]},
        )
    if start > today + timedelta(days=MAX_DAYS_AHEAD):
        raise DomainError(
            "That start is too far ahead.",
            fields={"start_date": [f"must be within {MAX_DAYS_AHEAD} days from today"]},
        )
    return start


def checked_request(data: Any, today: date) -> tuple[str, int, date]:
    """(trigger, weeks, start_date) from a request body or query, or a DomainError naming every bad field."""
    if not isinstance(data, dict):
        raise DomainError("The body must be an object.", fields={"body": ["must be a JSON object"]})
    values: list[Any] = []
    errors: dict[str, list[str]] = {}
    first: DomainError | None = None
    for check, args in (
        (checked_trigger, (data.get("trigger"),)),
        (checked_weeks, (data.get("weeks"),)),
        (checked_start, (data.get("start_date"), today)),
    ):
        try:
            values.append(check(*args))
        except DomainError as exc:
            first = first or exc
            errors.update(exc.fields)
    if first is not None:
        raise DomainError(first.message, code=first.code, fields=errors)
    return values[0], values[1], values[2]
