"""Associations between a user's logged triggers and their episodes, with honest uncertainty.

Each trigger is tested only once the diary holds enough days (CLINICAL.md, "Statistics"), and only
once, at the lag chosen in advance: caffeine the same day, sleep the night before, stress the same
day, exercise the day before (sessions are logged late in the day and post-exercise twitching
follows them). Testing a second lag of the same trigger would add a test to the correction for
every user and cost power on every trigger, while the first lag already sees most of a link
(stress runs in spells of days).

For a daily exposure the tested hypothesis is the one the user reads: the rate of episodes on
high- against low-exposure days at the clinical cut point ("2.1 times as many episodes"). The test
is the quasi-Poisson score test of that rate ratio: the high days' episodes against what the
user's overall daily rate predicts for them, scaled by the day-to-day (Pearson) dispersion pooled
over both groups (under "no link" both groups share it), referred to Student's t on the smaller
group's degrees of freedom because skewed daily counts make a small group's dispersion noisy. The
interval shown is the Wald interval of the same model. Measured on simulated users (RR 2, 90 days)
this finds caffeine in 36% of users where the earlier Wald test with a dispersion per group and
six daily tests found 26-32%; with n - 2 degrees of freedom it found more but reported links in
5.4% of 1,500 null users, above the 5% allowed. A quasi-Poisson score test on the continuous
exposure (mg, hours, level) found about half as many step-like links as the high/low comparison
and was not kept.

The Spearman rank correlation over all paired days is reported beside it and must point the same
way, which keeps a split driven by a few odd days from being worded as a finding. Medication starts
use the same test, before against after; inhaler doses compare hourly rates inside and outside a
0-4 h window with the same kind of score test. Every test run for the user goes through one
Benjamini-Hochberg correction, and only what survives it is called a finding, always as an
association in the user's own data, never as a cause. Days with other triggers are not adjusted
for, so a link can be confounded (CLINICAL.md: comparable days are rare); the wording says
"association" for that reason.

What this can find (tests/insights/analysis/test_analysis_validation.py, simulated users with
gamma day-to-day variation, 85% falling completion, 0.5-3 episodes a day): a rate ratio of 3 over
90 days in about 90% of users; a rate ratio of 2 over 90 days in only about half of them. The day-
to-day variation, not the method, sets that limit: even a single test at p < 0.05 with no
correction finds RR 2 in 90 days in only 55-76% of simulated users.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests

from insights.analysis.daily_series import BoolArray, DailySeries, FloatArray, build_daily_series
from insights.analysis.records import Diary, MedicationRecord

HOUR = 3600.0

ALPHA = 0.05
# CLINICAL.md, "Statistics": ~24 events to detect a moderate association in one person, and
# autoregressive estimates are poor under 50 time points.
NEEDED_LOGGED_DAYS = 50
NEEDED_EPISODE_DAYS = 24
# Bearable compares days with and without a factor only with >= 3 of each and recommends 30 days.
MIN_DAYS_PER_GROUP = 3
MIN_TRIGGER_DAYS = 30
# A medication's effect is judged on comparable stretches of days around its start; 60 days a side
# limits how much a slow drift in twitching (or in logging) can pass for an effect of the medicine.
MEDICATION_MIN_DAYS_EACH_SIDE = 14
MEDICATION_WINDOW_DAYS = 60
INHALER_MIN_DOSES = 10
# Beta-2 agonist tremor starts minutes to hours after a dose (CLINICAL.md), so 0-4 h.
INHALER_WINDOW_HOURS = 4.0
# Episodes are only logged awake, so the inhaler comparison counts waking time only; without a
# sleep log for the night, the day is assumed to run from 07:00 to 23:00 local time.
DEFAULT_WAKE_HOUR = 7.0
DEFAULT_BED_HOUR = 23.0

# Cut points for "high" and "low" exposure days.
# 300 mg is about three cups of brewed coffee: below the FDA's 400 mg/day guide, so users commonly
# have days on both sides of it, and well above the ~100 mg of a single cup.
CAFFEINE_HIGH_MG = 300.0
# Adults need 7 hours or more (AASM/SRS consensus, Watson et al. 2015); under 7 is a short night.
SHORT_SLEEP_HOURS = 7.0
# On the 0-10 scale, 6 or more is above the midpoint: a day the user felt more stressed than not.
HIGH_STRESS_LEVEL = 6.0
# "Excessive exercise" brings on benign twitching; 45 minutes is longer than the 30 minutes a day
# of the usual 150 min/week advice, so it separates long or hard sessions from everyday activity.
LONG_EXERCISE_MIN = 45.0

NOT_PROOF = "This is an association in your data, not proof of a cause."
NO_CLEAR_LINK = "No clear link yet."


@dataclass(frozen=True)
class DataSufficiency:
    logged_days: int
    episode_days: int
    needed_logged_days: int
    needed_episode_days: int
    days_more_needed: int

    @property
    def enough(self) -> bool:
        return self.days_more_needed == 0


@dataclass(frozen=True)
class AssociationResult:
    trigger: str
    label: str
    lag: str
    n_days: int
    rho: float | None
    p_value: float | None
    q_value: float | None
    rate_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    direction: str  # "more", "fewer", "none" (tested, no clear direction) or "not_tested"
    significant: bool
    sentence: str


@dataclass(frozen=True)
class AssociationReport:
    sufficiency: DataSufficiency
    results: list[AssociationResult] = field(default_factory=list)

    @property
    def reported(self) -> list[AssociationResult]:
        """The associations that survived the correction: the only ones to show as findings."""
        return [result for result in self.results if result.significant]


@dataclass(frozen=True)
class RateRatio:
    ratio: float
    ci_low: float
    ci_high: float
    p_value: float


@dataclass(frozen=True)
class ExposureTrigger:
    """A daily exposure compared with the same day's episodes."""

    trigger: str
    label: str
    lag: str
    exposure: Callable[[DailySeries], FloatArray]
    is_high: Callable[[FloatArray], BoolArray]
    # +1 when "high" means more of the measured quantity, -1 when it means less (short sleep), so
    # the correlation's sign can be checked against the rate ratio's.
    orientation: int
    high_phrase: str


