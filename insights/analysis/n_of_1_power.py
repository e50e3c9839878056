"""What a planned self-experiment can show, said before the person commits: pure, no Django.

From the person's own diary (their episode rate, how much their days vary beyond chance, and how
alike one day is to the next) the planned experiment is simulated many times with a given true
effect, and the planned test (``n_of_1.permutation_test``'s statistic against the design's
schedules) is run on each. The share that finds the effect is the chance promised. The model of
a person's days: counts are Poisson around a day's rate, and the rate wanders as a log-normal
AR(1) process whose spread and day-to-day correlation match the diary's (over-dispersion and
lag-1 autocorrelation). With little diary, each figure is pulled towards a prior by its weight.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from insights.analysis.experiment_designs import ASSUMED_ADHERENCE, ExperimentDesign
from insights.analysis.n_of_1 import (
    ALPHA,
    CONTINUITY,
    MIN_DAYS_PER_ARM,
    allowed_schedules,
    log_ratio_statistics,
    one_sided_p,
)

FloatMatrix = npt.NDArray[np.float64]
BoolMatrix = npt.NDArray[np.bool_]

# The prior a short diary is pulled towards, weighted as this many logged days. Its values are
# an assumption, said as such in the answer: about one episode a day, variance about 1.5 times
# the Poisson's at that rate, and some likeness between neighbouring days.
PRIOR_WEIGHT_DAYS = 21
PRIOR_RATE = 1.0
# The rate is known far sooner than the spread: a gamma prior worth this many days.
PRIOR_RATE_WEIGHT_DAYS = 3
PRIOR_EXTRA_VARIANCE = 0.5  # 1/k of a gamma-Poisson: variance = mean + mean^2 / k
PRIOR_LAG1 = 0.3
# The share of days people log anything at all (Ono et al., JMIR 2019: ~85%).
PRIOR_LOGGED_SHARE = 0.85
# The diary read for the promise: the most recent days, up to this many.
HISTORY_DAYS = 90
SIMULATIONS = 400
PROMISE_REFERENCE_DRAWS = 400
MAX_LAG1 = 0.9
MAX_EXTRA_VARIANCE = 5.0


@dataclass(frozen=True)
class DayVariation:
    """A person's days as the promise models them."""

    rate: float  # episodes per logged day, on usual ("with") days
    extra_variance: float  # 1/k: the over-dispersion beyond Poisson
    lag1: float  # correlation of the latent rate between neighbouring days
    logged_share: float
    logged_days: int  # how many days of diary these come from
    prior_weight: float  # 0..1: how much of each figure is the prior's

    @property
    def from_prior(self) -> bool:
        return self.prior_weight > 0.5


def _shrink(value: float, prior: float, weight: float) -> float:
    return weight * prior + (1 - weight) * value


def day_variation(counts: Sequence[float], logged: Sequence[bool]) -> DayVariation:
    """The person's rate, over-dispersion and day-to-day likeness, from their last HISTORY_DAYS days.

    ``counts``/``logged`` run day by day up to yesterday; days before the diary began are left out.
    """
    y = np.asarray(counts, dtype=np.float64)[-HISTORY_DAYS:]
    seen = np.asarray(logged, dtype=bool)[-HISTORY_DAYS:] & np.isfinite(y)
    if seen.any():
        first = int(np.flatnonzero(seen)[0])
        y, seen = y[first:], seen[first:]
    n = int(seen.sum())
    weight = PRIOR_WEIGHT_DAYS / (PRIOR_WEIGHT_DAYS + n)
    if n < 2:
        return DayVariation(
            PRIOR_RATE, PRIOR_EXTRA_VARIANCE, PRIOR_LAG1, PRIOR_LOGGED_SHARE, n, 1.0 if n == 0 else weight
        )
    values = y[seen]
    mean = float(values.mean())
    var = float(values.var(ddof=1))
    extra = (var - mean) / mean**2 if mean > 0 else 0.0
    extra = min(max(extra, 0.0), MAX_EXTRA_VARIANCE)
    pairs = seen[1:] & seen[:-1]
    lag1 = PRIOR_LAG1
    if pairs.sum() >= 3 and var > 0 and extra > 0:
        a, b = y[1:][pairs], y[:-1][pairs]
        r1 = float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else 0.0
        # The counts' correlation, carried back to the latent log-rate (see _simulate_counts).
        sigma2 = math.log1p(extra)
        inner = 1 + max(r1, 0.0) * var / mean**2
        lag1 = min(max(math.log(inner) / sigma2, 0.0), MAX_LAG1)
    return DayVariation(
        rate=(float(values.sum()) + PRIOR_RATE * PRIOR_RATE_WEIGHT_DAYS) / (n + PRIOR_RATE_WEIGHT_DAYS),
        extra_variance=_shrink(extra, PRIOR_EXTRA_VARIANCE, weight),
        lag1=_shrink(lag1, PRIOR_LAG1, weight),
        logged_share=_shrink(n / len(y), PRIOR_LOGGED_SHARE, weight),
        logged_days=n,
        prior_weight=weight,
    )


