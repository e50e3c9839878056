"""Validation on simulated users whose truth the engine does not know (tests/simulation/).

The full tables (300 users a cell, every null kind and length, every shape, old engine, new engine
and oracle side by side) are printed by ``make bench-associations``; this is the smaller version
the suite keeps, on fixed seeds, so that a change that breaks the promise shows here.

Tolerance: the promise is a wrong trigger for at most 5% of users. A block of n users is a sample,
so even a method whose true rate is exactly 5% reads above 5% in about half of the blocks; the test
allows the 95th percentile of Binomial(n, 5%) (for 150 users, 12 users or 8.0%), so a method that
keeps the promise fails here only 1 time in 20 seed blocks, while one at twice the promised rate
(10%) passes only about 1 time in 4 blocks, and every cell of the full bench must still be <= 5%.
"""

from __future__ import annotations

import pytest
from scipy import stats

from tests.simulation.generator import NULL_KINDS, Scenario
from tests.simulation.validation import Cell, run_cell_part, shares

pytestmark = pytest.mark.slow

NULL_USERS = 150
PROMISED = 0.05


def allowed_share(users: int) -> float:
    return float(stats.binom.ppf(0.95, users, PROMISED)) / users


# The suite keeps the four kinds the engine was first built against at 150 users; the newer kinds
# (issue 21) run at 100 users each in the test below, to keep the suite's simulations short.
SUITE_KINDS = NULL_KINDS[:4]


@pytest.mark.parametrize("kind", SUITE_KINDS)
def test_a_wrong_trigger_is_reported_for_at_most_5_percent_of_users_over_90_days(kind: str) -> None:
    cell = Cell(Scenario(kind, 90), NULL_USERS, first_seed=3_000_000 + 10_000 * NULL_KINDS.index(kind))
    measured = shares(run_cell_part(cell, 0, cell.users))
    assert measured.new_wrong <= allowed_share(NULL_USERS)


def test_stress_and_coffee_after_short_nights_are_not_reported_over_180_days() -> None:
    # The hardest null: only short nights raise twitching, and stress and coffee follow short nights.
    # One trigger at a time reported a wrong trigger here for 13% of users.
    cell = Cell(Scenario("confounded", 180), NULL_USERS, first_seed=3_100_000)
    measured = shares(run_cell_part(cell, 0, cell.users))
    assert measured.new_wrong <= allowed_share(NULL_USERS)


def test_the_new_engine_finds_a_planted_caffeine_step_in_more_users_than_the_old_one() -> None:
    cell = Cell(Scenario("caffeine_step", 90, 3.0), 100, first_seed=3_500_000)
    measured = shares(run_cell_part(cell, 0, cell.users))
    assert measured.new_found > measured.old_found
    # And never more than the test that knows the truth could.
    assert measured.new_found <= measured.oracle_found + 0.05


@pytest.mark.parametrize("kind", ["step_confounded", "wrong_zone_no_offsets"])
def test_a_step_confounder_or_a_wrong_profile_zone_without_offsets_keeps_the_promise_over_90_days(kind: str) -> None:
    # Stress high after exactly the nights whose step raises twitching; a profile zone up to 9 hours
    # away from where the diary was kept, records without the phone's offset.
    users = 100
    cell = Cell(Scenario(kind, 90), users, first_seed=3_200_000 + 10_000 * NULL_KINDS.index(kind))
    measured = shares(run_cell_part(cell, 0, cell.users))
    assert measured.new_wrong <= allowed_share(users)