def _previous_day(values: FloatArray) -> FloatArray:
    return np.concatenate([[np.nan], values[:-1]])


EXPOSURE_TRIGGERS: tuple[ExposureTrigger, ...] = (
    # Caffeine is absorbed within ~45 min with a ~5 h half-life, so its window is the same day.
    ExposureTrigger(
        "caffeine",
        "Caffeine",
        "same day",
        lambda s: s.caffeine_mg,
        lambda x: x >= CAFFEINE_HIGH_MG,
        1,
        "On days with 300 mg of caffeine or more",
    ),
    # sleep_hours of a day is the night that ended that morning: the night before.
    ExposureTrigger(
        "sleep",
        "Sleep",
        "night before",
        lambda s: s.sleep_hours,
        lambda x: x < SHORT_SLEEP_HOURS,
        -1,
        "On days after a night of less than 7 hours' sleep",
    ),
    ExposureTrigger(
        "stress",
        "Stress",
        "same day",
        lambda s: s.stress_mean,
        lambda x: x >= HIGH_STRESS_LEVEL,
        1,
        "On days with a stress level of 6 or more",
    ),
    # Sessions are mostly logged in the afternoon or evening, after most of that day's episodes, and
    # twitching brought on by hard exercise follows it: the day after is the window that can show it.
    # The trigger keeps its lag in its name: stored results and the doctor's report key on it.
    ExposureTrigger(
        "exercise_previous_day",
        "Exercise the day before",
        "previous day",
        lambda s: s.exercise_min_prev,
        lambda x: x >= LONG_EXERCISE_MIN,
        1,
        "On days after 45 minutes of exercise or more",
    ),
)


