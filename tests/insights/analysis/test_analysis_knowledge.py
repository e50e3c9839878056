"""The knowledge base: every cause and rule is there, sourced, and refers to real diary terms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from diary.catalogues.body_sites import BODY_SITES
from diary.catalogues.episode_terms import CHARACTERS, CONTEXTS, LAB_ANALYTES, POSTURES, SYMPTOMS
from diary.catalogues.medicines import DRUG_CLASSES
from insights.analysis import clinical_thresholds
from insights.analysis.daily_series import DailySeries
from insights.analysis.knowledge import CAUSES, CONTEXT_SENTENCE, FLAG_RULES, SEVERITIES, Cause, FlagRule

RULE_IDS = [
    "R1",
    "R2",
    "R3",
    "R4",
    "R5",
    "R6",
    "R7",
    "R8",
    "R9",
    "R10",
    "R13",
    "R14",
    "R15",
    "R16",
    "R17",
    "R18",
    "R19",
    "R20",
    "L1",
]
KNOWN_CODES = {
    "character": set(CHARACTERS),
    "context": set(CONTEXTS),
    "symptom": set(SYMPTOMS),
    "site": {site.part for site in BODY_SITES.values()},
    "drug_class": set(DRUG_CLASSES),
    "lab": set(LAB_ANALYTES),
    "tremor": set(POSTURES),
    "series": set(DailySeries.__dataclass_fields__),
}


def test_it_holds_the_thirteen_documented_causes_each_with_sources() -> None:
    assert len(CAUSES) == 13
    assert len({cause.code for cause in CAUSES}) == 13
    assert all(cause.sources and cause.summary for cause in CAUSES)


@pytest.mark.parametrize("cause", CAUSES, ids=lambda cause: cause.code)
def test_its_diary_signals_and_red_flags_exist(cause: Cause) -> None:
    for signal in cause.diary_signals:
        kind, code = signal.split(":")
        assert code in KNOWN_CODES[kind], signal
    assert set(cause.red_flags) <= set(FLAG_RULES)


def test_it_holds_every_flag_rule_with_a_known_severity_and_a_source() -> None:
    assert list(FLAG_RULES) == RULE_IDS
    assert SEVERITIES == ("info", "see_doctor", "see_doctor_soon", "urgent", "emergency")
    for rule in FLAG_RULES.values():
        assert rule.severity in SEVERITIES and rule.source and rule.wording
        assert "you have" not in rule.wording.lower()


def test_its_wording_carries_the_required_advice() -> None:
    assert "don't stop a prescribed medicine without advice" in FLAG_RULES["R7"].wording
    assert "call emergency services" in FLAG_RULES["R20"].wording and "FAST" in FLAG_RULES["R20"].wording
    assert CONTEXT_SENTENCE == "Most twitches are harmless; a GP can check the common causes."


# Conditions the user-facing wording must never put on the user: the pattern is described and
# the guidance cited, the naming is left to the doctor.
CONDITION_NAMES = (
    "carpal tunnel",
    "trapped nerve",
    "cubital",
    "dystonia",
    "writer's cramp",
    "parkinson",
    "essential tremor",
    "neuropathy",
    "multiple sclerosis",
    "motor neurone",
    "als",
    "stroke",
    "tardive",
    "toxicity",
    "typical of",
)


def user_facing(rule: FlagRule) -> list[str]:
    return [text for text in (rule.wording, rule.escalated_wording) if text]


@pytest.mark.parametrize("rule", FLAG_RULES.values(), ids=lambda rule: rule.id)
def test_no_flag_wording_names_a_condition_as_the_users(rule: FlagRule) -> None:
    for text in user_facing(rule):
        words = set(re.findall(r"[a-z']+", text.lower()))
        named = [name for name in CONDITION_NAMES if (name in words if " " not in name else name in text.lower())]
        assert named == [], (rule.id, named)


@pytest.mark.parametrize("rule", FLAG_RULES.values(), ids=lambda rule: rule.id)
def test_every_rule_has_a_clinician_line_and_a_source_a_doctor_can_look_up(rule: FlagRule) -> None:
    assert rule.clinician_wording
    assert (rule.escalated_clinician_wording is None) == (rule.escalated_severity is None)
    assert "seed" not in rule.source.lower() and "CLINICAL.md" not in rule.source
    assert len(rule.source) > 20


def constant_values() -> set[str]:
    values = set()
    for name in dir(clinical_thresholds):
        value = getattr(clinical_thresholds, name)
        if name.isupper() and isinstance(value, int | float):
            values |= {str(value), f"{value:.0%}".rstrip("%"), str(value // 7) if isinstance(value, int) else ""}
    return values - {""}


@pytest.mark.parametrize("rule", FLAG_RULES.values(), ids=lambda rule: rule.id)
def test_every_number_a_rule_states_comes_from_a_named_constant(rule: FlagRule) -> None:
    emergency_numbers = {"999", "911", "112"}
    texts = [rule.threshold, rule.clinician_wording, rule.escalated_clinician_wording or "", *user_facing(rule)]
    # Rule ids (R20) and vitamin B12 are names, not numbers.
    names = re.compile(r"\bR\d+\b|\bB12\b")
    numbers = {n for text in texts for n in re.findall(r"\d+", names.sub("", text))} - emergency_numbers
    assert numbers <= constant_values(), (rule.id, numbers - constant_values())


def test_every_clinical_constant_has_a_source_and_is_explained_in_the_docs() -> None:
    docs = (Path(__file__).resolve().parents[3] / "docs" / "clinical.md").read_text()
    names = [
        name
        for name in dir(clinical_thresholds)
        if name.isupper() and isinstance(getattr(clinical_thresholds, name), int | float)
    ]
    assert len(names) >= 20
    for name in names:
        assert clinical_thresholds.SOURCES.get(name), name
        assert f"`{name}`" in docs, name
