"""Validation on simulated users: planted effects are found, users without any are left alone.

Seeds are fixed, so each figure is a deterministic measurement of the method on the simulator. A
planted rate ratio is the true high- against low-exposure contrast at the analysis's own cut points
(insights/analysis/simulate.py). The false-positive bound is the design target (DESIGN.md, section
6); it was also measured on seeds never used here (150,000-150,299: 3.3%; 700,000-700,599: 4.5%;
900,000-900,599: 2.3%).

The issue's power target, a rate ratio of 2 found in 90% of users over 90 days, is out of reach
with realistic day-to-day variation and cannot be asserted: even one test alone at p < 0.05, with
no correction, finds it in only 55-76% of simulated users (41-70% of those at >= 1 episode a day
are still missed at the corrected level), because the gamma day factor (shape 3), not the count of
episodes, bounds the precision of a quarter's worth of days. Those cases assert the measured share
(floors a few points under it) so that a regression shows; a rate ratio of 3 over 90 days is
found in 80-99%, and the 90% target holds at RR 3 for the inhaler window and medication starts over
90 days and for caffeine and sleep over 180 days.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

from insights.analysis.associations import analyse_associations
from insights.analysis.simulate import random_spec, simulate_user

pytestmark = pytest.mark.slow


def found_share(
    effects: Mapping[str, float], users: int, days: int, seed: int, baseline: tuple[float, float] = (0.5, 3.0)
) -> float:
    """Share of simulated users in whom every planted effect is reported."""
    found = 0
    for offset in range(users):
        rng = np.random.default_rng(seed + offset)
        spec = random_spec(rng, effects=effects, days=days, baseline_rate=float(rng.uniform(*baseline)))
        user = simulate_user(rng, spec)
        reported = {result.trigger for result in analyse_associations(user.diary).reported}
        found += all(trigger in reported for trigger in user.expected_triggers)
    return found / users


def any_reported_share(users: int, seed: int) -> float:
    """Share of simulated users without planted effects who get any association reported."""
    flagged = 0
    for offset in range(users):
        user = simulate_user(np.random.default_rng(seed + offset))
        flagged += bool(analyse_associations(user.diary).reported)
    return flagged / users


def test_it_reports_an_association_in_at_most_5_percent_of_users_without_one() -> None:
    assert any_reported_share(users=300, seed=50_000) <= 0.05


@pytest.mark.parametrize("trigger", ["caffeine", "sleep"])
def test_it_finds_a_planted_rate_ratio_of_3_over_180_days_in_90_percent_of_users(trigger: str) -> None:
    assert found_share({trigger: 3.0}, users=80, days=180, seed=10_000, baseline=(1.5, 3.0)) >= 0.90


# Measured on seeds 20,000-20,079: caffeine 0.36, sleep 0.53, stress 0.48, exercise 0.36, inhaler 0.75,
# medication 0.60.
@pytest.mark.parametrize(
    ("trigger", "floor"),
    [
        ("caffeine", 0.33),
        ("sleep", 0.50),
        ("stress", 0.45),
        ("exercise", 0.33),
        ("inhaler", 0.70),
        ("medication", 0.55),
    ],
)
def test_it_finds_a_planted_rate_ratio_of_2_over_90_days_in_a_measured_share_of_users(
    trigger: str, floor: float
) -> None:
    assert found_share({trigger: 2.0}, users=80, days=90, seed=20_000) >= floor


# Measured on seeds 30,000-30,079: caffeine 0.80, sleep 0.93, stress 0.86, exercise 0.86, inhaler 0.99,
# medication 0.99. Only the two that reach the 90% are asserted here, to keep the suite short.
@pytest.mark.parametrize("trigger", ["inhaler", "medication"])
def test_it_finds_a_planted_rate_ratio_of_3_over_90_days_in_90_percent_of_users(trigger: str) -> None:
    assert found_share({trigger: 3.0}, users=80, days=90, seed=30_000) >= 0.90
