"""An experiment's days as the day check-ins make them known, and which of them kept the plan.

A person who follows a caffeine-free day's instruction has nothing to log that day; the day
check-in ("I kept my diary today") is what says the day happened. n_of_1.day_logs reads the days
as the daily series does (a day with a check-in is known: no episode on it is a real zero, no
caffeine 0 mg) and carries the check-in's ``kept_plan``; n_of_1.day_kept decides adherence from
both, so the product and the validation bench share one rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from insights.analysis import n_of_1


@dataclass(frozen=True)
class ExperimentDays:
    """The scheduled days that have passed: each one's assignment and diary (with the check-in's word)."""

    trigger: str
    assigned: list[bool] = field(default_factory=list)
    logs: list[n_of_1.DayLog] = field(default_factory=list)

    def verdicts(self) -> list[bool | None]:
        """Per day: kept (True), not kept (False) or unknown (None), by n_of_1.day_kept (the diary,
        and the check-in's "kept today's plan" where the diary cannot tell or the person said no)."""
        return [
            n_of_1.day_kept(self.trigger, assigned, log) for assigned, log in zip(self.assigned, self.logs, strict=True)
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
