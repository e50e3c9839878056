"""Associations between a user's logged triggers and their episodes, with honest uncertainty.

One model holds every trigger at once. Each logged day is a row: its episode count against the
day's caffeine (the same day and the day before), the night's sleep, the day's stress and the day
before's exercise, each as the user's own rank of that day among their days (so a person who never
drinks more than 150 mg still has high and low caffeine days, and no cut point of ours decides what
"high" is), with a weekend indicator and a linear time trend, and one step per regular medicine
started inside the diary. A missing value sits at the middle rank with its own missing indicator.
The model is a negative-binomial GLM (log link; alpha by moments from the Poisson fit, with a
Pearson scale on top, floored at 1), because day-to-day counts vary far more than Poisson allows.

Each trigger is tested for several shapes of link at once (``Contrast``): a steady rise over the
user's ranking of days, and a step at their top tenth, sixth, quarter, third, two fifths and half
of days (``STEP_CUTS``), at each of its lags. Each shape gets the score test of "no link" (the model
refitted without the trigger), one-sided, referred to Student's t; the trigger's p is that of the
largest of these correlated statistics (a max-contrast test, as in MCP-Mod dose finding: Bretz,
Pinheiro & Branson, Biometrics 2005), so searching for the person's own threshold costs far less
than a Bonferroni correction over the shapes would.

The test allows for the other triggers by double selection (``adjustment_for``): another trigger
stays in the test's model when it moves with this one beyond chance or goes with the episodes
itself, and is also allowed for by steps (on the days it was logged) when it moves with it strongly,
or does both so that a slope would leave a bias of half a standard error in the test; one that does
neither is left out, as it only costs degrees of freedom. A stepped partner gets, besides fixed
steps, the step on a fine grid of its ranks that the episodes follow most (``_best_partner_steps``),
so a step at the person's own threshold leaves nothing behind; "moves with" also counts a step of
the partner (stress high after only the shortest nights), and a partner is judged by how it goes
with the episodes without the tested trigger, which can otherwise stand in for it.

Why this shape (measured on tests/simulation/, a generator that draws each user's thresholds, lags
and shapes at random and knows none of ours; tables from ``make bench-associations``, 300 users a
cell):

- one trigger at a time reported a wrong trigger for 13% of users over 180 days whose twitching
  followed short nights only, because stress and coffee ran high after short nights; this model
  stays at or under 5% there and under every other null kind and length;
- a slope over the ranks alone found a step at the person's own threshold in fewer users than the
  old engine's fixed cut (stress from 6, 45 min of exercise) where that cut happened to sit near
  the threshold; the steps found more, and most where the threshold sits near either end;
- keeping every trigger in every test cost 3-4 points of power; leaving out the unrelated ones
  (neither moving with the trigger nor with the episodes) gave it back without letting a confounder
  through (dropping all but the strongly correlated ones let 10% of confounded users through);
- a fixed correlation bar of 0.1 for "moves with it", and steps for every partner that went with the
  episodes at all, left exercise the next day (an exposure unrelated to the others) below the old
  engine over 180 days (54% against 57% at RR 2): chance partners were kept, and stepped, losing the
  days they were not logged. The chance band (2/sqrt(days)) and the bias bar for steps (r x z of at
  least half a standard error) found it in 59%, raised every other cell by 0.6-8.6 points, and
  lowered the worst null cell from 5.0% to 4.3%;
- where twitching followed a step (nights under the person's own 5.5-7 h) and stress ran 2-3.5
  points higher after exactly those nights, the fixed steps between cuts and a Spearman bar that a
  step in a few nights hardly moves let stress through for 11% of users over 180 days (150 users);
  the partner's best-fitting step, step-aware correlation and judging the partner without the
  tested trigger brought it to 1.7/2.7/4.7% at 60/90/180 days (300 users a cell);
- each trigger is tested one-sided, in the direction documented (docs/clinical.md): more caffeine,
  shorter sleep, more stress, more exercise, and a new medicine, with more episodes. A two-sided
  test spends half its error on links nobody expects and would word chance dips as findings;
- caffeine is tested at both of its lags, the same day (absorbed within 45 min, half-life ~5 h) with
  every shape, and the day before (a late drink acts overnight) as a slope and one step, in the same
  max-contrast test: one entry in the correction;
- every test run for the user (the four triggers, medicine starts, the inhaler window) goes through
  one Holm correction at ``ALPHA``; only what survives is "linked in the diary". The promise is
  about wrong triggers per user, which Holm bounds whatever else is linked; Benjamini-Hochberg
  bounds the share of wrong findings instead, and let a second, wrong trigger through more often
  once one trigger was truly linked.

What is shown: the shape that stood out most, as a comparison of the user's own days in their own
units. For a step: the days past their cut against the rest ("days with about 300 mg or more
against days under 300 mg"), sized by the full model with the step in place of the trigger's rank;
for a slope: their top third of days against their bottom third (the rank slope over two thirds of
the rank scale, the distance between the middles of the two thirds). The point estimate of a
reported link runs high (winner's curse); its lower bound much less so, so the wording leads with
the lower bound. The interval is 90% two-sided, whose lower end is the one-sided 95% bound of a
Wald test (the score test decides the status, so a finding's lower bound can sit just under 1 in
borderline cases).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from insights import wording
from insights.analysis.clinical_thresholds import (
    ASSOCIATION_MIN_EPISODE_DAYS,
    ASSOCIATION_MIN_LOGGED_DAYS,
    BETA2_TREMOR_WINDOW_HOURS,
)
from insights.analysis.daily_series import BoolArray, DailySeries, FloatArray, build_daily_series
from insights.analysis.records import Diary

HOUR = 3600.0

# --- When to test -------------------------------------------------------------------------------
# docs/clinical.md, "Statistics in a personal diary": the defaults and their sources live in
# insights/analysis/clinical_thresholds.py; the engine's own names are kept for its callers.
NEEDED_LOGGED_DAYS = ASSOCIATION_MIN_LOGGED_DAYS
NEEDED_EPISODE_DAYS = ASSOCIATION_MIN_EPISODE_DAYS
# Bearable compares days with and without a factor only with >= 3 of each and recommends 30 days.
MIN_TRIGGER_DAYS = 30
MIN_DAYS_PER_GROUP = 3
# A medication's start is judged only with two weeks of diary on each side of it.
MEDICATION_MIN_DAYS_EACH_SIDE = 14
INHALER_MIN_DOSES = 10
# Beta-2 agonist tremor starts minutes to hours after a dose (docs/clinical.md, BETA2_TREMOR_WINDOW_HOURS).
INHALER_WINDOW_HOURS = float(BETA2_TREMOR_WINDOW_HOURS)
# Episodes are only logged awake, so the inhaler comparison counts waking time only; without a
# sleep log for the night, the day is assumed to run from 07:00 to 23:00 local time.
DEFAULT_WAKE_HOUR = 7.0
DEFAULT_BED_HOUR = 23.0

# --- Lags (docs/clinical.md: caffeine same day, sleep the night before) -------------------------
# Caffeine: the same day (absorbed in ~45 min, half-life ~5 h: a 0-12 h window) and the day before.
CAFFEINE_LAGS = (0, 1)
# sleep_hours of a day is the night that ended that morning: the night before, lag 0 on that series.
SLEEP_LAG = 0
STRESS_LAG = 0
# Sessions are mostly logged in the afternoon or evening, after most of that day's episodes, and
# twitching brought on by hard exercise follows it: the day after is the window that can show it.
EXERCISE_LAG = 1

# --- How it is tested and worded ----------------------------------------------------------------
# The promise (docs/architecture.md, "Promises and targets"): a wrong trigger for at most 5% of
# users. Holm's correction at a level a reports a wrong trigger for at most about a of users,
# whatever else is linked, as far as each test holds its own level; the max-contrast tests run a
# little above theirs on skewed daily counts, so at 3.5% every null kind (plain, trend, weekday,
# confounded) and length (60, 90, 180 days) measured 0.7-4.3% on 300 users a cell
# (``make bench-associations``); at 4% single cells went over (measured before the chance band of
# ``adjustment_for``).
PROMISED_WRONG_SHARE = 0.05
ALPHA = 0.035  # the family-wise level of Holm's correction over all of the user's tests
# The interval shown: 90% two-sided, so its lower end is the one-sided 95% bound of the test.
INTERVAL_LEVEL = wording.EFFECT_INTERVAL_LEVEL
# "Possible, not clear yet": the data lean the documented way (one-sided p under 0.2) without
# surviving the correction; above it, "no sign of a link".
POSSIBLE_P = 0.20
# The comparison shown is the user's top third of days against their bottom third by the exposure;
# on the rank scale the middles of the two thirds (5/6 and 1/6) lie two thirds apart.
THIRD = 1.0 / 3.0
RANK_CONTRAST = 2.0 / 3.0
# The model's fit: iterations of reweighted least squares, and the smallest negative-binomial alpha
# (near Poisson) the moment estimate may give.
MAX_ITERATIONS = 50
MIN_ALPHA = 1e-3
# The shapes of link each trigger is tested for (``Contrast``): a steady rise over the user's ranking
# of days, and a step at their top tenth, sixth, quarter, third, two fifths and half of days (cuts on
# the centred rank scale, -0.5..0.5). A person's threshold can sit anywhere (caffeine from 150 or
# 350 mg, a short night under 5.5 or 7 h); a slope alone missed a step near the top, one fixed cut
# missed thresholds away from it. Cuts below the half (the bottom of the days) measured worse: each
# shape tested costs a little, and a link that starts low is found by the slope.
STEP_CUTS = (0.4, 0.325, 0.25, 0.175, 0.1, 0.0)
# A lag other than the trigger's documented one (caffeine the day before) is tested as a slope and a
# step at its top third only: with every shape at both lags, same-day caffeine lost power to the search.
SECONDARY_LAG_STEP_CUTS = (1.0 / 6.0,)
# A step is tested only with at least this many days (and this share of the days) on each side:
# a score test on a handful of over-dispersed days does not hold its level.
MIN_STEP_DAYS = 5
MIN_STEP_SHARE = 0.05
# The max-contrast test's multivariate normal probability (``_max_contrast_p``, Genz's method): its
# accuracy and the fixed seed of its quasi-random points (checked against 200,000 simulated draws).
MAX_CONTRAST_ABSEPS = 2e-4
MAX_CONTRAST_RELEPS = 1e-2
MAX_CONTRAST_SEED = 20261202
# Double selection (``adjustment_for``): another trigger stays in a test's model when its ranks move
# with this trigger's beyond chance: |Spearman| at least ADJUST_MIN_CORRELATION and at least
# ADJUST_MIN_Z / sqrt(days both were logged), the two-standard-error band of a correlation between
# unrelated series (0.15 over 180 days, where a fixed 0.1 is crossed by chance one time in five,
# and each partner kept cost power); or when it goes with the episodes (its rank's Wald z in the
# full model at least OUTCOME_MIN_Z, or its own first look under OUTCOME_MIN_P: a loose bar, as
# missing a confounder costs more than keeping a harmless one).
ADJUST_MIN_CORRELATION = 0.1
ADJUST_MIN_Z = 2.0
# The band for the largest correlation with a partner's steps (``_rank_correlation``): about the 95th
# percentile of the largest of PARTNER_STEP_GRID's correlated steps between unrelated series.
ADJUST_STEP_MIN_Z = 3.0
OUTCOME_MIN_Z = 2.0
OUTCOME_MIN_P = 0.1
# A kept trigger is also allowed for by steps at these cuts of its ranks, on the days it was logged,
# when it moves with the tested one at least PARTNER_MIN_CORRELATION, or when it goes with the
# episodes and could bias the test: left to a slope, a partner that moves with the tested trigger by
# r and goes with the episodes at z shifts the tested statistic by about r x z, so it is stepped when
# that reaches STEP_MIN_BIAS (half a standard error) at |r| of at least ADJUST_MIN_CORRELATION. A short
# night under the person's own threshold is a step that a slope leaves partly to the stress and
# coffee that follow it (on a day without a sleep log, stress would stand in); stepping a partner that
# only went with the episodes by chance cost the tested trigger the days the partner was not logged.
PARTNER_MIN_CORRELATION = 0.5
STEP_MIN_BIAS = 0.5
PARTNER_STEPS = (0.4, 0.3, 1.0 / 6.0, 0.0, -0.25)
# Where a stepped partner's own best-fitting step is looked for (``_best_partner_steps``): every 5%
# of its ranks. Between the fixed cuts above, a step at the person's own threshold left stress that
# runs high after exactly those nights reported for 9% of users over 180 days (step-confounded null).
PARTNER_STEP_GRID = tuple(np.round(np.arange(-0.45, 0.451, 0.05), 3))
# A standard error of a log rate ratio above this (an interval wider than e^±5) sizes nothing.
MAX_LOG_SE = 2.5

NOT_PROOF = "This is an association in your data, not proof of a cause."


def _lag_list(lags: tuple[int, ...], words: dict[int, str]) -> str:
    return " or ".join(words[lag] for lag in lags)


_CAFFEINE_WORDS = {0: "the same day", 1: "the day before"}
METHOD_SUMMARY = (
    f"One model of your logged days with caffeine ({_lag_list(CAFFEINE_LAGS, _CAFFEINE_WORDS)}), sleep (the night "
    "before), stress (the same day) and exercise (the day before) together, each as your own ranking of days, "
    "allowing for weekends, slow trends and each other; a new regular medicine as a step in the same model; "
    f"episodes in the {INHALER_WINDOW_HOURS:g} hours after an inhaler dose against other waking hours. Each is tested "
    "only in the direction documented (more caffeine, shorter sleep, more stress, more exercise, a new medicine: "
    f"more episodes), as a steady rise or a step at your own level, with one Holm correction at {ALPHA:.1%} over every "
    "test run. "
    "Links in your own data, not proof of a cause."
)


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
    """One trigger's result, in the shape stored in InsightState.associations (see common docs)."""

    trigger: str
    label: str
    status: str
    status_text: str
    exposure: str
    comparison: str
    rate_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    q_value: float | None
    days_needed: int | None
    n_days: int
    sentence: str
    clinician_sentence: str
    method: str
    significant: bool
    direction: str  # "more" (linked), "none" (tested, not linked) or "not_tested"
    lag: str
    # Where the user's "high" days begin in the exposure's own unit (for sleep: where the short
    # nights end), so a chart can draw the comparison the test made; None where none applies.
    cut_point: float | None = None
    # The chance a true doubling would show after ``days_needed`` more days (a power calculation).
    days_needed_chance: float | None = None


