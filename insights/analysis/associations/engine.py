"""The engine's entry point: every association a diary has enough data for, tested together.

``analyse_associations(diary)`` returns an ``AssociationReport``: whether the diary has enough
days to test at all (``data_sufficiency``), and one ``AssociationResult`` per trigger, per regular
medicine started inside the diary, and for the inhaler window. One negative-binomial model holds
every trigger at once (``model``); each trigger is tested for every shape it has
(``max_contrast``), allowing for the others that could stand in for it (``adjustment``); every
test run for the person goes through one Holm correction at ``ALPHA`` (the promise is about a
wrong trigger per person, which Holm bounds whatever else is linked), and only what survives is
"linked in the diary". The method is described in docs/clinical.md ("Statistics in a personal
diary"); ``make bench-associations`` measures it.
"""

from __future__ import annotations

import math

import numpy as np

from insights.analysis.associations.adjustment import adjustment_for, first_looks
from insights.analysis.associations.exposures import (
    CAFFEINE_LAGS,
    CAFFEINE_WORDS,
    EXPOSURES,
    MIN_DAYS_PER_GROUP,
    MIN_TRIGGER_DAYS,
    Contrast,
    Design,
    Exposure,
    exposure_columns,
    lag_list,
    medication_columns,
)
from insights.analysis.associations.inhaler import INHALER_WINDOW_HOURS, inhaler_test
from insights.analysis.associations.max_contrast import column_test, contrast_test
from insights.analysis.associations.model import ModelFit, fit_model, step_effect
from insights.analysis.associations.results import (
    ALPHA,
    MAX_LOG_SE,
    AssociationReport,
    DataSufficiency,
    PendingResult,
    comparison_words,
    cut_point,
    not_testable_result,
    step_words,
    word_result,
)
from insights.analysis.clinical_thresholds import ASSOCIATION_MIN_EPISODE_DAYS, ASSOCIATION_MIN_LOGGED_DAYS
from insights.analysis.daily_series import BoolArray, DailySeries, build_daily_series
from insights.analysis.records import Diary

# When to test (docs/clinical.md, "Statistics in a personal diary"): the defaults and their sources
# live in insights/analysis/clinical_thresholds.py; the engine's own names are kept for its callers.
NEEDED_LOGGED_DAYS = ASSOCIATION_MIN_LOGGED_DAYS
NEEDED_EPISODE_DAYS = ASSOCIATION_MIN_EPISODE_DAYS
# A slope is shown as the user's top third of days against their bottom third: on the rank scale the
# middles of the two thirds (5/6 and 1/6) lie two thirds apart.
RANK_CONTRAST = 2.0 / 3.0


METHOD_SUMMARY = (
    f"One model of your logged days with caffeine ({lag_list(CAFFEINE_LAGS, CAFFEINE_WORDS)}), sleep (the night "
    "before), stress (the same day) and exercise (the day before) together, each as your own ranking of days, "
    "allowing for weekends, slow trends and each other; a new regular medicine as a step in the same model; "
    f"episodes in the {INHALER_WINDOW_HOURS:g} hours after an inhaler dose against other waking hours. Each is tested "
    "only in the direction documented (more caffeine, shorter sleep, more stress, more exercise, a new medicine: "
    f"more episodes), as a steady rise or a step at your own level, with one Holm correction at {ALPHA:.1%} over every "
    "test run. "
    "Links in your own data, not proof of a cause."
)


def data_sufficiency(series: DailySeries) -> DataSufficiency:
    """Whether the diary has the logged days and the days with episodes to test anything, and if not,
    about how many more logged days it takes at the person's own pace of days with episodes."""
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


_Shown = tuple[str, str, str, float, float, float]  # comparison, high days, low days, log ratio, se, cut


