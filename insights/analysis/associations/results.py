"""What the engine returns, and its words: the result types, and each tested link worded.

In: a ``PendingResult`` (a test that ran, with its one-sided p, its estimate on the log scale and
the words of its comparison) with its Holm-adjusted p. Out: an ``AssociationResult`` in the shape
stored in ``InsightState.associations``, whose status is a ``TriggerStatus`` value and whose
sentences say what the person's own days show. The point estimate of a reported link runs high
(winner's curse) and its lower bound much less so, so the wording leads with the lower bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from insights import wording
from insights.analysis.associations.exposures import MIN_TRIGGER_DAYS, THIRD, Exposure
from insights.analysis.daily_series import FloatArray
from insights.analysis.trigger_status import TriggerStatus

# The promise (docs/architecture.md, "Promises and targets"): a wrong trigger for at most 5% of users.
PROMISED_WRONG_SHARE = 0.05
# The family-wise level of Holm's correction over all of the user's tests. Holm at a level a reports a
# wrong trigger for at most about a of users, whatever else is linked, as far as each test holds its
# level; the max-contrast tests run a little above theirs on skewed daily counts, hence a level under
# the promise (``make bench-associations`` measures every null kind and length against it).
ALPHA = 0.035
# The interval shown: 90% two-sided, so its lower end is the one-sided 95% bound of the test (the
# score test decides the status, so a finding's lower bound can sit just under 1 in borderline cases).
INTERVAL_LEVEL = wording.EFFECT_INTERVAL_LEVEL
# "Possible, not clear yet": the data lean the documented way (one-sided p under 0.2) without
# surviving the correction; above it, "no sign of a link".
POSSIBLE_P = 0.20

NOT_PROOF = "This is an association in your data, not proof of a cause."
# A standard error of a log rate ratio above this (an interval wider than e^±5) sizes nothing; nor
# does an estimate beyond e^±50. A model that separated (no episode on any day with the trigger,
# say) leaves both without bound: its test's p-value stands, but its size is not shown.
MAX_LOG_SE = 2.5
MAX_LOG_ESTIMATE = 50.0


@dataclass(frozen=True)
class DataSufficiency:
    """Whether a diary has the days to test at all, and how many more logged days it needs."""

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
    """Every result of one diary (one per trigger at least), and whether it had the days to test."""

    sufficiency: DataSufficiency
    results: list[AssociationResult] = field(default_factory=list)

    @property
    def reported(self) -> list[AssociationResult]:
        """The associations that survived the correction: the only ones to show as findings."""
        return [result for result in self.results if result.significant]


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
        # "any exercise" names its noun already ("days after any exercise", not "... of exercise").
        high = f"days after {high_words}" if high_words == "any exercise" else f"days after {high_words} of exercise"
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
class PendingResult:
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


def more_days_for_a_doubling(test: PendingResult, n_tests: int) -> tuple[int, float] | None:
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


def word_result(test: PendingResult, q_value: float, survives: bool, n_tests: int) -> AssociationResult:
    """A test worded as a result. Its status: linked when it survives Holm's correction; otherwise
    possible when its one-sided p is under POSSIBLE_P, and no sign of a link only where the interval's
    top rules out what the method aims at (``wording.status_of``), else not clear yet. The interval is
    at INTERVAL_LEVEL; an uncertain result says how many more days could show a doubling."""
    if not (math.isfinite(test.se) and test.se < MAX_LOG_SE and abs(test.estimate) < MAX_LOG_ESTIMATE):
        return _unsized_result(test, q_value, survives, n_tests)
    quantile = float(stats.t.ppf(0.5 + INTERVAL_LEVEL / 2, test.degrees))
    ratio = math.exp(test.estimate)
    low, high = math.exp(test.estimate - quantile * test.se), math.exp(test.estimate + quantile * test.se)
    leaning = TriggerStatus.POSSIBLE if test.p_value < POSSIBLE_P else TriggerStatus.NO_SIGN
    status = wording.status_of({"status": TriggerStatus.LINKED if survives else leaning, "ci_high": high})
    uncertain = status in (TriggerStatus.POSSIBLE, TriggerStatus.NOT_CLEAR)
    found = more_days_for_a_doubling(test, n_tests) if uncertain else None
    between = f"between {wording.times(low)} and {wording.times(high)} times {test.unit}"
    if status == TriggerStatus.LINKED:
        sentence = (
            f"On {test.high_days} you logged at least {wording.times(low)} times {test.unit} as on {test.low_days}, "
            f"maybe up to {wording.times(high)} times. {NOT_PROOF}"
        )
    elif status == TriggerStatus.POSSIBLE:
        sentence = (
            f"Possibly more episodes on {test.high_days} than on {test.low_days} ({between}). Not clear yet: "
            f"this allows {wording.allows_words(low, high)}. {_more_days_sentence(found)}"
        )
    elif status == TriggerStatus.NOT_CLEAR:
        sentence = (
            f"On {test.high_days} you logged {between} as on {test.low_days}: that allows "
            f"{wording.allows_words(low, high)}. {_more_days_sentence(found)}"
        )
    else:
        sentence = (
            f"On {test.high_days} you logged {between} as on {test.low_days}: even the top of that "
            f"range is below {wording.times(wording.NO_SIGN_BELOW)} times, so a doubling is ruled out."
        )
    size = f"rate ratio {ratio:.2f} ({wording.EFFECT_INTERVAL} {low:.2f}-{high:.2f})"
    return _result(test, status, sentence, size, q_value, found, (ratio, low, high))


def _result(
    test: PendingResult,
    status: str,
    sentence: str,
    size: str,
    q_value: float,
    found: tuple[int, float] | None,
    numbers: tuple[float | None, float | None, float | None],
) -> AssociationResult:
    """The worded test: ``size`` is the clinician's words for its size, ``numbers`` its rate ratio
    and interval."""
    words = wording.status_words(status)
    clinician = (
        f"{test.label} ({test.lag}): {test.comparison.replace('your ', '')}; {size}, one-sided p "
        f"{test.p_value:.3g}, Holm-adjusted p {q_value:.3g}, {test.n_days} days; {words}."
    )
    ratio, low, high = numbers
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
        significant=status == TriggerStatus.LINKED,
        direction="more" if status == TriggerStatus.LINKED else "none",
        lag=test.lag,
        cut_point=test.cut_point,
    )


def _unsized_result(test: PendingResult, q_value: float, survives: bool, n_tests: int) -> AssociationResult:
    """A test whose size the diary cannot give (see MAX_LOG_SE), worded without numbers: linked when
    it survives Holm's correction, possible when it leans the documented way, otherwise not clear
    yet (an unbounded interval rules nothing out, so never "no sign of a link")."""
    if survives:
        status = TriggerStatus.LINKED
    else:
        status = TriggerStatus.POSSIBLE if test.p_value < POSSIBLE_P else TriggerStatus.NOT_CLEAR
    found = None if survives else more_days_for_a_doubling(test, n_tests)
    if status == TriggerStatus.LINKED:
        sentence = (
            f"You logged more episodes on {test.high_days} than on {test.low_days}; this diary cannot yet say "
            f"how many more. {NOT_PROOF}"
        )
    elif status == TriggerStatus.POSSIBLE:
        sentence = (
            f"Possibly more episodes on {test.high_days} than on {test.low_days}. Not clear yet: this diary "
            f"cannot yet say how many more, if any. {_more_days_sentence(found)}"
        )
    else:
        sentence = (
            f"Not clear yet: the diary so far cannot say whether you log more or fewer episodes on "
            f"{test.high_days} than on {test.low_days}, so nothing is ruled out. {_more_days_sentence(found)}"
        )
    size = "rate ratio not estimable (the model leaves it without bound)"
    return _result(test, status, sentence, size, q_value, found, (None, None, None))


def not_testable_result(spec: Exposure, n_days: int, days_needed: int | None) -> AssociationResult:
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
        status=TriggerStatus.NOT_TESTABLE.value,
        status_text=wording.status_words(TriggerStatus.NOT_TESTABLE),
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