@dataclass(frozen=True)
class AssociationReport:
    sufficiency: DataSufficiency
    results: list[AssociationResult] = field(default_factory=list)

    @property
    def reported(self) -> list[AssociationResult]:
        """The associations that survived the correction: the only ones to show as findings."""
        return [result for result in self.results if result.significant]


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
    Exposure("caffeine", "Caffeine", CAFFEINE_LAGS, 1, "caffeine", _CAFFEINE_WORDS),
    Exposure("sleep", "Sleep", (SLEEP_LAG,), -1, "sleep", {0: "the night before"}),
    Exposure("stress", "Stress", (STRESS_LAG,), 1, "stress", {0: "the same day"}),
    Exposure("exercise", "Exercise", (EXERCISE_LAG,), 1, "exercise", {1: "the day before"}),
)


def _values(series: DailySeries, trigger: str) -> FloatArray:
    return {
        "caffeine": series.caffeine_day_mg,
        "sleep": series.sleep_hours,
        "stress": series.stress_mean,
        "exercise": series.exercise_min,
    }[trigger]


def _lagged(values: FloatArray, lag: int) -> FloatArray:
    return values if lag == 0 else np.concatenate([np.full(lag, np.nan), values[:-lag]])


def _about(trigger: str, value: float) -> str:
    """A cut value in the user's units, rounded as a person would say it (the chart prints the same)."""
    return wording.cut_words(trigger, value)


