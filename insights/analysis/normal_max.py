"""The chance that every one of several correlated standard normals stays below a bound.

This is ``scipy.stats.multivariate_normal.cdf(np.full(k, bound), cov=correlation,
allow_singular=True, abseps=..., rng=np.random.default_rng(seed))`` (Genz's quasi-Monte-Carlo method,
scipy.stats._qmvnt), computed the same way step by step and giving the same number to the last bit,
without the work that does not depend on the diary: the integration lattice (a fast
component-by-component construction, the same for every call of a given size) is built once per
size and kept, and the wrapper's argument handling is skipped. The max-contrast test
(``associations.max_contrast.max_contrast_p``) calls this a dozen times per recompute, and building the lattice
was a fifth of its time. scipy is pinned (requirements.txt); tests/insights/analysis/
test_analysis_contrasts.py checks every dimension the engine uses against scipy's public call.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy.stats._multivariate import _PSD
from scipy.stats._qmvnt import _cbc_lattice, _permuted_cholesky, _qauto, _qmvn_inner

FloatArray = npt.NDArray[np.float64]

# scipy's defaults for multivariate_normal.cdf: at most this many points per dimension, and the
# quasi-random shifts (batches) whose spread estimates the error.
MAX_POINTS_PER_DIMENSION = 1_000_000
BATCHES = 10


@lru_cache(maxsize=512)
def _lattice(dimensions: int, points: int) -> tuple[FloatArray, int]:
    """scipy's lattice generator for this many dimensions and points (each call gets a copy)."""
    generator, prime = _cbc_lattice(dimensions, points)
    return generator, int(prime)


def _qmvn(
    points: int, covariance: FloatArray, low: FloatArray, high: FloatArray, rng: np.random.Generator, n_batches: int
) -> tuple[float, float, int]:
    """scipy.stats._qmvnt._qmvn with the lattice from ``_lattice``."""
    cholesky, lower, upper = _permuted_cholesky(covariance, low, high)
    if not cholesky.flags.c_contiguous:
        cholesky = cholesky.copy()
    n = cholesky.shape[0]
    generator, prime = _lattice(n - 1, max(points // n_batches, 1))
    shifts = rng.random(size=(n_batches, n))
    return _qmvn_inner(generator.copy(), shifts, prime, int(n_batches), cholesky, lower, upper)  # type: ignore[no-any-return]


def all_below(bound: float, correlation: FloatArray, abseps: float, seed: int) -> float:
    """P(X_i < bound for every i), X standard normal with this correlation (scipy's number)."""
    # scipy's own check first: a matrix that is not positive semi-definite is a ValueError there too.
    _PSD(correlation, allow_singular=True)
    covariance = np.asarray(correlation, dtype=np.float64)
    k = covariance.shape[0]
    probability, _, _ = _qauto(
        _qmvn,
        covariance,
        np.full(k, -np.inf),
        np.full(k, float(bound)),
        np.random.default_rng(seed),
        error=abseps,
        limit=MAX_POINTS_PER_DIMENSION * k,
        n_batches=BATCHES,
    )
    return float(np.squeeze(probability))