def _simulate_counts(
    variation: DayVariation, effect: FloatMatrix, rng: np.random.Generator
) -> tuple[FloatMatrix, BoolMatrix]:
    """Counts and logged days for simulated experiments; ``effect`` is each day's rate multiplier."""
    sims, n = effect.shape
    sigma2 = math.log1p(variation.extra_variance)
    sigma = math.sqrt(sigma2)
    phi = variation.lag1
    z = np.empty((sims, n))
    z[:, 0] = rng.normal(0, sigma, sims)
    innovation = sigma * math.sqrt(1 - phi**2)
    for t in range(1, n):
        z[:, t] = phi * z[:, t - 1] + rng.normal(0, innovation, sims)
    rate = variation.rate * np.exp(z - sigma2 / 2) * effect
    counts = rng.poisson(rate).astype(np.float64)
    logged = rng.random((sims, n)) < variation.logged_share
    return counts, logged


def simulated_power(
    variation: DayVariation,
    *,
    n_days: int,
    block_days: int,
    rate_ratio: float,
    carry_over: float,
    adherence: float,
    seed: int,
    simulations: int = SIMULATIONS,
) -> float:
    """The share of simulated experiments whose planned test finds ``rate_ratio`` (one-sided, ALPHA).

    The rate is the person's usual-day rate, so a "without" day kept runs at rate / rate_ratio;
    a day not kept (1 - adherence of them) runs as the other kind, and a "with" day passes
    ``carry_over`` of its effect (on the log scale) to the day after.
    """
    rng = np.random.default_rng(seed)
    designs, exact = allowed_schedules(n_days, block_days, rng)
    assigned = designs[rng.integers(0, len(designs), size=simulations)]
    reference = designs
    if len(designs) > PROMISE_REFERENCE_DRAWS:
        # A random sample of the design's schedules is reference enough for a promise.
        reference = designs[rng.choice(len(designs), size=PROMISE_REFERENCE_DRAWS, replace=False)]
        exact = False
    kept = rng.random((simulations, n_days)) < adherence
    exposed = np.where(kept, assigned, ~assigned).astype(np.float64)
    before = np.concatenate([np.zeros((simulations, 1)), exposed[:, :-1]], axis=1)
    dose = np.maximum(exposed, carry_over * before)
    effect = rate_ratio ** (dose - 1.0)
    counts, logged = _simulate_counts(variation, effect, rng)
    p = planned_test_p(counts, logged, assigned, reference, exact)
    return float((p < ALPHA).mean())


def own_statistics(counts: FloatMatrix, logged: BoolMatrix, assigned: BoolMatrix) -> FloatMatrix:
    """Each experiment's statistic under its own schedule (one row per experiment)."""
    y = np.where(logged, counts, 0.0)
    n_with, n_without = (logged & assigned).sum(1), (logged & ~assigned).sum(1)
    sum_with = (y * assigned).sum(1)
    sum_without = y.sum(1) - sum_with
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.log((sum_with + CONTINUITY) / n_with) - np.log((sum_without + CONTINUITY) / n_without)
    return np.where((n_with >= MIN_DAYS_PER_ARM) & (n_without >= MIN_DAYS_PER_ARM), stat, np.nan)


def planned_test_p(
    counts: FloatMatrix, logged: BoolMatrix, assigned: BoolMatrix, reference: BoolMatrix, exact: bool
) -> FloatMatrix:
    """The planned test's one-sided p-value for many experiments at once (1 where it cannot run)."""
    observed = own_statistics(counts, logged, assigned)
    p = np.ones(len(counts))
    for start in range(0, len(counts), 200):
        part = slice(start, start + 200)
        stats = log_ratio_statistics(counts[part], logged[part], reference)
        p[part] = one_sided_p(observed[part], stats, exact)
    return np.where(np.isfinite(observed), p, 1.0)


def design_power(
    variation: DayVariation, design: ExperimentDesign, *, weeks: int, rate_ratio: float, seed: int
) -> float:
    """The chance promised for ``design`` run over ``weeks``: the product's one way of asking."""
    return simulated_power(
        variation,
        n_days=weeks * 7,
        block_days=design.block_days,
        rate_ratio=rate_ratio,
        carry_over=design.carry_over,
        adherence=ASSUMED_ADHERENCE,
        seed=seed,
    )


# The effects the promise is stated for: a doubling and a 1.5x change.
PROMISED_EFFECTS = (2.0, 1.5)


def promised_chances(
    variation: DayVariation, design: ExperimentDesign, *, weeks: int, seed_key: str
) -> dict[float, float]:
    """The chance of showing each promised effect. The same question gets the same answer: each
    simulation's seed is the question's (``seed_key``, e.g. user, trigger and weeks, and the effect)."""
    return {
        effect: design_power(
            variation, design, weeks=weeks, rate_ratio=effect, seed=zlib.crc32(f"{seed_key}:{effect}".encode())
        )
        for effect in PROMISED_EFFECTS
    }
