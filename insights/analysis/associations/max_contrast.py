"""The test of "no link" for one trigger: a score test per shape, and the largest of them.

In: the full ``ModelFit``, the columns to drop (the trigger's own, and partners judged irrelevant),
the trigger's contrasts, and the partners to allow for by steps. Out: a ``ContrastTest``, the
one-sided p of the largest score statistic (a max-contrast test, as in MCP-Mod dose finding: Bretz,
Pinheiro & Branson, Biometrics 2005) and which contrast it was. Each statistic is the score test
against the model refitted without the trigger, referred to Student's t; the correction for taking
the largest of correlated statistics costs far less than a Bonferroni correction over the shapes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import stats

from insights.analysis import normal_max
from insights.analysis.associations.exposures import MIN_STEP_DAYS, MIN_STEP_SHARE, MIN_TRIGGER_DAYS, Design
from insights.analysis.associations.model import ModelFit, pearson_scale, reduced_fit
from insights.analysis.daily_series import BoolArray, FloatArray

# The multivariate normal probability of ``max_contrast_p`` (Genz's method): its absolute accuracy
# (scipy 1.17's quasi-Monte-Carlo ignores a relative one), and the fixed seed of its quasi-random
# points, so the same diary always gives the same p.
MAX_CONTRAST_ABSEPS = 2e-4
MAX_CONTRAST_SEED = 20261202
# A partner allowed for by steps (``adjustment_for``) gets a step at each of these cuts of its ranks,
# on the days it was logged: a short night under the person's own threshold is a step that a slope
# leaves partly to the stress and coffee that follow it.
PARTNER_STEPS = (0.4, 0.3, 1.0 / 6.0, 0.0, -0.25)
# Where a stepped partner's own best-fitting step is looked for (``_best_partner_steps``): every 5% of
# its ranks, so a step at the person's own threshold, between the fixed cuts, leaves nothing for a
# trigger that runs high on exactly those days.
PARTNER_STEP_GRID = tuple(np.round(np.arange(-0.45, 0.451, 0.05), 3))


def _partner_adjustment(design: Design, partners: list[str]) -> tuple[BoolArray, list[FloatArray]]:
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


def max_contrast_p(z: FloatArray, information: FloatArray, degrees: float) -> float:
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
    # scipy's multivariate_normal.cdf to the last bit, with its lattice built once per size
    # (insights/analysis/normal_max.py).
    inside = normal_max.all_below(bound, correlation, MAX_CONTRAST_ABSEPS, MAX_CONTRAST_SEED)
    return float(min(1.0, max(best, 1.0 - inside)))


@dataclass
class ContrastTest:
    """A trigger's test: its statistics, and its one-sided p corrected for taking the largest of its
    contrasts. The p (Genz's integration, most of a test's cost) is worked out when first asked for;
    ``p_at_least``, the largest statistic's own one-sided p, never exceeds it."""

    best: int  # the index of the contrast that stood out most
    z: FloatArray  # the usable contrasts' statistics (none: nothing to test, p 1)
    information: FloatArray
    degrees: float

    @property
    def p_at_least(self) -> float:
        """A lower bound of ``p_value``, without the integration."""
        return 1.0 if self.z.size == 0 else float(stats.t.sf(float(self.z.max()), self.degrees))

    @cached_property
    def p_value(self) -> float:
        """The one-sided p of the largest contrast, corrected for taking the largest (``max_contrast_p``)."""
        return 1.0 if self.z.size == 0 else max_contrast_p(self.z, self.information, self.degrees)


def contrast_test(
    fit: ModelFit,
    drop: list[str],
    contrasts: list[FloatArray],
    partners: list[str],
    design: Design,
    *,
    lazy: bool = False,
) -> ContrastTest:
    """Score test of "no link" for a set of contrasts: the model refitted without the ``drop``
    columns (and with the partners' steps, on the days the partners were logged), each contrast's
    score against it, one-sided, corrected for taking the largest (``max_contrast_p``). Its p is
    computed here, inside the same fallback as the fit (a LinAlgError with partner steps refits
    without them), unless ``lazy``."""
    keep, steps = _partner_adjustment(design, partners)
    counts, matrix = fit.counts, fit.matrix
    dropped = [fit.names.index(name) + 1 for name in drop]
    # Room for the fixed steps and one best-fitting step per partner (``_best_partner_steps``).
    if keep.sum() - matrix.shape[1] - len(steps) - len(partners) < MIN_TRIGGER_DAYS // 2:
        keep, steps = np.ones(counts.size, dtype=bool), []
    try:
        if steps:
            steps = steps + _best_partner_steps(fit, dropped, keep, steps, design, partners)
        return _with_p(_contrast_score_test(fit, dropped, contrasts, keep, steps), lazy)
    except np.linalg.LinAlgError:
        if not steps:
            raise
        return _with_p(_contrast_score_test(fit, dropped, contrasts, np.ones(counts.size, dtype=bool), []), lazy)


def _with_p(test: ContrastTest, lazy: bool) -> ContrastTest:
    """The test, with its p already worked out unless ``lazy``."""
    if not lazy:
        _ = test.p_value
    return test


def _best_partner_steps(
    fit: ModelFit, dropped: list[int], keep: BoolArray, steps: list[FloatArray], design: Design, partners: list[str]
) -> list[FloatArray]:
    """For each stepped partner, the step on a fine grid of its ranks (PARTNER_STEP_GRID) that the
    episodes follow most, against the model without the tested trigger.

    Between two fixed cuts, a partner's step at the person's own threshold (nights under 6.2 h) is
    left partly unexplained, on exactly the days a trigger that follows it (stress after those
    nights) runs high; the step that fits best sits at that threshold and leaves nothing behind.
    """
    reduced = reduced_fit(fit, dropped, keep, steps)
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
    fit: ModelFit, dropped: list[int], contrasts: list[FloatArray], keep: BoolArray, extra: list[FloatArray]
) -> ContrastTest:
    """The max-contrast test against the model refitted on ``keep`` without ``dropped``, with ``extra``."""
    reduced = reduced_fit(fit, dropped, keep, extra)
    x = np.column_stack([column[keep] for column in contrasts])
    score, information = reduced.scores(x)
    degrees = float(reduced.counts.size - reduced.matrix.shape[1] - 1)
    scale0 = pearson_scale(reduced.counts, reduced.mu, reduced.alpha, degrees + 1)
    # A contrast the rest of the model already explains (a step equal to a partner's) carries no test.
    usable = np.diag(information) > 1e-9 * np.maximum(1.0, np.diag(x.T @ (x * reduced.weights[:, None])))
    if not usable.any():
        return ContrastTest(0, np.zeros(0), np.zeros((0, 0)), degrees)
    indices = np.flatnonzero(usable)
    information = information[np.ix_(indices, indices)] * scale0
    z = score[indices] / np.sqrt(np.diag(information))
    return ContrastTest(int(indices[int(np.argmax(z))]), z, information, degrees)


def column_test(fit: ModelFit, design: Design, name: str) -> float:
    """One-sided p of the score test that one column of the model adds nothing to the rest."""
    return contrast_test(fit, [name], [design.columns[name]], [], design).p_value
