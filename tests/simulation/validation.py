"""Old engine, new engine and oracle on the same simulated users, cell by cell.

A cell is a scenario (a null kind or an effect shape, a diary length, a rate ratio) and a block of
consecutive seeds; each user's seed is the cell's first seed plus the user's number, so every
figure is a deterministic measurement that anyone can reproduce.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from insights.analysis.associations import analyse_associations
from insights.analysis.daily_series import build_daily_series
from tests.simulation import baseline_engine
from tests.simulation.generator import NULL_KINDS, SHAPES, Scenario, simulate
from tests.simulation.oracle import oracle_finds

NULL_DAYS = (60, 90, 180)
POWER_DAYS = (90, 180)
POWER_RATIOS = (2.0, 3.0)


@dataclass(frozen=True)
class Cell:
    scenario: Scenario
    users: int
    first_seed: int

    @property
    def name(self) -> str:
        s = self.scenario
        return s.kind if s.is_null else f"{s.kind} RR {s.rate_ratio:g}"


@dataclass(frozen=True)
class Outcome:
    """One user: whether each method reported a wrong trigger, and whether it found the planted one."""

    old_wrong: bool
    new_wrong: bool
    old_found: bool
    new_found: bool
    oracle_found: bool


def run_user(scenario: Scenario, seed: int) -> Outcome:
    user = simulate(seed, scenario)
    series = build_daily_series(user.diary)
    new_report = analyse_associations(user.diary, series)
    new = {result.trigger for result in new_report.reported}
    old = baseline_engine.reported_triggers(user.diary, series)
    tests = sum(result.p_value is not None for result in new_report.results)
    right = user.truth.right_triggers
    planted = user.truth.trigger
    return Outcome(
        old_wrong=bool(old - right),
        new_wrong=bool(new - right),
        old_found=planted in old,
        new_found=planted in new,
        oracle_found=oracle_finds(user.truth, tests) if planted else False,
    )


def run_cell_part(cell: Cell, start: int, stop: int) -> list[Outcome]:
    return [run_user(cell.scenario, cell.first_seed + offset) for offset in range(start, stop)]


@dataclass(frozen=True)
class Shares:
    users: int
    old_wrong: float
    new_wrong: float
    old_found: float
    new_found: float
    oracle_found: float

    @property
    def new_over_oracle(self) -> float:
        return self.new_found / self.oracle_found if self.oracle_found else float("nan")


def shares(outcomes: list[Outcome]) -> Shares:
    n = len(outcomes)

    def share(pick: Callable[[Outcome], bool]) -> float:
        return sum(pick(o) for o in outcomes) / n

    return Shares(
        n,
        share(lambda o: o.old_wrong),
        share(lambda o: o.new_wrong),
        share(lambda o: o.old_found),
        share(lambda o: o.new_found),
        share(lambda o: o.oracle_found),
    )


def null_cells(
    users: int, days: Iterable[int] = NULL_DAYS, kinds: Iterable[str] = NULL_KINDS, first_seed: int = 1_000_000
) -> Iterator[Cell]:
    wanted = set(kinds)
    for i, kind in enumerate(NULL_KINDS):
        if kind not in wanted:
            continue
        for j, length in enumerate(NULL_DAYS):
            if length not in days:
                continue
            yield Cell(Scenario(kind, length), users, first_seed + (i * 10 + j) * 10_000)


def power_cells(
    users: int,
    days: Iterable[int] = POWER_DAYS,
    ratios: Iterable[float] = POWER_RATIOS,
    shapes: Iterable[str] = tuple(SHAPES),
    first_seed: int = 2_000_000,
) -> Iterator[Cell]:
    wanted = set(shapes)
    for i, shape in enumerate(SHAPES):
        if shape not in wanted:
            continue
        for j, length in enumerate(POWER_DAYS):
            if length not in days:
                continue
            for k, ratio in enumerate(POWER_RATIOS):
                if ratio not in ratios:
                    continue
                yield Cell(Scenario(shape, length, ratio), users, first_seed + (i * 100 + j * 10 + k) * 10_000)