def cut_point(trigger: str, values: FloatArray) -> float:
    """Where the top third of the user's days by the exposure begins (for sleep, where the bottom
    third of nights ends); when over a third of days share the lowest value, any more is "high"."""
    low_cut, high_cut = np.quantile(values, [THIRD, 1 - THIRD])
    if trigger == "sleep":
        return float(low_cut)
    return float(high_cut if high_cut > low_cut else low_cut)


def comparison_words(trigger: str, values: FloatArray) -> tuple[str, str, str]:
    """(comparison, high days, low days) for the user's top and bottom thirds, in their units."""
    low_cut, high_cut = np.quantile(values, [THIRD, 1 - THIRD])
    if trigger == "sleep":
        # For sleep the "high" days are the short nights: the bottom third of hours slept.
        high = f"days after nights of about {_about('sleep', low_cut)} or less"
        low = f"days after nights of about {_about('sleep', high_cut)} or more"
        short, long = _about("sleep", low_cut), _about("sleep", high_cut)
        return (
            f"your days after shorter nights (about {short} or less) against those after longer ones "
            f"(about {long} or more)",
            high,
            low,
        )
    nouns = {"caffeine": "caffeine", "stress": "stress", "exercise": "exercise"}
    noun = nouns[trigger]
    high_words = f"about {_about(trigger, high_cut)} or more"
    if high_cut <= low_cut:
        # Over a third of the days share the lowest value (no session, no coffee): any is "high".
        high_words = f"any {noun}" if low_cut <= 0 else f"more than {_about(trigger, low_cut)}"
    low_words = f"no {noun}" if low_cut <= 0 else f"under {_about(trigger, low_cut)}"
    if trigger == "stress":
        high_words = f"stress of about {_about(trigger, high_cut)} or more"
        low_words = f"stress under {_about(trigger, low_cut)}"
    if trigger == "exercise":
        high = f"days after {high_words} of exercise"
        low = f"days after {'none' if low_cut <= 0 else low_words}"
        return f"your days after more exercise ({high_words}) against days after less ({low_words})", high, low
    high, low = f"days with {high_words}", f"days with {low_words}"
    return f"your higher-{noun} days ({high_words}) against your lower ones ({low_words})", high, low


def step_words(trigger: str, exposed: FloatArray, unexposed: FloatArray) -> tuple[str, str, str]:
    """(comparison, high days, low days) for a step: the days past the user's own cut against the rest."""
    if trigger == "sleep":
        short = _about("sleep", float(exposed.max()))
        return (
            f"your days after shorter nights (about {short} or less) against those after longer ones",
            f"days after nights of about {short} or less",
            "days after longer nights",
        )
    cut = float(exposed.min())
    noun = trigger
    if float(unexposed.max()) <= 0:
        high_words, low_words = f"any {noun}", f"no {noun}"
    else:
        high_words, low_words = f"about {_about(trigger, cut)} or more", f"under {_about(trigger, cut)}"
    if trigger == "stress":
        high_words, low_words = f"stress of {high_words}", f"stress {low_words}"
    if trigger == "exercise":
        low_days = "days after none" if float(unexposed.max()) <= 0 else f"days after {low_words}"
        return (
            f"your days after more exercise ({high_words}) against days after less ({low_words})",
            f"days after {high_words} of exercise",
            low_days,
        )
    return (
        f"your higher-{noun} days ({high_words}) against your lower ones ({low_words})",
        f"days with {high_words}",
        f"days with {low_words}",
    )


@dataclass
class _Tested:
    """A test that ran, waiting for its q-value before it can be worded."""

    trigger: str
    label: str
    lag: str
    exposure: str
    comparison: str
    high_days: str
    low_days: str
    n_days: int
    p_value: float
    estimate: float  # log rate ratio of the comparison shown
    se: float  # its standard error, on the same scale
    degrees: float
    unit: str  # "as many episodes", "as many episodes a day", "as many episodes an hour"
    method: str
    cut_point: float | None = None


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


