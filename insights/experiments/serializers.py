"""Request and response shapes of the experiments API, for the schema (views pass payloads through)."""

from __future__ import annotations

from rest_framework import serializers

from diary.models import ExperimentStatus
from insights.analysis.experiment_designs import DESIGNS
from insights.experiments.checks import MAX_WEEKS, MIN_WEEKS
from insights.experiments.models import ExperimentPhase


class StartSerializer(serializers.Serializer):
    trigger = serializers.ChoiceField(choices=list(DESIGNS), help_text="What to test; never a medicine.")
    weeks = serializers.IntegerField(min_value=MIN_WEEKS, max_value=MAX_WEEKS)
    start_date = serializers.DateField(required=False, help_text="Today or later, in your timezone; default today.")


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
