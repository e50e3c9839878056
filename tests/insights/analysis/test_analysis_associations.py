"""The associations: enough-data gates, the rate-ratio arithmetic, the wording and the correction."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
import statsmodels.api as sm

from insights.analysis.associations import (
    NEEDED_LOGGED_DAYS,
    analyse_associations,
    benjamini_hochberg,
    inhaler_window_counts,
    pearson_dispersion,
    rate_ratio,
)
from insights.analysis.daily_series import build_daily_series
from insights.analysis.records import DoseRecord, StressRecord
from insights.analysis.simulate import SimulationSpec, random_spec, simulate_user
from tests.insights.analysis.analysis_builders import TODAY, at, diary, episode, medication


def test_it_says_how_many_more_days_it_needs() -> None:
    stress = tuple(StressRecord(f"s{i}", at(TODAY - timedelta(days=i)), 3) for i in range(20))
    report = analyse_associations(diary(stress=stress))
    assert report.sufficiency.days_more_needed == NEEDED_LOGGED_DAYS - 20
    assert report.results[0].sentence == f"Not enough data yet: {NEEDED_LOGGED_DAYS - 20} more days."
    assert report.reported == []


def test_its_pooled_rate_ratio_matches_a_quasi_poisson_glm() -> None:
    rng = np.random.default_rng(3)
    high, low = rng.poisson(2.4, 25).astype(float), rng.negative_binomial(1, 0.25, 40).astype(float)
    ours = rate_ratio(high.sum(), high.size, low.sum(), low.size, pearson_dispersion([high, low]))
    design = sm.add_constant(np.r_[np.ones(high.size), np.zeros(low.size)])
    fit = sm.GLM(np.r_[high, low], design, family=sm.families.Poisson()).fit(scale="X2")
    low_ci, high_ci = np.exp(fit.conf_int()[1])
    assert ours.ratio == pytest.approx(np.exp(fit.params[1]))
    # Ours floors the dispersion at 1; this sample is overdispersed so the two must agree.
    assert fit.scale > 1
    assert (ours.ci_low, ours.ci_high) == (pytest.approx(low_ci), pytest.approx(high_ci))


def test_benjamini_hochberg_drops_a_nominally_significant_test() -> None:
    survives, q_values = benjamini_hochberg([0.001, 0.04, 0.30, 0.55, 0.70])
    assert survives == [True, False, False, False, False]
    assert q_values[1] > 0.05


def test_it_does_not_report_a_nominally_significant_trigger_that_fails_the_correction() -> None:
    # Among null users some test will reach p < 0.05 by chance; the correction must drop it.
    for seed in range(100):
        rng = np.random.default_rng(seed)
        report = analyse_associations(simulate_user(rng, random_spec(rng, days=120)).diary)
        nominal = [r for r in report.results if r.p_value is not None and r.p_value < 0.05 and not r.significant]
        if nominal:
            assert all(r.q_value is not None and r.q_value > 0.05 for r in nominal)
            assert all(r.sentence == "No clear link yet." for r in nominal)
            return
    pytest.fail("no null user had a nominally significant test in 100 seeds")


def test_it_words_a_finding_as_an_association_with_its_interval() -> None:
    spec = SimulationSpec(days=180, baseline_rate=3.0, effects={"caffeine": 3.0})
    report = analyse_associations(simulate_user(11, spec).diary)
    caffeine = next(r for r in report.reported if r.trigger == "caffeine")
    assert caffeine.sentence.startswith("On days with 300 mg of caffeine or more you logged ")
    assert "times as many episodes (95% CI " in caffeine.sentence
    assert caffeine.sentence.endswith("This is an association in your data, not proof of a cause.")
    assert caffeine.ci_low is not None and caffeine.ci_low > 1
    assert all("caused" not in r.sentence for r in report.results)


def test_it_counts_episodes_inside_and_outside_the_four_hours_after_an_inhaler_dose() -> None:
    day = TODAY - timedelta(days=1)
    inhaler = medication("beta2_agonist", started_on=None, as_needed=True)
    d = diary(
        episode(day, hour=9.0),
        episode(day, hour=10.5),
        episode(day, hour=15.0),
        episode(day, hour=3.0),
        medications=(inhaler,),
        doses=(DoseRecord("d1", inhaler.id, at(day, 8.0)),),
        today=day,
    )
    counts = inhaler_window_counts(d, build_daily_series(d))
    assert counts is not None
    # Default waking day 07:00-23:00: 4 h in the window, 12 h outside; the 03:00 episode is asleep.
    assert (counts.window_episodes, counts.other_episodes) == (2, 1)
    assert (counts.window_hours, counts.other_hours) == (pytest.approx(4.0), pytest.approx(12.0))


def test_it_compares_a_medication_start_only_with_two_weeks_each_side() -> None:
    early = SimulationSpec(days=90, baseline_rate=2.0, effects={"medication": 3.0})
    user = simulate_user(5, early)
    report = analyse_associations(user.diary)
    assert any(r.trigger == "medication:med-regular" for r in report.results)
    start = user.diary.medications[0].started_on
    assert start is not None
    # Ten days of diary before the start are too few to compare with.
    short_before = build_daily_series(user.diary, start=start - timedelta(days=10))
    trimmed = analyse_associations(user.diary, series=short_before)
    assert all(r.trigger != "medication:med-regular" for r in trimmed.results)
