"""An experiment's days as the day check-ins make them known, and which of them kept the plan.

A person who follows a caffeine-free day's instruction has nothing to log that day; the day
check-in ("I kept my diary today") is what says the day happened. So a scheduled day with a
check-in is a known day: no episode on it is a real zero, no caffeine on it is 0 mg. And where
the check-in says whether the day's plan was kept (``kept_plan``), that word counts for
adherence; elsewhere the diary decides, as n_of_1.day_kept reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from insights.analysis import n_of_1
from insights.analysis.records import CheckinRecord


def known_logs(logs: Sequence[n_of_1.DayLog], checkins: Sequence[CheckinRecord]) -> list[n_of_1.DayLog]:
    """The days with a check-in count as logged, whatever else the diary holds for them."""
    checked = {c.day for c in checkins}
    return [replace(log, logged=True) if log.day in checked and not log.logged else log for log in logs]


def plan_said(checkins: Sequence[CheckinRecord]) -> dict[date, bool]:
    """What the check-ins said about keeping the plan, by day (days where they said nothing are left out)."""
    return {c.day: c.kept_plan for c in checkins if c.kept_plan is not None}


@dataclass(frozen=True)
class ExperimentDays:
    """The scheduled days that have passed: each one's assignment, diary and the person's word."""

    trigger: str
    assigned: list[bool] = field(default_factory=list)
    logs: list[n_of_1.DayLog] = field(default_factory=list)
    said: dict[date, bool] = field(default_factory=dict)

    def verdicts(self) -> list[bool | None]:
        """Per day: kept (True), not kept (False) or unknown (None). The check-in's word first."""
        return [
            self.said[log.day] if log.day in self.said else n_of_1.day_kept(self.trigger, assigned, log)
            for assigned, log in zip(self.assigned, self.logs, strict=True)
        ]

    def adherence(self) -> n_of_1.Adherence:
        verdicts = self.verdicts()
        return n_of_1.Adherence(
            days_so_far=len(self.logs),
            logged=sum(log.logged for log in self.logs),
            kept=sum(v is True for v in verdicts),
            not_kept=sum(v is False for v in verdicts),
            unknown=sum(v is None for v in verdicts),
            without_days=sum(not a for a in self.assigned),
            without_kept=sum(v is True and not a for a, v in zip(self.assigned, verdicts, strict=True)),
        )

    def per_protocol_ratio(self) -> tuple[float | None, int, int]:
        """The rate ratio over the kept days only (n_of_1.per_protocol_ratio's rule, with the
        check-ins' word on which days were kept), and the two day counts."""
        kept = [(a, log) for a, log, v in zip(self.assigned, self.logs, self.verdicts(), strict=True) if v is True]
        kept_with = [log.episodes for a, log in kept if a]
        kept_without = [log.episodes for a, log in kept if not a]
        if not kept_with or not kept_without:
            return None, len(kept_with), len(kept_without)
        rate_without = sum(kept_without) / len(kept_without)
        ratio = (sum(kept_with) / len(kept_with)) / rate_without if rate_without else None
        return ratio, len(kept_with), len(kept_without)