def _shown_effect(fit: ModelFit, spec: Exposure, best: Contrast, present: BoolArray) -> _Shown:
    """The comparison shown for the shape that stood out, sized by the full model.

    A step is shown at the user's own cut; a slope (or a step on so few days that the model leaves
    it without a finite estimate, e.g. no episode on any of them) as top third against bottom third.
    """
    raw = best.raw[present]
    if best.shape == "step":
        exposed = best.column[present] > 0
        try:
            estimate, se = step_effect(fit, best)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            estimate, se = math.nan, math.nan
        if math.isfinite(estimate) and math.isfinite(se) and se < MAX_LOG_SE:
            cut = float(raw[exposed].max() if spec.orientation < 0 else raw[exposed].min())
            return (*step_words(spec.trigger, raw[exposed], raw[~exposed]), estimate, se, cut)
    estimate = fit.params[best.rank_column] * RANK_CONTRAST
    se = fit.se[best.rank_column] * RANK_CONTRAST
    return (*comparison_words(spec.trigger, raw), estimate, se, cut_point(spec.trigger, raw))


def _exposure_tests(fit: ModelFit, design: Design, trigger_count: int) -> list[PendingResult]:
    """One test per trigger, over every shape and lag it is tested for (``contrast_test``)."""
    tested = []
    looks = first_looks(fit, design)
    for spec in EXPOSURES:
        contrasts = design.contrasts.get(spec.trigger, [])
        if not contrasts:
            continue
        own = sorted({contrast.rank_column for contrast in contrasts})
        adjustment = adjustment_for(design, fit, spec.trigger, own, looks)
        columns = [contrast.column for contrast in contrasts]
        try:
            result = contrast_test(fit, own + adjustment.dropped, columns, adjustment.stepped, design)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            continue
        best = contrasts[result.best]
        present = ~np.isnan(best.raw)
        comparison, high, low, estimate, se, cut = _shown_effect(fit, spec, best, present)
        tested.append(
            PendingResult(
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
    """The method sentence of one trigger's result, for ``trigger_count`` links tested in all."""
    lags = lag_list(CAFFEINE_LAGS, CAFFEINE_WORDS)
    return (
        f"One model of your logged days with caffeine ({lags}), sleep, stress and exercise together, allowing "
        "for weekends, slow trends and the triggers that move with this one; tested for more episodes with "
        f"{'less' if noun == 'sleep' else 'more'} {noun}, as a steady rise over your own ranking of days or as a "
        f"step at your own level (from your top tenth to your top half of days), corrected (Holm) over the "
        f"{trigger_count} links tested."
    )


def _medication_tests(
    fit: ModelFit, design: Design, names: list[str], diary: Diary, trigger_count: int
) -> list[PendingResult]:
    labels = {f"medication:{m.id}": m.name for m in diary.medications}
    return [
        PendingResult(
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
                not_testable_result(spec, logged[spec.trigger], _start_in(series, sufficiency, logged[spec.trigger]))
                for spec in EXPOSURES
            ],
        )

    rows = series.logged & ~np.isnan(series.episodes)
    counts = series.episodes[rows]
    design = Design()
    trigger_days = exposure_columns(series, rows, design)
    medications = medication_columns(series, diary, rows, design)
    weekday = np.array([day.weekday() for day in series.days])[rows]
    design.add("weekend", (weekday >= 5).astype(np.float64))
    day_number = np.arange(len(series), dtype=np.float64)[rows]
    design.add("trend", day_number / max(1.0, float(len(series) - 1)) - 0.5)

    tested_triggers = set(design.contrasts)
    inhaler_possible = any(m.drug_class == "beta2_agonist" for m in diary.medications)
    n_tests = len(tested_triggers) + len(medications) + int(inhaler_possible)
    fit = fit_model(counts, design) if design.contrasts or medications else None
    pending: list[PendingResult] = []
    if fit is not None:
        pending.extend(_exposure_tests(fit, design, n_tests))
        pending.extend(_medication_tests(fit, design, medications, diary, n_tests))
    inhaler = inhaler_test(diary, series, n_tests)
    if inhaler is not None:
        pending.append(inhaler)

    survives, q_values = correct_for_multiple_tests([test.p_value for test in pending])
    results = [
        word_result(test, q, keep, len(pending)) for test, q, keep in zip(pending, q_values, survives, strict=True)
    ]
    done = {result.trigger for result in results}
    for spec in EXPOSURES:
        if spec.trigger not in done:
            entered = _entry_days(series, spec)
            start_in = _untested_days(series, trigger_days.get(spec.trigger, 0)) if entered else None
            results.append(not_testable_result(spec, entered, start_in))
    return AssociationReport(sufficiency, results)
