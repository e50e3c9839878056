"""The knowledge base: every cause and rule is there, sourced, and refers to real diary terms."""

from __future__ import annotations

import pytest

from diary.catalogues.body_sites import BODY_SITES
from diary.catalogues.episode_terms import CHARACTERS, CONTEXTS, LAB_ANALYTES, POSTURES, SYMPTOMS
from diary.catalogues.medicines import DRUG_CLASSES
from insights.analysis.daily_series import DailySeries
from insights.analysis.knowledge import CAUSES, CONTEXT_SENTENCE, FLAG_RULES, SEVERITIES, Cause

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