def centred_rank(values: FloatArray) -> FloatArray:
    """Each value's rank among the non-missing ones, scaled to -0.5..0.5; missing sits at 0."""
    result = np.zeros(values.shape)
    present = ~np.isnan(values)
    if present.any():
        result[present] = (stats.rankdata(values[present]) - 0.5) / present.sum() - 0.5
    return result


@dataclass
class _Design:
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


def _exposure_columns(series: DailySeries, rows: BoolArray, design: _Design) -> dict[str, int]:
    """Add every exposure that has enough days to the design, with the shapes it is tested for
    (``design.contrasts``); return the days each trigger was logged on."""
    days: dict[str, int] = {}
    for spec in EXPOSURES:
        for lag in spec.lags:
            values = _lagged(_values(series, spec.trigger), lag)[rows]
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


def _medication_columns(series: DailySeries, diary: Diary, rows: BoolArray, design: _Design) -> list[str]:
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


@dataclass(frozen=True)
class _Fit:
    """The full model: every column, its coefficients and the negative-binomial alpha."""

    counts: FloatArray
    names: list[str]
    matrix: FloatArray  # the intercept, then the design's columns in order
    beta: FloatArray
    alpha: float
    params: dict[str, float]
    se: dict[str, float]
    degrees: float


def _irls(counts: FloatArray, matrix: FloatArray, alpha: float, start: FloatArray | None = None) -> FloatArray:
    """Maximum-likelihood coefficients of the log-link negative-binomial (alpha) or Poisson (0) GLM."""
    beta = np.zeros(matrix.shape[1]) if start is None else start.copy()
    if start is None:
        beta[0] = math.log(max(counts.mean(), 1e-3))
    for _ in range(MAX_ITERATIONS):
        eta = np.clip(matrix @ beta, -30, 30)
        mu = np.exp(eta)
        weights = mu / (1 + alpha * mu)
        working = eta + (counts - mu) / mu
        weighted = matrix * weights[:, None]
        step: FloatArray = np.linalg.solve(matrix.T @ weighted, weighted.T @ working).astype(np.float64)
        if np.max(np.abs(step - beta)) < 1e-8:
            return step
        beta = step
    return beta


def _pearson_scale(counts: FloatArray, mu: FloatArray, alpha: float, degrees: float) -> float:
    """Pearson chi-squared over its degrees of freedom, floored at 1: fewer-than-expected spread in a
    few months of days is more likely luck than a reason to trust a narrower interval."""
    return max(1.0, float(((counts - mu) ** 2 / (mu * (1 + alpha * mu))).sum()) / degrees)


def _rank_correlation(design: _Design, name: str, other: str) -> tuple[float, int]:
    """How much two exposure columns move together over the days both were logged (0 with too few
    of them): |Spearman|, or the largest |correlation| of this column's ranks with a step of the other's
    on PARTNER_STEP_GRID, scaled by ADJUST_MIN_Z / ADJUST_STEP_MIN_Z so that the largest of many steps
    crosses the chance band no more often than one correlation does. Stress a few points higher after
    only the 5% shortest nights moves with sleep far more than a Spearman of 0.2 says."""
    _, rank, present = design.exposures[name]
    _, other_rank, other_present = design.exposures[other]
    both = present & other_present
    days = int(both.sum())
    if days < MIN_TRIGGER_DAYS:
        return 0.0, days
    mine, theirs = rank[both], other_rank[both]
    if mine.std() == 0 or theirs.std() == 0:
        return 0.0, days
    spearman = abs(float(np.corrcoef(mine, theirs)[0, 1]))
    enough = max(MIN_STEP_DAYS, math.ceil(MIN_STEP_SHARE * days))
    steps = (theirs[:, None] > np.asarray(PARTNER_STEP_GRID)[None, :]).astype(np.float64)
    high = steps.sum(axis=0)
    steps = steps[:, (high >= enough) & (days - high >= enough)]
    if steps.shape[1] == 0:
        return spearman, days
    centred = steps - steps.mean(axis=0)
    mine_centred = mine - mine.mean()
    step_r = np.abs(mine_centred @ centred) / (np.linalg.norm(mine_centred) * np.linalg.norm(centred, axis=0))
    return max(spearman, float(step_r.max()) * ADJUST_MIN_Z / ADJUST_STEP_MIN_Z), days


@dataclass(frozen=True)
class _Adjustment:
    """What a trigger's test allows for among the other triggers (see ``adjustment_for``)."""

    dropped: list[str]  # other triggers' columns left out of the test's model
    stepped: list[str]  # other triggers' rank columns adjusted for by steps as well


def adjustment_for(
    design: _Design, fit: _Fit, trigger: str, own: list[str], first_look: dict[str, float]
) -> _Adjustment:
    """Which other triggers a trigger's test allows for, and how (double selection).

    Another trigger is kept in the test's model when it moves with this one or goes with the
    episodes itself (Belloni, Chernozhukov & Hansen 2014, "post-double-selection": a confounder is
    anything that predicts the exposure or the outcome); one that does neither only costs days of
    freedom, and is left out. A kept trigger that moves with this one strongly, or goes with the
    episodes strongly enough that its correlation with this one would shift the test by half a
    standard error, is also allowed for by steps (``_partner_adjustment``): a short night under the
    person's own threshold is a step, not a slope.
    """
    own_missing = [~design.exposures[name][2] for name in own]
    alone: dict[str, float] = {}
    dropped: list[str] = []
    stepped: list[str] = []
    for other, (other_trigger, _, _) in design.exposures.items():
        if other_trigger == trigger:
            continue
        correlation, days = max(_rank_correlation(design, name, other) for name in own)
        moves_with = correlation >= max(ADJUST_MIN_CORRELATION, ADJUST_MIN_Z / math.sqrt(max(days, 1)))
        look_p = first_look.get(other_trigger, 1.0)
        wald_z = abs(fit.params[other]) / fit.se[other] if fit.se[other] > 0 else 0.0  # NaN se: no evidence
        predicts = wald_z >= OUTCOME_MIN_Z or look_p < OUTCOME_MIN_P
        # How strongly it goes with the episodes, on the z scale, times how much it moves with this one:
        # the shift a slope would leave in the test. The bar is 0.1, not the chance band: a strongly
        # linked trigger's slight real correlation (coffee after short nights) is what lets it through.
        shift = correlation * max(float(stats.norm.isf(look_p)), wald_z)
        if correlation >= PARTNER_MIN_CORRELATION or (
            predicts and correlation >= ADJUST_MIN_CORRELATION and shift >= STEP_MIN_BIAS
        ):
            stepped.append(other)
        elif predicts and days < MIN_TRIGGER_DAYS:
            # Logged together on too few days to tell whether they move together: a partner that
            # goes with the episodes is allowed for in full, as missing a confounder costs more.
            stepped.append(other)
        elif moves_with and correlation * _alone_z(design, fit, own, other_trigger, alone) >= STEP_MIN_BIAS:
            # The first look holds this trigger in, which can hide a partner it stands in for (stress
            # high after exactly the short nights whose step raises twitching): judged without it.
            stepped.append(other)
        elif not predicts and not moves_with:
            dropped.append(other)
            missing = design.columns.get(f"{other}:missing")
            if missing is not None and not any(np.array_equal(missing > 0, mine) for mine in own_missing):
                dropped.append(f"{other}:missing")
    return _Adjustment(dropped, stepped)


