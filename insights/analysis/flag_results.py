"""What a flag rule returns: a ``FlagResult``, made from the rule's texts and its evidence.

``make_flag(rule_id, evidence, ...)`` takes the entries and local dates that show a rule's pattern
and returns the flag with the rule's severity (escalated where a second sign joins the first),
wording and source from the rule table, and a ``fingerprint`` that holds only what is material
(rule, severity, regions), so an acknowledged flag reopens when it escalates or reaches a new
region, not every time another episode is logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from insights.analysis.flag_rule_table import FLAG_RULES

# Red flags are the signs that change urgency (docs/clinical.md, "Words a diary can and cannot
# support"): weakness, wasting, speech or swallowing trouble, spread with weakness, one-sided rest
# tremor, symptoms after a medicine with a known link, and everything urgent or worse. Persistence,
# spread without weakness and the sensory, tremor and lab patterns are for a routine review.
RED_FLAG_RULES = frozenset({"R3", "R4", "R5", "R6", "R7", "R8", "R13", "R14", "R15", "R19", "R20"})


def is_red_flag(rule_id: str, severity: str) -> bool:
    """Whether a flag belongs under "Red flags" rather than "Patterns for a routine review"."""
    return rule_id in RED_FLAG_RULES or severity in ("see_doctor_soon", "urgent", "emergency")


@dataclass(frozen=True)
class FlagResult:
    """One rule that fired: its texts, its evidence (entries and local dates) and its fingerprint."""

    rule_id: str
    severity: str
    regions: tuple[str, ...]
    evidence_entry_ids: tuple[str, ...]
    evidence_dates: tuple[date, ...]
    first_seen: date
    last_seen: date
    title: str
    wording: str
    source: str
    fingerprint: str
    # The evidence in plain words, naming what it counts ("9 episodes ..."), the test and value
    # of a lab result, the medicine and its start: shown beside the wording and in the report.
    detail: str = ""
    # The rule's one line in a clinician's voice (knowledge base), for the physician report.
    clinician_wording: str = ""


Evidence = list[tuple[str, date]]  # (entry id, local date) pairs that show a rule's pattern


def fingerprint(rule_id: str, severity: str, regions: Iterable[str]) -> str:
    """What is material about a flag: its rule, severity and regions, as one string."""
    return f"{rule_id}|{severity}|{','.join(sorted(regions))}"


def make_flag(
    rule_id: str, evidence: Evidence, regions: Iterable[str] = (), escalated: bool = False, detail: str = ""
) -> FlagResult:
    """The flag of rule ``rule_id`` on non-empty ``evidence``: the rule table's texts (the escalated
    ones where ``escalated`` and the rule has them), the evidence in date order without repeats,
    its first and last day, and the regions sorted."""
    rule = FLAG_RULES[rule_id]
    escalate = escalated and rule.escalated_severity is not None
    severity = rule.escalated_severity if escalate and rule.escalated_severity else rule.severity
    wording = rule.escalated_wording if escalate and rule.escalated_wording else rule.wording
    clinician = rule.clinician_wording
    if escalate and rule.escalated_clinician_wording:
        clinician = rule.escalated_clinician_wording
    ordered = sorted(set(evidence), key=lambda item: (item[1], item[0]))
    ids = tuple(dict.fromkeys(entry_id for entry_id, _ in ordered))
    dates = tuple(sorted({day for _, day in ordered}))
    region_tuple = tuple(sorted(set(regions)))
    return FlagResult(
        rule_id,
        severity,
        region_tuple,
        ids,
        dates,
        dates[0],
        dates[-1],
        rule.title,
        wording,
        rule.source,
        fingerprint(rule_id, severity, region_tuple),
        detail,
        clinician,
    )
