"""Which other triggers a trigger's test allows for, and how (double selection).

In: the ``Design``, the full ``ModelFit`` and each trigger's first look (``first_looks``). Out: per
tested trigger an ``Adjustment``: the partners left out of its test's model (neither moving with
it nor going with the episodes: they only cost degrees of freedom) and the partners also allowed
for by steps (a step-like partner, such as a short night under the person's own threshold, would
otherwise lend its effect to the trigger that follows it). "Moves with" counts a step of the
partner as well as its rank; a partner that may stand in for the tested trigger is judged without it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

from insights.analysis.associations.exposures import MIN_STEP_DAYS, MIN_STEP_SHARE, MIN_TRIGGER_DAYS, Design
from insights.analysis.associations.max_contrast import PARTNER_STEP_GRID, ContrastTest, contrast_test
from insights.analysis.associations.model import ModelFit

# "Moves with" the tested trigger: a rank correlation of at least ADJUST_MIN_CORRELATION and at least
# ADJUST_MIN_Z / sqrt(days both were logged), the two-standard-error band of a correlation between
# unrelated series, since each partner kept by chance costs the test power.
ADJUST_MIN_CORRELATION = 0.1
ADJUST_MIN_Z = 2.0
# The band for the largest correlation with a partner's steps (``rank_correlation``): about the 95th
# percentile of the largest of PARTNER_STEP_GRID's correlated steps between unrelated series.
ADJUST_STEP_MIN_Z = 3.0
# "Goes with the episodes": its rank's Wald z in the full model at least OUTCOME_MIN_Z, or its own
# first look under OUTCOME_MIN_P. A loose bar, as missing a confounder costs more than keeping a
# harmless one.
OUTCOME_MIN_Z = 2.0
OUTCOME_MIN_P = 0.1
# A kept partner is also allowed for by steps (max_contrast.PARTNER_STEPS) when it moves with the
# tested trigger at least PARTNER_MIN_CORRELATION, or when it goes with the episodes and could bias the
# test: left to a slope, a partner that moves with the tested trigger by r and goes with the episodes
# at z shifts the tested statistic by about r x z, so it is stepped when that reaches STEP_MIN_BIAS
# (half a standard error). Stepping a partner costs the test the days the partner was not logged.
PARTNER_MIN_CORRELATION = 0.5
STEP_MIN_BIAS = 0.5


def rank_correlation(design: Design, name: str, other: str) -> tuple[float, int]:
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
class Adjustment:
    """What a trigger's test allows for among the other triggers (see ``adjustment_for``)."""

    dropped: list[str]  # other triggers' columns left out of the test's model
    stepped: list[str]  # other triggers' rank columns adjusted for by steps as well


