"""The shapes each trigger is tested for, the max-contrast test over them, and what each test allows for."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from insights.analysis.associations import (
    STEP_CUTS,
    Design,
    adjustment_for,
    analyse_associations,
    centred_rank,
    fit_model,
    max_contrast_p,
    rank_correlation,
    step_words,
)
from insights.analysis.normal_max import all_below
from tests.simulation.generator import Scenario, simulate


def _simulated_max_p(z: np.ndarray, correlation: np.ndarray, degrees: float, draws: int = 400_000) -> float:
    """The same probability by brute force: how often the largest of correlated normals reaches it."""
    bound = stats.norm.isf(stats.t.sf(z.max(), degrees))
    values, vectors = np.linalg.eigh(correlation)
    root = vectors * np.sqrt(np.clip(values, 0, None))
    sample = np.random.default_rng(7).standard_normal((draws, z.size)) @ root.T
    return float((sample.max(axis=1) >= bound).mean())


def _steps_like_correlation(k: int) -> np.ndarray:
    """The correlation of nested steps and a slope over 200 ranked days, as the engine builds them."""
    rank = centred_rank(np.arange(200, dtype=float))
    columns = [rank] + [(rank > cut).astype(float) for cut in STEP_CUTS[: k - 1]]
    return np.corrcoef(np.array(columns))


@pytest.mark.parametrize("z_max", [1.5, 2.5, 3.2])
def test_the_max_contrast_p_is_the_chance_that_the_largest_of_the_correlated_statistics_gets_there(
    z_max: float,
) -> None:
    correlation = _steps_like_correlation(5)
    z = np.array([z_max - 0.4, z_max, z_max - 0.2, z_max - 1.0, 0.3])
    ours = max_contrast_p(z, correlation, 120.0)
    single = float(stats.t.sf(z_max, 120.0))
    assert ours == pytest.approx(_simulated_max_p(z, correlation, 120.0), abs=0.002, rel=0.05)
    # Searching the shapes costs something, and less than a Bonferroni correction over them would.
    assert single < ours < min(1.0, 5 * single)


def test_one_contrast_is_its_own_one_sided_t_test() -> None:
    assert max_contrast_p(np.array([2.1]), np.eye(1), 60.0) == pytest.approx(float(stats.t.sf(2.1, 60.0)))


def test_the_same_statistics_always_give_the_same_p() -> None:
    correlation = _steps_like_correlation(6)
    z = np.array([2.0, 2.4, 1.1, 2.2, 0.5, 1.9])
    assert max_contrast_p(z, correlation, 80.0) == max_contrast_p(z, correlation, 80.0)


@pytest.mark.parametrize("size", range(1, 11))
def test_the_max_contrasts_normal_probability_is_scipys_to_the_last_bit(size: int) -> None:
    """insights/analysis/normal_max.py keeps scipy's lattice between calls; the number must not move."""
    rng = np.random.default_rng(size)
    for singular in (False, True):
        rows = rng.normal(size=(size, 60))
        if singular and size > 1:
            rows[1] = rows[0]  # two identical contrasts, as ties can make
        information = rows @ rows.T
        sd = np.sqrt(np.diag(information))
        correlation = information / np.outer(sd, sd)
        for bound in (0.5, 1.9, 3.3):
            scipys = stats.multivariate_normal.cdf(
                np.full(size, bound),
                mean=np.zeros(size),
                cov=correlation,
                allow_singular=True,
                abseps=2e-4,
                rng=np.random.default_rng(20261202),
            )
            assert all_below(bound, correlation, 2e-4, 20261202) == float(scipys)


def test_a_matrix_that_is_not_a_correlation_is_refused_as_scipy_refuses_it() -> None:
    with pytest.raises(ValueError):
        all_below(2.0, np.array([[1.0, 2.0], [2.0, 1.0]]), 2e-4, 1)


def _design(correlated: float, seed: int = 4) -> tuple[Design, np.ndarray]:
    """Three logged exposures: "a" (tested), "b" moving with it by ``correlated``, "c" unrelated."""
    rng = np.random.default_rng(seed)
    n = 150
    a = rng.normal(size=n)
    b = correlated * a + np.sqrt(1 - correlated**2) * rng.normal(size=n)
    c = rng.normal(size=n)
    design = Design()
    present = np.ones(n, dtype=bool)
    for trigger, values in (("a", a), ("b", b), ("c", c)):
        rank = centred_rank(values)
        design.add(f"{trigger}@0", rank)
        design.exposures[f"{trigger}@0"] = (trigger, rank, present)
    counts = rng.poisson(2.0 * rng.gamma(3.0, 1 / 3.0, n)).astype(float)
    return design, counts


