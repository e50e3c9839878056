"""The negative-binomial model of a person's daily episode counts.

In: the counts of the model's rows and a ``Design``. Out: a ``ModelFit`` (log-link GLM; alpha by
moments from the Poisson fit; standard errors with a Pearson scale on top, floored at 1), or None
when the design leaves no unique fit; refits without some columns (``reduced_fit``) for the score
tests, and a step's effect sized in the full model (``step_effect``). Day-to-day counts vary far
more than Poisson allows, hence the negative binomial.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from insights.analysis.associations.exposures import MIN_TRIGGER_DAYS, Contrast, Design
from insights.analysis.daily_series import BoolArray, FloatArray

# Iterations of reweighted least squares, and the smallest negative-binomial alpha (near Poisson)
# the moment estimate may give.
MAX_ITERATIONS = 50
MIN_ALPHA = 1e-3


@dataclass(frozen=True)
class ModelFit:
    """The full model: every column, its coefficients and the negative-binomial alpha."""

    counts: FloatArray
    names: list[str]
    matrix: FloatArray  # the intercept, then the design's columns in order
    beta: FloatArray
    alpha: float
    params: dict[str, float]
    se: dict[str, float]
    degrees: float


def irls(counts: FloatArray, matrix: FloatArray, alpha: float, start: FloatArray | None = None) -> FloatArray:
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


def pearson_scale(counts: FloatArray, mu: FloatArray, alpha: float, degrees: float) -> float:
    """Pearson chi-squared over its degrees of freedom, floored at 1: fewer-than-expected spread in a
    few months of days is more likely luck than a reason to trust a narrower interval."""
    return max(1.0, float(((counts - mu) ** 2 / (mu * (1 + alpha * mu))).sum()) / degrees)


@dataclass(frozen=True)
class ReducedFit:
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


def reduced_fit(fit: ModelFit, dropped: list[int], keep: BoolArray, extra: list[FloatArray]) -> ReducedFit:
    """The model refitted on the ``keep`` days without the ``dropped`` columns of the full matrix (by
    index, the intercept at 0) and with the ``extra`` columns, leaving out any column constant on
    those days; the negative-binomial alpha is the full model's. Raises ``np.linalg.LinAlgError``
    when the columns leave no unique fit."""
    counts = fit.counts[keep]
    reduced = np.delete(fit.matrix[keep], dropped, axis=1)
    if extra:
        reduced = np.column_stack([reduced, *(column[keep] for column in extra)])
    varies = np.concatenate([[True], reduced[:, 1:].std(axis=0) > 0])
    reduced = reduced[:, varies]
    if np.linalg.matrix_rank(reduced) < reduced.shape[1]:
        raise np.linalg.LinAlgError("partner steps leave no unique fit")
    begin = np.concatenate([np.delete(fit.beta, dropped), np.zeros(len(extra))])[varies]
    mu0 = np.exp(reduced @ irls(counts, reduced, fit.alpha, begin))
    return ReducedFit(counts, reduced, mu0, fit.alpha)


def fit_model(counts: FloatArray, design: Design) -> ModelFit | None:
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
        poisson = irls(counts, matrix, 0.0)
        mu = np.exp(matrix @ poisson)
        alpha = max(MIN_ALPHA, float(((counts - mu) ** 2 - counts).sum() / (mu**2).sum()))
        beta = irls(counts, matrix, alpha, poisson)
        estimate, se = wald(counts, matrix, beta, alpha)
    except (ValueError, np.linalg.LinAlgError, FloatingPointError):
        return None
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(se))):
        return None
    return ModelFit(
        counts,
        names,
        matrix,
        beta,
        alpha,
        {name: float(estimate[i + 1]) for i, name in enumerate(names)},
        {name: float(se[i + 1]) for i, name in enumerate(names)},
        degrees,
    )


def wald(counts: FloatArray, matrix: FloatArray, beta: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray]:
    """Coefficients and their Pearson-scaled standard errors at a fitted beta."""
    mu = np.exp(matrix @ beta)
    weights = mu / (1 + alpha * mu)
    scale = pearson_scale(counts, mu, alpha, float(counts.size - matrix.shape[1]))
    covariance = np.linalg.inv(matrix.T @ (matrix * weights[:, None])) * scale
    # A near-singular fit can leave a tiny negative variance: its NaN standard error is caught by
    # the callers (no test, or the slope sizes the link), so numpy need not warn about it.
    with np.errstate(invalid="ignore"):
        return beta, np.sqrt(np.diag(covariance))


def step_effect(fit: ModelFit, contrast: Contrast) -> tuple[float, float]:
    """(log rate ratio, standard error) of a step, from the full model with the step in place of the
    trigger's rank at that lag, so that it is sized beside every other trigger as the slope is."""
    matrix = fit.matrix.copy()
    j = fit.names.index(contrast.rank_column) + 1
    matrix[:, j] = contrast.column
    start = fit.beta.copy()
    start[j] = 0.0
    beta = irls(fit.counts, matrix, fit.alpha, start)
    estimate, se = wald(fit.counts, matrix, beta, fit.alpha)
    return float(estimate[j]), float(se[j])
