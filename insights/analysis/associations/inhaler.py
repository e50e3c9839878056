"""The inhaler window: episodes an hour in the hours after a beta-2 agonist dose against other
waking hours.

In: a diary and its ``DailySeries``. Out: the counts and waking hours inside and outside the window
(``inhaler_window_counts``), and the window's one-sided test as a ``PendingResult``
(``inhaler_test``), or None where there is nothing to test. Within a day the window and the rest
share the day's level, so this comparison needs no model of the days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from insights.analysis.associations.results import PendingResult
from insights.analysis.clinical_thresholds import BETA2_TREMOR_WINDOW_HOURS
from insights.analysis.daily_series import BoolArray, DailySeries, FloatArray
from insights.analysis.records import Diary

HOUR = 3600.0
# The window is tested only with at least this many doses in the diary.
INHALER_MIN_DOSES = 10
# Beta-2 agonist tremor starts minutes to hours after a dose (docs/clinical.md, BETA2_TREMOR_WINDOW_HOURS).
INHALER_WINDOW_HOURS = float(BETA2_TREMOR_WINDOW_HOURS)
# Episodes are only logged awake, so the inhaler comparison counts waking time only; without a
# sleep log for the night, the day is assumed to run from 07:00 to 23:00 local time.
DEFAULT_WAKE_HOUR = 7.0
DEFAULT_BED_HOUR = 23.0


@dataclass(frozen=True)
class InhalerWindowCounts:
    """Doses, and episodes and waking hours inside the window after a dose and outside it."""

    doses: int
    window_episodes: int
    window_hours: float
    other_episodes: int
    other_hours: float


def _stamps(values: list[float]) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def awake_intervals(diary: Diary, series: DailySeries) -> FloatArray:
    """Waking time of each logged day as sorted, disjoint [start, end) UTC epoch-second pairs.

    A day runs from the earliest wake-up logged that day to the earliest bedtime of the night that
    ends the next day; where either is missing the defaults stand in.
    """
    starts = series.day_starts_utc
    woke = _stamps([record.woke_at.timestamp() for record in diary.sleep])
    bed = _stamps([record.bed_at.timestamp() for record in diary.sleep])
    woke_day = np.searchsorted(starts, woke, side="right") - 1
    intervals: list[tuple[float, float]] = []
    previous_end = -np.inf
    for day in np.flatnonzero(series.logged):
        midnight = starts[day]
        wake_today = woke[(woke_day == day) & (woke < midnight + 14 * HOUR)]
        wake = float(wake_today.min()) if wake_today.size else midnight + DEFAULT_WAKE_HOUR * HOUR
        bed_tonight = bed[(woke_day == day + 1) & (bed > wake)]
        end = float(bed_tonight.min()) if bed_tonight.size else midnight + DEFAULT_BED_HOUR * HOUR
        wake = max(wake, previous_end)
        if end > wake:
            intervals.append((wake, end))
            previous_end = end
    return np.array(intervals, dtype=np.float64).reshape(-1, 2)


def merge_intervals(intervals: FloatArray) -> FloatArray:
    """The union of [start, end) intervals as sorted, disjoint intervals."""
    if intervals.size == 0:
        return intervals.reshape(-1, 2)
    ordered = intervals[np.argsort(intervals[:, 0])]
    merged = [list(ordered[0])]
    for start, end in ordered[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return np.array(merged, dtype=np.float64)


def overlap_seconds(first: FloatArray, second: FloatArray) -> float:
    """Total length of the intersection of two sets of sorted, disjoint intervals."""
    total, i, j = 0.0, 0, 0
    while i < len(first) and j < len(second):
        low = max(first[i, 0], second[j, 0])
        high = min(first[i, 1], second[j, 1])
        total += max(0.0, high - low)
        if first[i, 1] < second[j, 1]:
            i += 1
        else:
            j += 1
    return total


def inside_intervals(stamps: FloatArray, intervals: FloatArray) -> BoolArray:
    """Whether each instant falls inside one of the sorted, disjoint intervals."""
    if intervals.size == 0:
        return np.zeros(stamps.shape, dtype=bool)
    index = np.searchsorted(intervals[:, 0], stamps, side="right") - 1
    inside = index >= 0
    inside[inside] = stamps[inside] < intervals[index[inside], 1]
    return inside


def inhaler_window_counts(diary: Diary, series: DailySeries) -> InhalerWindowCounts | None:
    """Episodes and waking hours inside ``INHALER_WINDOW_HOURS`` after a beta-2 agonist dose and outside it."""
    inhalers = {medication.id for medication in diary.medications if medication.drug_class == "beta2_agonist"}
    dose_stamps = _stamps([dose.taken_at.timestamp() for dose in diary.doses if dose.medication_id in inhalers])
    dose_stamps = dose_stamps[(dose_stamps >= series.day_starts_utc[0]) & (dose_stamps < series.day_starts_utc[-1])]
    if dose_stamps.size == 0:
        return None
    awake = awake_intervals(diary, series)
    windows = merge_intervals(np.column_stack([dose_stamps, dose_stamps + INHALER_WINDOW_HOURS * HOUR]))
    episode_stamps = _stamps([episode.started_at.timestamp() for episode in diary.episodes])
    counted = inside_intervals(episode_stamps, awake)
    in_window = counted & inside_intervals(episode_stamps, windows)
    awake_hours = float((awake[:, 1] - awake[:, 0]).sum()) / HOUR
    window_hours = overlap_seconds(awake, windows) / HOUR
    return InhalerWindowCounts(
        doses=int(dose_stamps.size),
        window_episodes=int(in_window.sum()),
        window_hours=window_hours,
        other_episodes=int((counted & ~in_window).sum()),
        other_hours=awake_hours - window_hours,
    )


def pearson_dispersion(counts: FloatArray) -> float:
    """Quasi-Poisson dispersion of daily counts around their mean, never below 1."""
    mean = float(counts.mean()) if counts.size else 0.0
    if counts.size < 2 or mean <= 0:
        return 1.0
    return max(1.0, float(((counts - mean) ** 2).sum() / mean) / (counts.size - 1))


def inhaler_test(diary: Diary, series: DailySeries, trigger_count: int) -> PendingResult | None:
    """Episodes an hour inside the window after a dose against other waking hours (a score test).

    Within a day the window and the rest share the day's level, so this comparison needs no model
    of the days; the day-to-day dispersion scales its variance, as the days' spread also spreads
    the hours'.
    """
    counts = inhaler_window_counts(diary, series)
    if counts is None or counts.doses < INHALER_MIN_DOSES or counts.window_hours <= 0 or counts.other_hours <= 0:
        return None
    logged = series.episodes[series.logged]
    dispersion = pearson_dispersion(logged)
    degrees = float(logged.size - 1)
    total = counts.window_episodes + counts.other_episodes
    share = counts.window_hours / (counts.window_hours + counts.other_hours)
    if total == 0:
        return None
    z = (counts.window_episodes - total * share) / math.sqrt(dispersion * total * share * (1 - share))
    # Haldane's half event keeps the log ratio finite when one side has none.
    inside, outside = counts.window_episodes + 0.5, counts.other_episodes + 0.5
    estimate = math.log((inside / counts.window_hours) / (outside / counts.other_hours))
    se = math.sqrt(dispersion / inside + dispersion / outside)
    hours = f"the {INHALER_WINDOW_HOURS:g} hours after an inhaler dose"
    return PendingResult(
        trigger="inhaler",
        label="Inhaler doses",
        lag=f"0-{INHALER_WINDOW_HOURS:g} h after a dose",
        exposure=hours,
        comparison=f"{hours} against your other waking hours",
        high_days=hours,
        low_days="your other waking hours",
        n_days=int(series.logged.sum()),
        p_value=float(stats.t.sf(z, degrees)),
        estimate=estimate,
        se=se,
        degrees=degrees,
        unit="as many episodes an hour",
        method=(
            f"Episodes an hour in the {INHALER_WINDOW_HOURS:g} hours after a dose against your other waking hours, "
            f"tested only for more episodes, corrected over the {trigger_count} links tested."
        ),
    )