def test_a_trigger_that_moves_with_the_tested_one_is_kept_and_an_unrelated_one_is_left_out() -> None:
    design, counts = _design(correlated=0.35)
    fit = fit_model(counts, design)
    assert fit is not None
    adjustment = adjustment_for(design, fit, "a", ["a@0"], first_look={})
    assert "c@0" in adjustment.dropped
    assert "b@0" not in adjustment.dropped
    # Moving with it, but not with the episodes and not strongly: a slope is enough.
    assert adjustment.stepped == []


def test_a_trigger_that_goes_with_the_episodes_is_kept_even_when_unrelated_and_stepped_when_related() -> None:
    design, counts = _design(correlated=0.35)
    fit = fit_model(counts, design)
    assert fit is not None
    adjustment = adjustment_for(design, fit, "a", ["a@0"], first_look={"b": 0.01, "c": 0.01})
    assert adjustment.dropped == []
    assert adjustment.stepped == ["b@0"]


def test_a_strongly_related_trigger_is_stepped_even_when_it_does_not_go_with_the_episodes() -> None:
    design, counts = _design(correlated=0.8)
    fit = fit_model(counts, design)
    assert fit is not None
    assert adjustment_for(design, fit, "a", ["a@0"], first_look={}).stepped == ["b@0"]


def _slightly_related() -> tuple[Design, np.ndarray]:
    """A design where "b" moves with "a" by more than 0.1 but inside the band chance gives 150 days."""
    design, counts = _design(correlated=0.13, seed=3)
    correlation, days = rank_correlation(design, "a@0", "b@0")
    assert days == 150 and 0.1 < correlation < 2 / np.sqrt(days)
    return design, counts


def test_a_trigger_that_moves_with_the_tested_one_only_as_much_as_chance_would_is_left_out() -> None:
    design, counts = _slightly_related()
    fit = fit_model(counts, design)
    assert fit is not None
    assert "b@0" in adjustment_for(design, fit, "a", ["a@0"], first_look={}).dropped


def test_a_slightly_related_trigger_is_stepped_only_when_it_goes_with_the_episodes_strongly() -> None:
    design, counts = _slightly_related()
    fit = fit_model(counts, design)
    assert fit is not None
    # Barely going with the episodes (z 1.6): kept as a slope; its steps would bias the test by
    # less than half a standard error and cost the days it was not logged.
    weak = adjustment_for(design, fit, "a", ["a@0"], first_look={"b": 0.05})
    assert "b@0" not in weak.dropped
    assert weak.stepped == []
    # Going with the episodes strongly (z 4.8): even a slight correlation would carry into the test.
    strong = adjustment_for(design, fit, "a", ["a@0"], first_look={"b": 1e-6})
    assert strong.stepped == ["b@0"]


def test_a_step_is_worded_at_the_users_own_cut_in_their_units() -> None:
    comparison, high, low = step_words("caffeine", np.array([310.0, 420.0]), np.array([0.0, 120.0, 290.0]))
    assert comparison == "your higher-caffeine days (about 300 mg or more) against your lower ones (under 300 mg)"
    assert (high, low) == ("days with about 300 mg or more", "days with under 300 mg")
    assert step_words("caffeine", np.array([80.0, 200.0]), np.array([0.0, 0.0]))[1:] == (
        "days with any caffeine",
        "days with no caffeine",
    )
    assert step_words("sleep", np.array([5.2, 5.9]), np.array([7.0, 8.1]))[1:] == (
        "days after nights of about 6 h or less",
        "days after longer nights",
    )
    stress_days = step_words("stress", np.array([7.0, 9.0]), np.array([2.0, 6.0]))[1]
    assert stress_days == "days with stress of about 7 out of 10 or more"
    assert step_words("exercise", np.array([45.0, 90.0]), np.array([0.0, 20.0]))[1:] == (
        "days after about 45 min or more of exercise",
        "days after under 45 min",
    )


@pytest.mark.slow
def test_a_stress_step_high_on_the_users_scale_is_found_and_shown_at_their_cut() -> None:
    # Stress from the user's own threshold (drawn from 5-8) triples episodes: the engine does not know
    # the threshold, and reports the step it found, with its cut in the comparison and the chart's guide.
    linked = []
    for seed in range(40):
        report = analyse_associations(simulate(9_000 + seed, Scenario("stress_step", 180, 3.0)).diary)
        stress = next(r for r in report.results if r.trigger == "stress")
        if stress.status == "linked" and "or more" in stress.comparison:
            linked.append(stress)
    assert len(linked) >= 10
    for stress in linked:
        assert stress.cut_point is not None
        assert f"stress of about {round(stress.cut_point)} out of 10 or more" in stress.comparison
        assert stress.ci_low is not None and stress.rate_ratio is not None and stress.rate_ratio > 1
