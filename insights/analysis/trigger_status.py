"""The statuses of one trigger's association result: the one definition of their values.

Every surface stores, compares and orders results by these values (strongest first);
``insights.wording`` gives each its one wording. An ``enum.StrEnum``, so a member equals its
stored string and the analysis needs no Django.
"""

from __future__ import annotations

from enum import StrEnum


class TriggerStatus(StrEnum):
    """What one trigger's result supports, strongest first."""

    LINKED = "linked"
    POSSIBLE = "possible"
    NOT_CLEAR = "not_clear"
    NO_SIGN = "no_sign"
    NOT_TESTABLE = "not_testable"