def _alone_z(design: _Design, fit: _Fit, own: list[str], partner: str, cache: dict[str, float]) -> float:
    """How strongly ``partner`` goes with the episodes in the model without the tested trigger
    (``own``), on the z scale of its one-sided max-contrast p (0 when it cannot be tested)."""
    if partner not in cache:
        contrasts = design.contrasts.get(partner, [])
        columns = sorted({contrast.rank_column for contrast in contrasts})
        try:
            p = contrast_test(fit, own + columns, [c.column for c in contrasts], [], design).p_value
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            p = 1.0
        cache[partner] = max(0.0, float(stats.norm.isf(min(max(p, 1e-12), 1.0))))
    return cache[partner]


def _partner_adjustment(design: _Design, partners: list[str]) -> tuple[BoolArray, list[FloatArray]]:
    """The days every partner was logged on, and a step at each of PARTNER_STEPS of each partner's ranks.

    Adjusting a trigger for a partner only linearly leaves part of a partner's step-like effect
    (a short night under the person's own threshold) to the trigger that moves with it; the steps
    take it up. On a day a partner was not logged, the trigger would stand in for it, so the test
    keeps the days every partner was logged on.
    """
    keep = np.ones(len(next(iter(design.columns.values()))), dtype=bool)
    steps: list[FloatArray] = []
    for name in partners:
        _, rank, present = design.exposures[name]
        keep &= present
        steps.extend(((rank > cut) & present).astype(np.float64) for cut in PARTNER_STEPS)
    return keep, steps


def _max_contrast_p(z: FloatArray, information: FloatArray, degrees: float) -> float:
    """One-sided p of the largest of several correlated score statistics (a max-contrast test).

    Each z is referred to Student's t and mapped to the normal scale; under "no link" the statistics
    are jointly normal with the correlation of their efficient information, so the chance that the
    largest reaches the one seen is one minus a multivariate normal probability (Genz's method, with a
    fixed seed so the same diary always gives the same answer). Contrasts of one trigger move closely
    together, so testing all of them costs far less than a Bonferroni correction would.
    """
    best = float(stats.t.sf(float(z.max()), degrees))
    if z.size == 1 or best >= 1.0:
        return best
    sd = np.sqrt(np.diag(information))
    correlation = information / np.outer(sd, sd)
    bound = float(stats.norm.isf(best))
    inside = stats.multivariate_normal.cdf(
        np.full(z.size, bound),
        mean=np.zeros(z.size),
        cov=correlation,
        allow_singular=True,
        abseps=MAX_CONTRAST_ABSEPS,
        releps=MAX_CONTRAST_RELEPS,
        rng=np.random.default_rng(MAX_CONTRAST_SEED),
    )
    return float(min(1.0, max(best, 1.0 - float(inside))))


@dataclass(frozen=True)
class _ContrastTest:
    p_value: float
    best: int  # the index of the contrast that stood out most


def contrast_test(
    fit: _Fit, drop: list[str], contrasts: list[FloatArray], partners: list[str], design: _Design
) -> _ContrastTest:
    """Score test of "no link" for a set of contrasts: the model refitted without the ``drop``
    columns (and with the partners' steps, on the days the partners were logged), each contrast's
    score against it, one-sided, corrected for taking the largest (``_max_contrast_p``)."""
    keep, steps = _partner_adjustment(design, partners)
    counts, matrix = fit.counts, fit.matrix
    dropped = [fit.names.index(name) + 1 for name in drop]
    # Room for the fixed steps and one best-fitting step per partner (``_best_partner_steps``).
    if keep.sum() - matrix.shape[1] - len(steps) - len(partners) < MIN_TRIGGER_DAYS // 2:
        keep, steps = np.ones(counts.size, dtype=bool), []
    try:
        if steps:
            steps = steps + _best_partner_steps(fit, dropped, keep, steps, design, partners)
        return _contrast_score_test(fit, dropped, contrasts, keep, steps)
    except np.linalg.LinAlgError:
        if not steps:
            raise
        return _contrast_score_test(fit, dropped, contrasts, np.ones(counts.size, dtype=bool), [])


