"""The insights' knowledge base: the causes of finger twitching (``causes``), the flag rule
table (``flag_rule_table``) and the severities and context sentence every surface shares.

The names other code imports are re-exported here, so ``from insights.analysis.knowledge import
X`` keeps working.
"""

from __future__ import annotations

from insights.analysis.causes import CAUSES, CAUSES_BY_CODE, Cause
from insights.analysis.flag_rule_table import FLAG_RULES, FLAG_RULES_LIST, FlagRule

__all__ = [
    "CAUSES",
    "CAUSES_BY_CODE",
    "CONTEXT_SENTENCE",
    "FLAG_RULES",
    "FLAG_RULES_LIST",
    "SEVERITIES",
    "Cause",
    "FlagRule",
    "severity_rank",
]

# Ordered from least to most pressing; comparisons between severities use the index here.
SEVERITIES: tuple[str, ...] = ("info", "see_doctor", "see_doctor_soon", "urgent", "emergency")

# The context every flag and summary may lead with: persistence alone says little (docs/clinical.md,
# "Context for wording"), and a frightened user is less likely to see anyone at all.
CONTEXT_SENTENCE = "Most twitches are harmless; a GP can check the common causes."


def severity_rank(severity: str) -> int:
    """Position of ``severity`` in SEVERITIES; raises ValueError for an unknown severity."""
    return SEVERITIES.index(severity)