def pearson_dispersion(groups: list[FloatArray]) -> float:
    """Quasi-Poisson dispersion of counts around their group means, never below 1.

    This is the Pearson chi-squared over its degrees of freedom, as a quasi-Poisson GLM with one
    indicator per group would estimate it. It is floored at 1 because an underdispersed sample
    of a few days is more likely luck than a reason to trust a narrower interval.
    """
    chi2 = 0.0
    n = 0
    for counts in groups:
        mean = float(counts.mean()) if counts.size else 0.0
        if mean > 0:
            chi2 += float(((counts - mean) ** 2).sum() / mean)
        n += counts.size
    degrees = n - len(groups)
    return max(1.0, chi2 / degrees) if degrees > 0 else 1.0


def rate_ratio(
    events_a: float,
    time_a: float,
    events_b: float,
    time_b: float,
    dispersion_a: float = 1.0,
    dispersion_b: float | None = None,
    degrees_of_freedom: float | None = None,
) -> RateRatio:
    """Rate of group a over group b with a Wald interval on the log scale and its two-sided p.

    Each group's variance is its own dispersion over its events. With ``degrees_of_freedom`` the
    interval and p use Student's t instead of the normal, because the dispersions are estimated
    from few days and a normal quantile would be too sure of them. With a zero count the log is
    undefined, so half an event is added to both groups (Haldane's correction), which keeps the
    interval finite and wide as it should be.
    """
    dispersion_b = dispersion_a if dispersion_b is None else dispersion_b
    if events_a == 0 or events_b == 0:
        events_a, events_b = events_a + 0.5, events_b + 0.5
    log_ratio = math.log((events_a / time_a) / (events_b / time_b))
    se = math.sqrt(dispersion_a / events_a + dispersion_b / events_b)
    reference = stats.t(degrees_of_freedom) if degrees_of_freedom else stats.norm
    quantile = float(reference.ppf(1 - ALPHA / 2))
    p_value = float(2 * reference.sf(abs(log_ratio) / se))
    return RateRatio(
        math.exp(log_ratio), math.exp(log_ratio - quantile * se), math.exp(log_ratio + quantile * se), p_value
    )


def score_p_value(
    events_a: float, share_a: float, events_total: float, dispersion: float, degrees_of_freedom: float
) -> float:
    """Two-sided p of the quasi-Poisson score test that group a has its share of the events.

    Under "no difference" group a's events are binomial-like around ``share_a`` of the total, with
    variance inflated by the dispersion; the statistic needs no estimate of the ratio itself, so it
    behaves with zero counts and small groups where the log-ratio Wald test does not.
    """
    if events_total <= 0 or not 0 < share_a < 1:
        return 1.0
    z = (events_a - events_total * share_a) / math.sqrt(dispersion * events_total * share_a * (1 - share_a))
    return float(2 * stats.t(degrees_of_freedom).sf(abs(z)))


def daily_rate_ratio(high: FloatArray, low: FloatArray) -> RateRatio:
    """Episodes per day on ``high`` days over episodes per day on ``low`` days.

    The dispersion is pooled over both groups, as in a quasi-Poisson GLM with one indicator: under
    "no link", the hypothesis tested, both groups share it. The p-value is the score test and the
    interval the Wald interval of the same model, both on Student's t.
    """
    n_high, n_low = high.size, low.size
    dispersion = pearson_dispersion([high, low])
    # Skewed daily counts make the dispersion of a small group's days noisy, so the t reference
    # takes the smaller group's degrees of freedom (the conservative end of Welch's approximation).
    # With n - 2 the false-positive rate measured on null users came out at 5.4% over 1,500 users.
    degrees = float(min(n_high, n_low) - 1)
    events_high, events_low = float(high.sum()), float(low.sum())
    effect = rate_ratio(events_high, n_high, events_low, n_low, dispersion, degrees_of_freedom=degrees)
    p_value = score_p_value(events_high, n_high / (n_high + n_low), events_high + events_low, dispersion, degrees)
    return RateRatio(effect.ratio, effect.ci_low, effect.ci_high, p_value)