@dataclass(frozen=True)
class _Reduced:
    """The model refitted without the tested columns, on some of its days, with extra columns."""

    counts: FloatArray
    matrix: FloatArray
    mu: FloatArray
    alpha: float

    @property
    def weights(self) -> FloatArray:
        return self.mu / (1 + self.alpha * self.mu)

    def scores(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Each column of ``x``'s score against this model and their efficient information."""
        w0 = self.weights
        score = x.T @ ((self.counts - self.mu) / (1 + self.alpha * self.mu))
        projection = self.matrix.T @ (x * w0[:, None])
        information = x.T @ (x * w0[:, None]) - projection.T @ np.linalg.solve(
            self.matrix.T @ (self.matrix * w0[:, None]), projection
        )
        return score, information


def _reduced_fit(fit: _Fit, dropped: list[int], keep: BoolArray, extra: list[FloatArray]) -> _Reduced:
    counts = fit.counts[keep]
    reduced = np.delete(fit.matrix[keep], dropped, axis=1)
    if extra:
        reduced = np.column_stack([reduced, *(column[keep] for column in extra)])
    varies = np.concatenate([[True], reduced[:, 1:].std(axis=0) > 0])
    reduced = reduced[:, varies]
    if np.linalg.matrix_rank(reduced) < reduced.shape[1]:
        raise np.linalg.LinAlgError("partner steps leave no unique fit")
    begin = np.concatenate([np.delete(fit.beta, dropped), np.zeros(len(extra))])[varies]
    mu0 = np.exp(reduced @ _irls(counts, reduced, fit.alpha, begin))
    return _Reduced(counts, reduced, mu0, fit.alpha)


def _best_partner_steps(
    fit: _Fit, dropped: list[int], keep: BoolArray, steps: list[FloatArray], design: _Design, partners: list[str]
) -> list[FloatArray]:
    """For each stepped partner, the step on a fine grid of its ranks (PARTNER_STEP_GRID) that the
    episodes follow most, against the model without the tested trigger.

    Between two fixed cuts, a partner's step at the person's own threshold (nights under 6.2 h) is
    left partly unexplained, on exactly the days a trigger that follows it (stress after those
    nights) runs high; the step that fits best sits at that threshold and leaves nothing behind.
    """
    reduced = _reduced_fit(fit, dropped, keep, steps)
    chosen: list[FloatArray] = []
    for name in partners:
        _, rank, present = design.exposures[name]
        enough = max(MIN_STEP_DAYS, math.ceil(MIN_STEP_SHARE * int(present[keep].sum())))
        candidates = []
        for cut in PARTNER_STEP_GRID:
            step = ((rank > cut) & present).astype(np.float64)
            high = int(step[keep].sum())
            if min(high, int(present[keep].sum()) - high) >= enough:
                candidates.append(step)
        if not candidates:
            continue
        score, information = reduced.scores(np.column_stack([c[keep] for c in candidates]))
        spread = np.diag(information)
        if not (spread > 1e-9).any():
            continue
        z = np.where(spread > 1e-9, np.abs(score) / np.sqrt(np.maximum(spread, 1e-300)), 0.0)
        chosen.append(candidates[int(np.argmax(z))])
    return chosen


def _contrast_score_test(
    fit: _Fit, dropped: list[int], contrasts: list[FloatArray], keep: BoolArray, extra: list[FloatArray]
) -> _ContrastTest:
    reduced = _reduced_fit(fit, dropped, keep, extra)
    x = np.column_stack([column[keep] for column in contrasts])
    score, information = reduced.scores(x)
    degrees = float(reduced.counts.size - reduced.matrix.shape[1] - 1)
    scale0 = _pearson_scale(reduced.counts, reduced.mu, reduced.alpha, degrees + 1)
    # A contrast the rest of the model already explains (a step equal to a partner's) carries no test.
    usable = np.diag(information) > 1e-9 * np.maximum(1.0, np.diag(x.T @ (x * reduced.weights[:, None])))
    if not usable.any():
        return _ContrastTest(1.0, 0)
    indices = np.flatnonzero(usable)
    information = information[np.ix_(indices, indices)] * scale0
    z = score[indices] / np.sqrt(np.diag(information))
    return _ContrastTest(_max_contrast_p(z, information, degrees), int(indices[int(np.argmax(z))]))


def fit_model(counts: FloatArray, design: _Design) -> _Fit | None:
    """The negative-binomial GLM of the counts on the design.

    Counts over-dispersed by a gamma day factor are negative-binomial; its alpha is the moment
    estimate from the Poisson fit, and a Pearson scale on top covers what alpha misses (spells).
    Tests use the score test of "no link" (``contrast_test``: the model refitted without the
    trigger), which holds its level on skewed daily counts where the Wald test of the full model ran
    high; the full model's Wald estimates size what is shown.
    """
    names = list(design.columns)
    matrix = np.column_stack([np.ones(counts.size), *design.columns.values()])
    degrees = float(counts.size - matrix.shape[1])
    if degrees < MIN_TRIGGER_DAYS // 2 or np.linalg.matrix_rank(matrix) < matrix.shape[1]:
        return None
    try:
        poisson = _irls(counts, matrix, 0.0)
        mu = np.exp(matrix @ poisson)
        alpha = max(MIN_ALPHA, float(((counts - mu) ** 2 - counts).sum() / (mu**2).sum()))
        beta = _irls(counts, matrix, alpha, poisson)
        estimate, se = _wald(counts, matrix, beta, alpha)
    except (ValueError, np.linalg.LinAlgError, FloatingPointError):
        return None
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(se))):
        return None
    return _Fit(
        counts,
        names,
        matrix,
        beta,
        alpha,
        {name: float(estimate[i + 1]) for i, name in enumerate(names)},
        {name: float(se[i + 1]) for i, name in enumerate(names)},
        degrees,
    )


def _wald(counts: FloatArray, matrix: FloatArray, beta: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray]:
    """Coefficients and their Pearson-scaled standard errors at a fitted beta."""
    mu = np.exp(matrix @ beta)
    weights = mu / (1 + alpha * mu)
    scale = _pearson_scale(counts, mu, alpha, float(counts.size - matrix.shape[1]))
    covariance = np.linalg.inv(matrix.T @ (matrix * weights[:, None])) * scale
    # A near-singular fit can leave a tiny negative variance: its NaN standard error is caught by
    # the callers (no test, or the slope sizes the link), so numpy need not warn about it.
    with np.errstate(invalid="ignore"):
        return beta, np.sqrt(np.diag(covariance))


def column_test(fit: _Fit, design: _Design, name: str) -> float:
    """One-sided p of the score test that one column of the model adds nothing to the rest."""
    return contrast_test(fit, [name], [design.columns[name]], [], design).p_value


def _step_effect(fit: _Fit, contrast: Contrast) -> tuple[float, float]:
    """(log rate ratio, standard error) of a step, from the full model with the step in place of the
    trigger's rank at that lag, so that it is sized beside every other trigger as the slope is."""
    matrix = fit.matrix.copy()
    j = fit.names.index(contrast.rank_column) + 1
    matrix[:, j] = contrast.column
    start = fit.beta.copy()
    start[j] = 0.0
    beta = _irls(fit.counts, matrix, fit.alpha, start)
    estimate, se = _wald(fit.counts, matrix, beta, fit.alpha)
    return float(estimate[j]), float(se[j])


def _first_look(fit: _Fit, design: _Design) -> dict[str, float]:
    """Each trigger's own test against the plain model (every other trigger as a slope): whether it
    goes with the episodes at all, in any of its shapes, for ``adjustment_for`` to know."""
    looks = {}
    for trigger, contrasts in design.contrasts.items():
        own = sorted({contrast.rank_column for contrast in contrasts})
        try:
            looks[trigger] = contrast_test(fit, own, [contrast.column for contrast in contrasts], [], design).p_value
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            continue
    return looks


_Shown = tuple[str, str, str, float, float, float]  # comparison, high days, low days, log ratio, se, cut


def _shown_effect(fit: _Fit, spec: Exposure, best: Contrast, present: BoolArray) -> _Shown:
    """The comparison shown for the shape that stood out, sized by the full model.

    A step is shown at the user's own cut; a slope (or a step on so few days that the model leaves
    it without a finite estimate, e.g. no episode on any of them) as top third against bottom third.
    """
    raw = best.raw[present]
    if best.shape == "step":
        exposed = best.column[present] > 0
        try:
            estimate, se = _step_effect(fit, best)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            estimate, se = math.nan, math.nan
        if math.isfinite(estimate) and math.isfinite(se) and se < MAX_LOG_SE:
            cut = float(raw[exposed].max() if spec.orientation < 0 else raw[exposed].min())
            return (*step_words(spec.trigger, raw[exposed], raw[~exposed]), estimate, se, cut)
    estimate = fit.params[best.rank_column] * RANK_CONTRAST
    se = fit.se[best.rank_column] * RANK_CONTRAST
    return (*comparison_words(spec.trigger, raw), estimate, se, cut_point(spec.trigger, raw))


