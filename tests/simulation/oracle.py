"""The test that knows the truth: the one contrast the generator planted, and nothing else.

It knows the trigger, the shape, the threshold and the lag, so it makes exactly that comparison (the
true exposure indicator, or the true dose, against the day's episodes), on the days the user kept
the diary and logged that exposure, allowing for weekend and trend as the engine does, one-sided
in the true direction, with the quasi-Poisson GLM's Pearson-scaled standard error. It is then
corrected for as many tests as the engine ran for that user (Bonferroni at ALPHA / tests, which for
a single true link is what Benjamini-Hochberg's first step asks too), so that power is read as a
share of what a method could achieve on the same diary with the same multiplicity.
"""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm
from scipy import stats

from tests.simulation.generator import Truth

ALPHA = 0.05
# When the engine ran no test (too few days), the oracle is held to the four daily triggers.
DEFAULT_TESTS = 4
MIN_DAYS = 20


def oracle_p(truth: Truth) -> float:
    """One-sided p of the planted contrast, or 1.0 when there is none or too few days to see it."""
    if truth.trigger is None:
        return 1.0
    use = ~np.isnan(truth.feature) & ~np.isnan(truth.episodes)
    feature = truth.feature[use]
    if use.sum() < MIN_DAYS or np.ptp(feature) == 0:
        return 1.0
    design = np.column_stack([np.ones(feature.size), feature, truth.weekend[use], truth.trend[use]])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        design = design[:, :2]
    try:
        fit = sm.GLM(truth.episodes[use], design, family=sm.families.Poisson()).fit(scale="X2")
    except (ValueError, np.linalg.LinAlgError):
        return 1.0
    se = float(fit.bse[1]) * max(1.0, float(fit.scale)) ** 0.5 / float(fit.scale) ** 0.5
    if not np.isfinite(se) or se <= 0:
        return 1.0
    return float(stats.t.sf(float(fit.params[1]) / se, fit.df_resid))


def oracle_finds(truth: Truth, tests: int) -> bool:
    """Whether the oracle reports the planted link after correcting for ``tests`` tests."""
    return oracle_p(truth) < ALPHA / max(1, tests or DEFAULT_TESTS)