def adjustment_for(
    design: Design, fit: ModelFit, trigger: str, own: list[str], first_look: Mapping[str, float | ContrastTest]
) -> Adjustment:
    """Which other triggers a trigger's test allows for, and how (double selection).

    Another trigger is kept in the test's model when it moves with this one or goes with the
    episodes itself (Belloni, Chernozhukov & Hansen 2014, "post-double-selection": a confounder is
    anything that predicts the exposure or the outcome); one that does neither only costs days of
    freedom, and is left out. A kept trigger that moves with this one strongly, or goes with the
    episodes strongly enough that its correlation with this one would shift the test by half a
    standard error, is also allowed for by steps (``max_contrast.contrast_test``): a short night under the
    person's own threshold is a step, not a slope.

    A first look (or a partner's test without this trigger) is a p-value or a test whose p is worked
    out only where its lower bound leaves a decision open (``ContrastTest.p_at_least``): every
    decision here is "p under a bar", which the bound settles whenever it is already over it.
    """
    own_missing = [~design.exposures[name][2] for name in own]
    alone: dict[str, ContrastTest | None] = {}
    dropped: list[str] = []
    stepped: list[str] = []
    for other, (other_trigger, _, _) in design.exposures.items():
        if other_trigger == trigger:
            continue
        correlation, days = max(rank_correlation(design, name, other) for name in own)
        moves_with = correlation >= max(ADJUST_MIN_CORRELATION, ADJUST_MIN_Z / math.sqrt(max(days, 1)))
        look = first_look.get(other_trigger, 1.0)
        wald_z = abs(fit.params[other]) / fit.se[other] if fit.se[other] > 0 else 0.0  # NaN se: no evidence
        # How strongly it goes with the episodes, on the z scale, times how much it moves with this one:
        # the shift a slope would leave in the test. The bar is 0.1, not the chance band: a strongly
        # linked trigger's slight real correlation (coffee after short nights) is what lets it through.
        # First with the look's lower bound (a larger shift, "predicts" more often), then, where either
        # could be true, with its p.
        for look_p in _bound_then_p(look):
            predicts = wald_z >= OUTCOME_MIN_Z or look_p < OUTCOME_MIN_P
            shift = correlation * max(float(stats.norm.isf(look_p)), wald_z)
            if not (look_p < OUTCOME_MIN_P or shift >= STEP_MIN_BIAS):
                break
        if correlation >= PARTNER_MIN_CORRELATION or (
            predicts and correlation >= ADJUST_MIN_CORRELATION and shift >= STEP_MIN_BIAS
        ):
            stepped.append(other)
        elif predicts and days < MIN_TRIGGER_DAYS:
            # Logged together on too few days to tell whether they move together: a partner that
            # goes with the episodes is allowed for in full, as missing a confounder costs more.
            stepped.append(other)
        elif moves_with and all(
            correlation * _z_of(p()) >= STEP_MIN_BIAS for p in _alone_p(design, fit, own, other_trigger, alone)
        ):
            # The first look holds this trigger in, which can hide a partner it stands in for (stress
            # high after exactly the short nights whose step raises twitching): judged without it.
            stepped.append(other)
        elif not predicts and not moves_with:
            dropped.append(other)
            missing = design.columns.get(f"{other}:missing")
            if missing is not None and not any(np.array_equal(missing > 0, mine) for mine in own_missing):
                dropped.append(f"{other}:missing")
    return Adjustment(dropped, stepped)


def _alone_p(
    design: Design, fit: ModelFit, own: list[str], partner: str, cache: dict[str, ContrastTest | None]
) -> tuple[Callable[[], float], Callable[[], float]]:
    """How strongly ``partner`` goes with the episodes in the model without the tested trigger
    (``own``): its one-sided max-contrast p's lower bound and the p itself, each computed when called
    (1 when it cannot be tested)."""
    if partner not in cache:
        contrasts = design.contrasts.get(partner, [])
        columns = sorted({contrast.rank_column for contrast in contrasts})
        try:
            cache[partner] = contrast_test(fit, own + columns, [c.column for c in contrasts], [], design, lazy=True)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            cache[partner] = None
    test = cache[partner]
    return (lambda: _p_at_least(test)), (lambda: _p_of(test))


def _bound_then_p(test: float | ContrastTest | None) -> Iterator[float]:
    """A test's lower bound, then (only if asked for the next) its p."""
    yield _p_at_least(test)
    yield _p_of(test)


def _z_of(p: float) -> float:
    """A one-sided p on the z scale, from 0 (no sign at all) up."""
    return max(0.0, float(stats.norm.isf(min(max(p, 1e-12), 1.0))))


def _p_at_least(test: float | ContrastTest | None) -> float:
    """A lower bound of a test's p, without Genz's integration (1 for a test that could not run)."""
    if test is None:
        return 1.0
    return test if isinstance(test, float) else test.p_at_least


def _p_of(test: float | ContrastTest | None) -> float:
    """A test's p (1 for a test that could not run, as when its fit or integration fails)."""
    if test is None or isinstance(test, float):
        return _p_at_least(test)
    try:
        return test.p_value
    except (ValueError, np.linalg.LinAlgError, FloatingPointError):
        return 1.0


def first_looks(fit: ModelFit, design: Design) -> dict[str, ContrastTest]:
    """Each trigger's own test against the plain model (every other trigger as a slope): whether it
    goes with the episodes at all, in any of its shapes, for ``adjustment_for`` to know (its p is
    worked out only where ``adjustment_for`` needs more than its lower bound)."""
    looks = {}
    for trigger, contrasts in design.contrasts.items():
        own = sorted({contrast.rank_column for contrast in contrasts})
        try:
            looks[trigger] = contrast_test(fit, own, [contrast.column for contrast in contrasts], [], design, lazy=True)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            continue
    return looks