def _exposure_tests(fit: _Fit, design: _Design, trigger_count: int) -> list[_Tested]:
    """One test per trigger, over every shape and lag it is tested for (``contrast_test``)."""
    tested = []
    first_look = _first_look(fit, design)
    for spec in EXPOSURES:
        contrasts = design.contrasts.get(spec.trigger, [])
        if not contrasts:
            continue
        own = sorted({contrast.rank_column for contrast in contrasts})
        adjustment = adjustment_for(design, fit, spec.trigger, own, first_look)
        columns = [contrast.column for contrast in contrasts]
        try:
            result = contrast_test(fit, own + adjustment.dropped, columns, adjustment.stepped, design)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            continue
        best = contrasts[result.best]
        present = ~np.isnan(best.raw)
        comparison, high, low, estimate, se, cut = _shown_effect(fit, spec, best, present)
        tested.append(
            _Tested(
                trigger=spec.trigger,
                label=spec.label,
                lag=spec.lag_words[best.lag],
                exposure=f"{spec.noun} {spec.lag_words[best.lag]}",
                comparison=comparison,
                high_days=high,
                low_days=low,
                n_days=int(present.sum()),
                p_value=result.p_value,
                estimate=estimate,
                se=se,
                degrees=fit.degrees,
                unit="as many episodes",
                method=model_method(spec.noun, trigger_count),
                cut_point=cut,
            )
        )
    return tested


def model_method(noun: str, trigger_count: int) -> str:
    lags = _lag_list(CAFFEINE_LAGS, _CAFFEINE_WORDS)
    return (
        f"One model of your logged days with caffeine ({lags}), sleep, stress and exercise together, allowing "
        "for weekends, slow trends and the triggers that move with this one; tested for more episodes with "
        f"{'less' if noun == 'sleep' else 'more'} {noun}, as a steady rise over your own ranking of days or as a "
        f"step at your own level (from your top tenth to your top half of days), corrected (Holm) over the "
        f"{trigger_count} links tested."
    )


def _medication_tests(fit: _Fit, design: _Design, names: list[str], diary: Diary, trigger_count: int) -> list[_Tested]:
    labels = {f"medication:{m.id}": m.name for m in diary.medications}
    return [
        _Tested(
            trigger=name,
            label=labels[name],
            lag="since the start",
            exposure=f"starting {labels[name]}",
            comparison=f"the days since you started {labels[name]} against the days before",
            high_days=f"the days since you started {labels[name]}",
            low_days="the days before",
            n_days=fit.counts.size,
            p_value=column_test(fit, design, name),
            estimate=fit.params[name],
            se=fit.se[name],
            degrees=fit.degrees,
            unit="as many episodes a day",
            method=(
                "Episodes a day since the start against before it, in the same model as the triggers (allowing "
                f"for weekends, slow trends and the triggers), tested only for more episodes, corrected over the "
                f"{trigger_count} links tested."
            ),
        )
        for name in names
    ]


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


