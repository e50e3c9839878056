"""The exposures the engine tests and the design matrix it fits them in.

In: a diary's ``DailySeries`` and the rows (logged days with an episode count) the model is fitted
on. Out: a ``Design`` holding every column of the model by name (each trigger at each lag as the
person's own centred rank of their days, a missing indicator where it was not logged, a step from
each regular medicine's start) and, per trigger, the ``Contrast`` shapes it is tested for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from insights.analysis.daily_series import BoolArray, DailySeries, FloatArray
from insights.analysis.records import Diary

# A trigger is tested only with MIN_TRIGGER_DAYS logged days and at least MIN_DAYS_PER_GROUP at each
# end of its range (Bearable compares days with and without a factor only with >= 3 of each and
# recommends 30 days).
MIN_TRIGGER_DAYS = 30
MIN_DAYS_PER_GROUP = 3
# A medication's start is judged only with two weeks of diary on each side of it.
MEDICATION_MIN_DAYS_EACH_SIDE = 14

# Lags (docs/clinical.md: caffeine the same day, sleep the night before).
# Caffeine: the same day (absorbed in ~45 min, half-life ~5 h: a 0-12 h window) and the day before
# (a late drink acts overnight).
CAFFEINE_LAGS = (0, 1)
# sleep_hours of a day is the night that ended that morning: the night before, lag 0 on that series.
SLEEP_LAG = 0
STRESS_LAG = 0
# Sessions are mostly logged in the afternoon or evening, after most of that day's episodes, and
# twitching brought on by hard exercise follows it: the day after is the window that can show it.
EXERCISE_LAG = 1

# The user's top and bottom thirds of days by an exposure: where "high" days begin.
THIRD = 1.0 / 3.0
# The step shapes each trigger is tested for (``Contrast``), as cuts on the centred rank scale
# (-0.5..0.5): a step at the user's top tenth, sixth, quarter, third, two fifths and half of days.
# A person's threshold can sit anywhere (caffeine from 150 or 350 mg, a short night under 5.5 or
# 7 h), so no single cut of ours decides it; a link that starts low in the range is left to the slope,
# as each shape tested costs a little power.
STEP_CUTS = (0.4, 0.325, 0.25, 0.175, 0.1, 0.0)
# A lag other than the trigger's documented one (caffeine the day before) is tested as a slope and a
# step at its top third only, so the search at both lags does not cost the documented lag its power.
SECONDARY_LAG_STEP_CUTS = (1.0 / 6.0,)
# A step is tested only with at least this many days (and this share of the days) on each side:
# a score test on a handful of over-dispersed days does not hold its level.
MIN_STEP_DAYS = 5
MIN_STEP_SHARE = 0.05


def lag_list(lags: tuple[int, ...], words: dict[int, str]) -> str:
    """The lags in words, joined by "or": "the same day or the day before"."""
    return " or ".join(words[lag] for lag in lags)


CAFFEINE_WORDS = {0: "the same day", 1: "the day before"}


@dataclass(frozen=True)
class Exposure:
    """A daily trigger: where its values come from, which way is "more", and its words."""

    trigger: str
    label: str
    lags: tuple[int, ...]
    # +1 when more of the value is the documented direction, -1 when less is (a short night).
    orientation: int
    noun: str  # "caffeine", for "more caffeine, more episodes"
    lag_words: dict[int, str]


EXPOSURES: tuple[Exposure, ...] = (
    Exposure("caffeine", "Caffeine", CAFFEINE_LAGS, 1, "caffeine", CAFFEINE_WORDS),
    Exposure("sleep", "Sleep", (SLEEP_LAG,), -1, "sleep", {0: "the night before"}),
    Exposure("stress", "Stress", (STRESS_LAG,), 1, "stress", {0: "the same day"}),
    Exposure("exercise", "Exercise", (EXERCISE_LAG,), 1, "exercise", {1: "the day before"}),
)


def exposure_values(series: DailySeries, trigger: str) -> FloatArray:
    """A trigger's value on each day of the series (NaN where it is not known)."""
    return {
        "caffeine": series.caffeine_day_mg,
        "sleep": series.sleep_hours,
        "stress": series.stress_mean,
        "exercise": series.exercise_min,
    }[trigger]


def lagged(values: FloatArray, lag: int) -> FloatArray:
    """The values ``lag`` days earlier, aligned on each day (NaN for the first ``lag`` days)."""
    return values if lag == 0 else np.concatenate([np.full(lag, np.nan), values[:-lag]])


def centred_rank(values: FloatArray) -> FloatArray:
    """Each value's rank among the non-missing ones, scaled to -0.5..0.5; missing sits at 0."""
    result = np.zeros(values.shape)
    present = ~np.isnan(values)
    if present.any():
        result[present] = (stats.rankdata(values[present]) - 0.5) / present.sum() - 0.5
    return result


