"""The association engine as it was before issue 14, frozen here to compare the new one with.

What it did, condensed to the decisions that matter for which triggers get reported: each trigger
on its own, high against low days at fixed clinical cut points (caffeine 300 mg the same day, a
night under 7 h, stress 6 or more, 45 min of exercise the day before), a two-sided quasi-Poisson
score test with the smaller group's degrees of freedom, a Spearman correlation that must agree in
sign, medication starts as 60 days before against 60 after, the inhaler's 0-4 h window against the
rest of waking time, one Benjamini-Hochberg correction. Days with other entries and no caffeine
were missing. The numbers are those of commit 6ca3022 (insights/analysis/associations.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests

from insights.analysis.associations import data_sufficiency, inhaler_window_counts
from insights.analysis.daily_series import DailySeries, FloatArray, build_daily_series
from insights.analysis.records import Diary

CAFFEINE_HIGH_MG = 300.0
SHORT_SLEEP_HOURS = 7.0
HIGH_STRESS_LEVEL = 6.0
LONG_EXERCISE_MIN = 45.0
ALPHA = 0.05  # its Benjamini-Hochberg level
MIN_DAYS_PER_GROUP = 3
MIN_TRIGGER_DAYS = 30
MEDICATION_MIN_DAYS_EACH_SIDE = 14
MEDICATION_WINDOW_DAYS = 60
INHALER_MIN_DOSES = 10

# trigger key (as the new engine names it), exposure, "high" test, orientation
_EXPOSURES: tuple[tuple[str, Callable[[DailySeries], FloatArray], Callable[[FloatArray], FloatArray], int], ...] = (
    ("caffeine", lambda s: s.caffeine_mg, lambda x: x >= CAFFEINE_HIGH_MG, 1),
    ("sleep", lambda s: s.sleep_hours, lambda x: x < SHORT_SLEEP_HOURS, -1),
    ("stress", lambda s: s.stress_mean, lambda x: x >= HIGH_STRESS_LEVEL, 1),
    ("exercise", lambda s: s.exercise_min_prev, lambda x: x >= LONG_EXERCISE_MIN, 1),
)


def _dispersion(groups: list[FloatArray]) -> float:
    chi2, n = 0.0, 0
    for counts in groups:
        mean = float(counts.mean()) if counts.size else 0.0
        if mean > 0:
            chi2 += float(((counts - mean) ** 2).sum() / mean)
        n += counts.size
    degrees = n - len(groups)
    return max(1.0, chi2 / degrees) if degrees > 0 else 1.0


def _score_p(events_a: float, share_a: float, total: float, dispersion: float, degrees: float) -> float:
    if total <= 0 or not 0 < share_a < 1:
        return 1.0
    z = (events_a - total * share_a) / math.sqrt(dispersion * total * share_a * (1 - share_a))
    return float(2 * stats.t.sf(abs(z), degrees))


def _daily_test(high: FloatArray, low: FloatArray) -> tuple[float, float]:
    """(rate ratio, two-sided p) of high days against low days."""
    dispersion = _dispersion([high, low])
    degrees = float(min(high.size, low.size) - 1)
    events_high, events_low = float(high.sum()), float(low.sum())
    if events_high == 0 or events_low == 0:
        events_high, events_low = events_high + 0.5, events_low + 0.5
    ratio = (events_high / high.size) / (events_low / low.size)
    p = _score_p(
        float(high.sum()), high.size / (high.size + low.size), float(high.sum() + low.sum()), dispersion, degrees
    )
    return ratio, p


def reported_triggers(diary: Diary, series: DailySeries | None = None) -> set[str]:
    """The triggers the old engine would report for this diary."""
    series = series or build_daily_series(diary)
    if not data_sufficiency(series).enough:
        return set()
    # The old rule (still ``caffeine_mg``): a kept day without a caffeine intake is missing.
    tests: list[tuple[str, float, bool]] = []  # trigger, p, counts as a finding if it survives
    for trigger, exposure, is_high, orientation in _EXPOSURES:
        x = exposure(series)
        paired = ~np.isnan(x) & ~np.isnan(series.episodes)
        x, y = x[paired], series.episodes[paired]
        if x.size < MIN_TRIGGER_DAYS:
            continue
        high = is_high(x)
        if min(int(high.sum()), int((~high).sum())) < MIN_DAYS_PER_GROUP or np.ptp(x) == 0 or np.ptp(y) == 0:
            continue
        rho = float(stats.spearmanr(x, y).statistic)
        ratio, p = _daily_test(y[high], y[~high])
        tests.append((trigger, p, bool(np.sign(rho) * orientation == np.sign(math.log(ratio)))))
    for medication in diary.medications:
        start = medication.started_on
        if medication.as_needed or start is None:
            continue
        start_index = series.index_of(start)
        if not start_index:
            continue
        stop_index = series.index_of(medication.stopped_on) if medication.stopped_on else None
        after_end = min(start_index + MEDICATION_WINDOW_DAYS, stop_index or len(series), len(series))
        before = series.episodes[max(0, start_index - MEDICATION_WINDOW_DAYS) : start_index]
        after = series.episodes[start_index:after_end]
        before, after = before[~np.isnan(before)], after[~np.isnan(after)]
        if min(before.size, after.size) >= MEDICATION_MIN_DAYS_EACH_SIDE:
            tests.append((f"medication:{medication.id}", _daily_test(after, before)[1], True))
    counts = inhaler_window_counts(diary, series)
    if counts and counts.doses >= INHALER_MIN_DOSES and counts.window_hours > 0 and counts.other_hours > 0:
        logged = series.episodes[series.logged]
        hours = counts.window_hours + counts.other_hours
        p = _score_p(
            counts.window_episodes,
            counts.window_hours / hours,
            counts.window_episodes + counts.other_episodes,
            _dispersion([logged]),
            float(logged.size - 1),
        )
        tests.append(("inhaler", p, True))
    if not tests:
        return set()
    survives = multipletests([p for _, p, _ in tests], alpha=ALPHA, method="fdr_bh")[0]
    return {trigger for (trigger, _, counts_), keep in zip(tests, survives, strict=True) if keep and counts_}