def _inhaler_test(diary: Diary, series: DailySeries, trigger_count: int) -> _Tested | None:
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
    return _Tested(
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


def correct_for_multiple_tests(p_values: list[float]) -> tuple[list[bool], list[float]]:
    """Which tests survive Holm's correction at ALPHA, and their adjusted p-values (``q_value``).

    Written out rather than taken from statsmodels' ``multipletests``, whose Holm branch runs a full
    garbage collection on every call: a sixth of a second in a large process, for every user of a
    nightly sweep. tests/insights/analysis/test_analysis_associations.py checks it against it.
    """
    if not p_values:
        return [], []
    p = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate(p[order] * np.arange(p.size, 0, -1))
    adjusted = np.empty(p.size)
    adjusted[order] = np.minimum(1.0, stepped)
    return [bool(q <= ALPHA) for q in adjusted], [float(q) for q in adjusted]


def more_days_for_a_doubling(test: _Tested, n_tests: int) -> tuple[int, float] | None:
    """How many more days would give at least an even chance of showing a doubling, and that chance.

    A power calculation on the person's own data: the standard error shrinks with 1/sqrt(days), and
    the test must reach the level of Holm's first step (ALPHA / n_tests, one-sided) for a true
    doubling (``wording.AIMED_RATIO``). None when even ``wording.MORE_DAYS_HORIZON`` more days would
    not reach ``wording.MORE_DAYS_MIN_POWER``: then no figure is given, since none would be honest.
    """
    if test.se <= 0 or test.n_days <= 0:
        return None
    z_needed = float(stats.norm.isf(ALPHA / max(1, n_tests)))
    effect = math.log(wording.AIMED_RATIO)
    for more in range(7, wording.MORE_DAYS_HORIZON + 1, 7):
        se = test.se * math.sqrt(test.n_days / (test.n_days + more))
        power = float(stats.norm.sf(z_needed - effect / se))
        if power >= wording.MORE_DAYS_MIN_POWER:
            return more, power
    return None


def _more_days_sentence(found: tuple[int, float] | None) -> str:
    if found is None:
        return (
            f"Even {wording.MORE_DAYS_HORIZON} more days at this pace would give less than an even chance of "
            "showing a doubling, so no date is given."
        )
    more, power = found
    return (
        f"About {more} more days of logging would give {wording.chance_words(power)} chance of showing "
        "a doubling, if there is one."
    )


def _word(test: _Tested, q_value: float, survives: bool, n_tests: int) -> AssociationResult:
    quantile = float(stats.t.ppf(0.5 + INTERVAL_LEVEL / 2, test.degrees))
    ratio = math.exp(test.estimate)
    low, high = math.exp(test.estimate - quantile * test.se), math.exp(test.estimate + quantile * test.se)
    status = wording.status_of(
        {"status": "linked" if survives else "possible" if test.p_value < POSSIBLE_P else "no_sign", "ci_high": high}
    )
    found = more_days_for_a_doubling(test, n_tests) if status in ("possible", "not_clear") else None
    between = f"between {wording.times(low)} and {wording.times(high)} times {test.unit}"
    if status == "linked":
        sentence = (
            f"On {test.high_days} you logged at least {wording.times(low)} times {test.unit} as on {test.low_days}, "
            f"maybe up to {wording.times(high)} times. {NOT_PROOF}"
        )
    elif status == "possible":
        sentence = (
            f"Possibly more episodes on {test.high_days} than on {test.low_days} ({between}). Not clear yet: "
            f"this allows {wording.allows_words(low, high)}. {_more_days_sentence(found)}"
        )
    elif status == "not_clear":
        sentence = (
            f"On {test.high_days} you logged {between} as on {test.low_days}: that allows "
            f"{wording.allows_words(low, high)}. {_more_days_sentence(found)}"
        )
    else:
        sentence = (
            f"On {test.high_days} you logged {between} as on {test.low_days}: even the top of that "
            f"range is below {wording.times(wording.NO_SIGN_BELOW)} times, so a doubling is ruled out."
        )
    words = wording.status_words(status)
    clinician = (
        f"{test.label} ({test.lag}): {test.comparison.replace('your ', '')}; rate ratio {ratio:.2f} "
        f"({wording.EFFECT_INTERVAL} {low:.2f}-{high:.2f}), one-sided p {test.p_value:.3g}, "
        f"Holm-adjusted p {q_value:.3g}, "
        f"{test.n_days} days; {words}."
    )
    return AssociationResult(
        trigger=test.trigger,
        label=test.label,
        status=status,
        status_text=words,
        exposure=test.exposure,
        comparison=test.comparison,
        rate_ratio=ratio,
        ci_low=low,
        ci_high=high,
        p_value=test.p_value,
        q_value=q_value,
        days_needed=found[0] if found else None,
        days_needed_chance=round(found[1], 2) if found else None,
        n_days=test.n_days,
        sentence=sentence,
        clinician_sentence=clinician,
        method=test.method,
        significant=status == "linked",
        direction="more" if status == "linked" else "none",
        lag=test.lag,
        cut_point=test.cut_point,
    )


def _not_enough(spec: Exposure, n_days: int, days_needed: int | None) -> AssociationResult:
    """Not testable yet: what to log, and roughly when testing starts (only for a trigger logged at all)."""
    lag = spec.lag_words[spec.lags[0]]
    logged = wording.plural(n_days, "day")
    if n_days == 0:
        # Never logged: no figure, since no amount of logging something else would start the test.
        sentence = (
            f"You have not logged {spec.noun}. Log it on the days you have it (and the days "
            f"you do not) and it is tested once {MIN_TRIGGER_DAYS} days with it logged vary enough to compare."
        )
        days_needed = None
    elif days_needed:
        sentence = (
            f"{spec.noun.capitalize()} is logged on {logged} so far. Keep logging it; at your pace testing "
            f"starts in about {wording.plural(days_needed, 'more day')}."
        )
    else:
        sentence = f"{spec.noun.capitalize()} is logged on {logged} so far. Keep logging it."
    return AssociationResult(
        trigger=spec.trigger,
        label=spec.label,
        status=wording.TriggerStatus.NOT_TESTABLE.value,
        status_text=wording.status_words(wording.TriggerStatus.NOT_TESTABLE),
        exposure=f"{spec.noun} {lag}",
        comparison="",
        rate_ratio=None,
        ci_low=None,
        ci_high=None,
        p_value=None,
        q_value=None,
        days_needed=days_needed,
        n_days=n_days,
        sentence=sentence,
        clinician_sentence=f"{spec.label}: not tested ({logged} with it logged; {MIN_TRIGGER_DAYS} needed).",
        method=f"Tested once {MIN_TRIGGER_DAYS} logged days with {spec.noun} vary enough to compare.",
        significant=False,
        direction="not_tested",
        lag=lag,
    )


def _entry_days(series: DailySeries, spec: Exposure) -> int:
    """Days with an entry of the trigger itself (a day read as 0 mg or no session does not count)."""
    entered = {
        "caffeine": ~np.isnan(series.caffeine_mg),
        "sleep": ~np.isnan(series.sleep_hours),
        "stress": ~np.isnan(series.stress_mean),
        "exercise": np.nan_to_num(series.exercise_min) > 0,
    }[spec.trigger]
    return int((entered & series.logged).sum())


def _start_in(series: DailySeries, sufficiency: DataSufficiency, trigger_days: int) -> int | None:
    """Days until a trigger logged on ``trigger_days`` days can be tested: the later of the diary's
    own minimum and the trigger's; None for a trigger never logged."""
    if not trigger_days:
        return None
    return max(sufficiency.days_more_needed, _untested_days(series, trigger_days))


def _untested_days(series: DailySeries, trigger_days: int) -> int:
    """Logged days to go before a trigger has MIN_TRIGGER_DAYS, at the user's pace of logging it."""
    more = MIN_TRIGGER_DAYS - trigger_days
    if more <= 0:
        return MIN_DAYS_PER_GROUP * 3  # enough days, too little variety yet: a few more of each kind
    logged = int(series.logged.sum())
    return math.ceil(more * logged / trigger_days) if trigger_days else 0


def analyse_associations(diary: Diary, series: DailySeries | None = None) -> AssociationReport:
    """Every association the diary has enough data for, in one model, corrected together."""
    series = series or build_daily_series(diary)
    sufficiency = data_sufficiency(series)
    if not sufficiency.enough:
        # Each trigger still says on how many days it was logged (a new diary's one coffee is one day).
        logged = {spec.trigger: _entry_days(series, spec) for spec in EXPOSURES}
        return AssociationReport(
            sufficiency,
            [
                _not_enough(spec, logged[spec.trigger], _start_in(series, sufficiency, logged[spec.trigger]))
                for spec in EXPOSURES
            ],
        )

    rows = series.logged & ~np.isnan(series.episodes)
    counts = series.episodes[rows]
    design = _Design()
    trigger_days = _exposure_columns(series, rows, design)
    medications = _medication_columns(series, diary, rows, design)
    weekday = np.array([day.weekday() for day in series.days])[rows]
    design.add("weekend", (weekday >= 5).astype(np.float64))
    day_number = np.arange(len(series), dtype=np.float64)[rows]
    design.add("trend", day_number / max(1.0, float(len(series) - 1)) - 0.5)

    tested_triggers = set(design.contrasts)
    inhaler_possible = any(m.drug_class == "beta2_agonist" for m in diary.medications)
    n_tests = len(tested_triggers) + len(medications) + int(inhaler_possible)
    fit = fit_model(counts, design) if design.contrasts or medications else None
    pending: list[_Tested] = []
    if fit is not None:
        pending.extend(_exposure_tests(fit, design, n_tests))
        pending.extend(_medication_tests(fit, design, medications, diary, n_tests))
    inhaler = _inhaler_test(diary, series, n_tests)
    if inhaler is not None:
        pending.append(inhaler)

    survives, q_values = correct_for_multiple_tests([test.p_value for test in pending])
    results = [_word(test, q, keep, len(pending)) for test, q, keep in zip(pending, q_values, survives, strict=True)]
    done = {result.trigger for result in results}
    for spec in EXPOSURES:
        if spec.trigger not in done:
            entered = _entry_days(series, spec)
            start_in = _untested_days(series, trigger_days.get(spec.trigger, 0)) if entered else None
            results.append(_not_enough(spec, entered, start_in))
    return AssociationReport(sufficiency, results)
