"""Request and response shapes of the experiments API.

A new experiment's request (the body of a start, the query of a plan) is read by
``StartSerializer``, under the rules below: each refusal names its field and rule, and the
answer's message is the first refusal's (a medicine is refused with its own code).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from rest_framework import serializers

from config.errors import DomainError
from diary.catalogues.medicines import DRUG_CLASSES, MEDICINES, match_medicine
from diary.models import ExperimentStatus
from insights.analysis.experiment_designs import DESIGNS, MEDICINE_REFUSAL, MEDICINE_WORDS, NOT_ASSIGNABLE
from insights.experiments.models import ExperimentPhase

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


def _checked_trigger(raw: Any) -> str:
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


def _checked_weeks(raw: Any) -> int:
    rule = f"must be a whole number of weeks from {MIN_WEEKS} to {MAX_WEEKS}"
    text = str(raw) if isinstance(raw, int | str) and not isinstance(raw, bool) else ""
    if not re.fullmatch(r"[0-9]{1,3}", text, flags=re.ASCII) or not MIN_WEEKS <= int(text) <= MAX_WEEKS:
        raise DomainError(f"Invalid weeks: it {rule}.", fields={"weeks": [rule]})
    return int(text)


def _checked_start(raw: Any, today: date) -> date:
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


def _checked_request(data: Any, today: date) -> tuple[str, int, date]:
    """(trigger, weeks, start_date) from a request body or query, or a DomainError naming every bad field."""
    if not isinstance(data, dict):
        raise DomainError("The body must be an object.", fields={"body": ["must be a JSON object"]})
    values: list[Any] = []
    errors: dict[str, list[str]] = {}
    first: DomainError | None = None
    for check, args in (
        (_checked_trigger, (data.get("trigger"),)),
        (_checked_weeks, (data.get("weeks"),)),
        (_checked_start, (data.get("start_date"), today)),
    ):
        try:
            values.append(check(*args))
        except DomainError as exc:
            first = first or exc
            errors.update(exc.fields)
    if first is not None:
        raise DomainError(first.message, code=first.code, fields=errors)
    return values[0], values[1], values[2]


# A new experiment's request, read with the rules above, for ``context["today"]`` (the person's
# today). The fields are the request's shape; the rules read the raw body or query themselves, so
# a refusal says the same whatever was sent (a list, null, a form). A comment, not a docstring:
# drf-spectacular would put a docstring in the schema.
class StartSerializer(serializers.Serializer):
    trigger = serializers.ChoiceField(choices=list(DESIGNS), help_text="What to test; never a medicine.")
    weeks = serializers.IntegerField(min_value=MIN_WEEKS, max_value=MAX_WEEKS)
    start_date = serializers.DateField(required=False, help_text="Today or later, in your timezone; default today.")

    def run_validation(self, data: Any = serializers.empty) -> dict[str, Any]:
        trigger, weeks, start = _checked_request(data, self.context["today"])
        return {"trigger": trigger, "weeks": weeks, "start_date": start}


class PlanSerializer(serializers.Serializer):
    trigger = serializers.CharField()
    # DRF's Field has a ``label`` attribute of its own; this is the payload's field of that name.
    label = serializers.CharField()  # type: ignore[assignment]
    weeks = serializers.IntegerField()
    days = serializers.IntegerField()
    block_days = serializers.IntegerField()
    with_label = serializers.CharField()
    without_label = serializers.CharField()
    design = serializers.CharField()
    safety_note = serializers.CharField()
    sources = serializers.ListField(child=serializers.CharField())
    chance_doubling = serializers.FloatField(help_text="Chance the experiment shows a doubling of episodes.")
    chance_one_and_a_half = serializers.FloatField(help_text="Chance it shows a 1.5 times change.")
    based_on = serializers.DictField()
    # Not required: a plan stored before these were added has neither.
    trigger_logged = serializers.BooleanField(
        required=False, help_text="Whether the diary has this trigger logged at all yet (if not, nothing to compare)."
    )
    trigger_note = serializers.CharField(
        required=False, allow_null=True, help_text="What to log first, when the trigger was never logged; else null."
    )
    sentence = serializers.CharField()


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    assignment = serializers.ChoiceField(choices=["with", "without"])
    label = serializers.CharField()  # type: ignore[assignment]
    instruction = serializers.CharField()
    kept = serializers.BooleanField(allow_null=True, help_text="From the diary; null when not logged or not yet.")


class ExperimentSerializer(serializers.Serializer):
    id = serializers.CharField()
    trigger = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    stopped_on = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=ExperimentStatus.values)
    phase = serializers.ChoiceField(choices=ExperimentPhase.values)
    seed = serializers.IntegerField(allow_null=True)
    block_days = serializers.IntegerField(allow_null=True)
    plan = PlanSerializer(allow_null=True)
    adherence = serializers.DictField()
    result = serializers.DictField(allow_null=True)
    days = DaySerializer(many=True, required=False)


class TodaySerializer(serializers.Serializer):
    experiment_id = serializers.CharField(allow_null=True)
    date = serializers.DateField()
    assignment = serializers.CharField(allow_null=True)
    label = serializers.CharField(allow_null=True)  # type: ignore[assignment]
    instruction = serializers.CharField(allow_null=True)
    tomorrow = DaySerializer(allow_null=True, help_text="Tomorrow's assignment: an early night is kept tonight.")