def data_sufficiency(series: DailySeries) -> DataSufficiency:
    logged_days = int(series.logged.sum())
    episode_days = int((np.nan_to_num(series.episodes) > 0).sum())
    more_logged = max(0, NEEDED_LOGGED_DAYS - logged_days)
    more_episode_days = max(0, NEEDED_EPISODE_DAYS - episode_days)
    if more_episode_days and episode_days:
        # At the user's own pace of days with episodes, this is how many more logged days it takes.
        more_episode_days = math.ceil(more_episode_days * logged_days / episode_days)
    return DataSufficiency(
        logged_days=logged_days,
        episode_days=episode_days,
        needed_logged_days=NEEDED_LOGGED_DAYS,
        needed_episode_days=NEEDED_EPISODE_DAYS,
        days_more_needed=max(more_logged, more_episode_days),
    )


@dataclass
class _Pending:
    """A test that ran, waiting for its q-value before it can be worded."""

    trigger: str
    label: str
    lag: str
    n_days: int
    rho: float | None
    p_value: float
    effect: RateRatio
    # False when the rank correlation points the other way from the rate ratio.
    consistent: bool
    phrase: str
    unit: str


def _not_tested(trigger: str, label: str, lag: str, n_days: int, sentence: str) -> AssociationResult:
    return AssociationResult(
        trigger, label, lag, n_days, None, None, None, None, None, None, "not_tested", False, sentence
    )


def _test_exposure(series: DailySeries, spec: ExposureTrigger) -> _Pending | AssociationResult:
    exposure = spec.exposure(series)
    paired = ~np.isnan(exposure) & ~np.isnan(series.episodes)
    x, y = exposure[paired], series.episodes[paired]
    n_days = int(paired.sum())
    if n_days < MIN_TRIGGER_DAYS:
        more = MIN_TRIGGER_DAYS - n_days
        return _not_tested(
            spec.trigger,
            spec.label,
            spec.lag,
            n_days,
            f"Not enough data yet: log {spec.label.lower()} on {more} more days.",
        )
    high = spec.is_high(x)
    if min(int(high.sum()), int((~high).sum())) < MIN_DAYS_PER_GROUP:
        return _not_tested(
            spec.trigger,
            spec.label,
            spec.lag,
            n_days,
            f"Not enough data yet: needs at least {MIN_DAYS_PER_GROUP} days on each side of the cut-off to compare.",
        )
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return _not_tested(spec.trigger, spec.label, spec.lag, n_days, NO_CLEAR_LINK)
    # The tested hypothesis is the rate ratio the user will read; the rank correlation over all days
    # must point the same way, which guards against a split driven by a few odd days.
    rho = float(stats.spearmanr(x, y).statistic)
    effect = daily_rate_ratio(y[high], y[~high])
    consistent = bool(np.sign(rho) * spec.orientation == np.sign(math.log(effect.ratio)))
    return _Pending(
        spec.trigger,
        spec.label,
        spec.lag,
        n_days,
        rho,
        effect.p_value,
        effect,
        consistent,
        spec.high_phrase,
        "as many episodes",
    )


def _medication_start_tests(series: DailySeries, medications: tuple[MedicationRecord, ...]) -> list[_Pending]:
    """Episodes a day after each regular medication's start against before it.

    As-needed medicines are left to the dose-window test: their start date says little about when
    they were actually taken.
    """
    pending: list[_Pending] = []
    for medication in medications:
        start = medication.started_on
        if medication.as_needed or start is None:
            continue
        start_index = series.index_of(start)
        if start_index is None or start_index == 0:
            continue
        stop_index = series.index_of(medication.stopped_on) if medication.stopped_on else None
        after_end = min(start_index + MEDICATION_WINDOW_DAYS, stop_index or len(series), len(series))
        before = series.episodes[max(0, start_index - MEDICATION_WINDOW_DAYS) : start_index]
        after = series.episodes[start_index:after_end]
        before, after = before[~np.isnan(before)], after[~np.isnan(after)]
        if min(before.size, after.size) < MEDICATION_MIN_DAYS_EACH_SIDE:
            continue
        effect = daily_rate_ratio(after, before)
        pending.append(
            _Pending(
                f"medication:{medication.id}",
                medication.name,
                "before vs after the start",
                int(before.size + after.size),
                None,
                effect.p_value,
                effect,
                True,
                f"Since you started {medication.name}",
                "as many episodes a day as before",
            )
        )
    return pending


