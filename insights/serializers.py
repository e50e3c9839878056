"""Response shapes of the insights endpoints."""

from __future__ import annotations

from rest_framework import serializers

from insights.analysis.associations import ALPHA
from insights.models import Flag
from insights.wording import STATUS_CHOICES


class CauseSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    summary = serializers.CharField()
    diary_signals = serializers.ListField(child=serializers.CharField())
    modifiable_triggers = serializers.ListField(child=serializers.CharField())
    red_flags = serializers.ListField(child=serializers.CharField(), help_text="Ids of the flag rules that apply.")
    sources = serializers.ListField(child=serializers.CharField())


class FlagRuleSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    severity = serializers.CharField()
    threshold = serializers.CharField()
    wording = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # declared field; stubs see Field.source
    clinician_wording = serializers.CharField(help_text="The rule in a clinician's words, for the physician report.")


class CausesSerializer(serializers.Serializer):
    context = serializers.CharField()  # type: ignore[assignment]  # declared field; stubs see Field.context
    causes = CauseSerializer(many=True)
    flag_rules = FlagRuleSerializer(many=True)


class SufficiencySerializer(serializers.Serializer):
    logged_days = serializers.IntegerField()
    episode_days = serializers.IntegerField()
    needed_logged_days = serializers.IntegerField()
    needed_episode_days = serializers.IntegerField()
    days_more_needed = serializers.IntegerField()
    enough = serializers.BooleanField()


class AssociationSerializer(serializers.Serializer):
    trigger = serializers.CharField(help_text="caffeine | sleep | stress | exercise | medication:<id> | inhaler")
    label = serializers.CharField()  # type: ignore[assignment]  # declared field; stubs see Field.label
    status = serializers.ChoiceField(
        choices=STATUS_CHOICES,
        help_text=(
            "linked; possible (leans the documented way); not_clear (the interval allows no effect and a "
            "doubling); no_sign (the interval rules out a ratio of 1.5 or more); not_testable (too few days)."
        ),
    )
    status_text = serializers.CharField(help_text="The status in words, the same on every surface.")
    exposure = serializers.CharField(help_text="What was compared, with its lag, in words.")
    comparison = serializers.CharField(help_text="The user's own high days against their low days, in their units.")
    rate_ratio = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True, help_text="Lower end of the 90% interval (one-sided 95% bound).")
    ci_high = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(
        allow_null=True, help_text="One-sided p of the trigger's test, over every shape of link it was tested for."
    )
    q_value = serializers.FloatField(
        allow_null=True,
        help_text=f"The p corrected over all of the user's tests (Holm); 'linked' when at most {ALPHA:g}.",
    )
    days_needed = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "possible / not_clear: more days that would give at least an even chance of showing a doubling "
            "(a power calculation on the person's own data), null when none would; not_testable: days until "
            "testing starts at the person's pace, null for a trigger never logged."
        ),
    )
    days_needed_chance = serializers.FloatField(
        required=False, allow_null=True, help_text="The chance of showing a doubling after days_needed more days."
    )
    n_days = serializers.IntegerField()
    sentence = serializers.CharField()
    clinician_sentence = serializers.CharField()
    method = serializers.CharField()
    significant = serializers.BooleanField(help_text="Same as status == 'linked'; kept for older readers.")
    direction = serializers.ChoiceField(choices=["more", "none", "not_tested"])
    lag = serializers.CharField()
    cut_point = serializers.FloatField(
        required=False,
        allow_null=True,
        help_text="Where the user's high days begin, in the exposure's unit (sleep: where short nights end).",
    )


class InsightsSerializer(serializers.Serializer):
    computed_at = serializers.DateTimeField(allow_null=True)
    up_to_date = serializers.BooleanField(help_text="False while a recompute for recent changes is pending.")
    sufficiency = SufficiencySerializer(allow_null=True)
    status = serializers.CharField(help_text="One sentence: what the associations can say yet.")
    associations = AssociationSerializer(many=True, help_text="Only the links that survived the correction.")
    tested = AssociationSerializer(many=True, help_text="Every trigger tested, with its numbers.")
    method = serializers.CharField()


class FlagSerializer(serializers.ModelSerializer[Flag]):
    class Meta:
        model = Flag
        fields = (
            "id",
            "rule_id",
            "severity",
            "title",
            "wording",
            "source",
            "detail",
            "clinician_wording",
            "regions",
            "evidence_entry_ids",
            "evidence_dates",
            "first_seen",
            "last_seen",
            "status",
            "status_changed_at",
            "reopened_count",
            "active",
        )
        read_only_fields = fields