@dataclass
class Design:
    """The model's columns, by name, over the rows (logged days) it is fitted on."""

    columns: dict[str, FloatArray] = field(default_factory=dict)
    # Per exposure column: its trigger, its centred rank and where it was logged, for the partners.
    exposures: dict[str, tuple[str, FloatArray, BoolArray]] = field(default_factory=dict)
    # Per trigger: the shapes of link it is tested for, over every lag it has (see Contrast).
    contrasts: dict[str, list[Contrast]] = field(default_factory=dict)

    def add(self, name: str, column: FloatArray) -> None:
        self.columns[name] = column

    def add_indicator(self, name: str, column: FloatArray) -> None:
        """Add a 0/1 column unless an identical one is in already (the day before unlogged, for
        every previous-day exposure alike), which would leave the model without a unique fit."""
        if not any(np.array_equal(column, other) for other in self.columns.values()):
            self.columns[name] = column


@dataclass(frozen=True)
class Contrast:
    """One shape of link a trigger is tested for: a slope over the user's ranking of days, or a step
    at one of ``STEP_CUTS`` of them, from their top tenth to their top half of days (the user's own
    threshold, wherever it lies)."""

    trigger: str
    lag: int
    shape: str  # "slope" or "step"
    column: FloatArray  # over the model's rows; 0 where the exposure was not logged
    raw: FloatArray  # the exposure's values over the model's rows (NaN where not logged)
    rank_column: str  # the model column this contrast stands in for when its effect is estimated


def _step_contrasts(
    trigger: str, lag: int, name: str, rank: FloatArray, values: FloatArray, cuts: tuple[float, ...]
) -> list[Contrast]:
    """A step at each of the cuts of the oriented rank, where each side keeps enough days."""
    present = ~np.isnan(values)
    enough = max(MIN_STEP_DAYS, math.ceil(MIN_STEP_SHARE * present.sum()))
    steps = []
    for cut in cuts:
        high = (rank > cut) & present
        if min(int(high.sum()), int((present & ~high).sum())) >= enough:
            steps.append(Contrast(trigger, lag, "step", high.astype(np.float64), values, name))
    return steps


def exposure_columns(series: DailySeries, rows: BoolArray, design: Design) -> dict[str, int]:
    """Add every exposure that has enough days to the design, with the shapes it is tested for
    (``design.contrasts``); return the days each trigger was logged on."""
    days: dict[str, int] = {}
    for spec in EXPOSURES:
        for lag in spec.lags:
            values = lagged(exposure_values(series, spec.trigger), lag)[rows]
            present = ~np.isnan(values)
            n_present = int(present.sum())
            days[spec.trigger] = max(days.get(spec.trigger, 0), n_present)
            low_cut, high_cut = np.quantile(values[present], [THIRD, 1 - THIRD]) if n_present else (0.0, 0.0)
            # Ties are fine for ranks; what it needs is a few days at each end.
            above = int((values[present] > low_cut).sum())
            below = int((values[present] < high_cut).sum()) if high_cut > low_cut else n_present - above
            if n_present < MIN_TRIGGER_DAYS or min(above, below) < MIN_DAYS_PER_GROUP:
                continue
            name = f"{spec.trigger}@{lag}"
            rank = spec.orientation * centred_rank(values)
            design.add(name, rank)
            design.exposures[name] = (spec.trigger, rank, present)
            missing = ~present
            if missing.sum() >= MIN_DAYS_PER_GROUP:
                design.add_indicator(f"{name}:missing", missing.astype(np.float64))
            contrasts = design.contrasts.setdefault(spec.trigger, [])
            cuts = STEP_CUTS if lag == spec.lags[0] else SECONDARY_LAG_STEP_CUTS
            slope = Contrast(spec.trigger, lag, "slope", rank, values, name)
            for contrast in [slope, *_step_contrasts(spec.trigger, lag, name, rank, values, cuts)]:
                # Ties (stress in whole numbers, days without coffee) can make two cuts the same step.
                if not any(np.array_equal(contrast.column, other.column) for other in contrasts):
                    contrasts.append(contrast)
    return days


def medication_columns(series: DailySeries, diary: Diary, rows: BoolArray, design: Design) -> list[str]:
    """A step from each regular medicine's start, where there are two weeks of diary on each side."""
    names = []
    day_index = np.arange(len(series))[rows]
    for medication in diary.medications:
        start = medication.started_on
        if medication.as_needed or start is None:
            continue
        start_index = series.index_of(start)
        if start_index is None:
            continue
        stop_index = series.index_of(medication.stopped_on) if medication.stopped_on else None
        taking = (day_index >= start_index) & (day_index < (stop_index if stop_index is not None else len(series)))
        if min(int(taking.sum()), int((day_index < start_index).sum())) < MEDICATION_MIN_DAYS_EACH_SIDE:
            continue
        name = f"medication:{medication.id}"
        design.add(name, taking.astype(np.float64))
        names.append(name)
    return names