@dataclass(frozen=True)
class InhalerWindowCounts:
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
    """Episodes and waking hours inside 0-4 h after a beta-2 agonist dose and outside it."""
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


def _inhaler_test(diary: Diary, series: DailySeries) -> _Pending | None:
    counts = inhaler_window_counts(diary, series)
    if counts is None or counts.doses < INHALER_MIN_DOSES or counts.window_hours <= 0 or counts.other_hours <= 0:
        return None
    logged_counts = series.episodes[series.logged]
    dispersion = pearson_dispersion([logged_counts])
    degrees = float(logged_counts.size - 1)
    effect = rate_ratio(
        counts.window_episodes,
        counts.window_hours,
        counts.other_episodes,
        counts.other_hours,
        dispersion,
        degrees_of_freedom=degrees,
    )
    hours = counts.window_hours + counts.other_hours
    p_value = score_p_value(
        counts.window_episodes,
        counts.window_hours / hours,
        counts.window_episodes + counts.other_episodes,
        dispersion,
        degrees,
    )
    effect = RateRatio(effect.ratio, effect.ci_low, effect.ci_high, p_value)
    return _Pending(
        "inhaler_window",
        "Inhaler doses",
        "0-4 h after a dose",
        int(series.logged.sum()),
        None,
        effect.p_value,
        effect,
        True,
        "In the 4 hours after an inhaler dose",
        "as many episodes per hour as at other waking times",
    )


def _word(pending: _Pending, q_value: float, survives: bool) -> AssociationResult:
    effect = pending.effect
    significant = survives and pending.consistent
    direction = "none"
    sentence = NO_CLEAR_LINK
    if significant:
        direction = "more" if effect.ratio > 1 else "fewer"
        sentence = (
            f"{pending.phrase} you logged {effect.ratio:.1f} times {pending.unit} "
            f"(95% CI {effect.ci_low:.1f}-{effect.ci_high:.1f}). {NOT_PROOF}"
        )
    return AssociationResult(
        trigger=pending.trigger,
        label=pending.label,
        lag=pending.lag,
        n_days=pending.n_days,
        rho=pending.rho,
        p_value=pending.p_value,
        q_value=q_value,
        rate_ratio=effect.ratio,
        ci_low=effect.ci_low,
        ci_high=effect.ci_high,
        direction=direction,
        significant=significant,
        sentence=sentence,
    )


def benjamini_hochberg(p_values: list[float]) -> tuple[list[bool], list[float]]:
    """Which tests survive a Benjamini-Hochberg correction at ALPHA, and their q-values."""
    if not p_values:
        return [], []
    reject, q_values, _, _ = multipletests(p_values, alpha=ALPHA, method="fdr_bh")
    return [bool(flag) for flag in reject], [float(q) for q in q_values]


def analyse_associations(diary: Diary, series: DailySeries | None = None) -> AssociationReport:
    """Every association the diary has enough data for, corrected together for multiple testing."""
    series = series or build_daily_series(diary)
    sufficiency = data_sufficiency(series)
    if not sufficiency.enough:
        sentence = f"Not enough data yet: {sufficiency.days_more_needed} more days."
        return AssociationReport(
            sufficiency, [_not_tested(spec.trigger, spec.label, spec.lag, 0, sentence) for spec in EXPOSURE_TRIGGERS]
        )

    untested: list[AssociationResult] = []
    pending: list[_Pending] = []
    for spec in EXPOSURE_TRIGGERS:
        outcome = _test_exposure(series, spec)
        if isinstance(outcome, _Pending):
            pending.append(outcome)
        else:
            untested.append(outcome)
    pending.extend(_medication_start_tests(series, diary.medications))
    inhaler = _inhaler_test(diary, series)
    if inhaler is not None:
        pending.append(inhaler)

    survives, q_values = benjamini_hochberg([test.p_value for test in pending])
    results = [_word(test, q, keep) for test, q, keep in zip(pending, q_values, survives, strict=True)]
    return AssociationReport(sufficiency, results + untested)
