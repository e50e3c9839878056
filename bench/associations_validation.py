"""Validation of the association engine: old engine, new engine and oracle side by side.

On diaries from tests/simulation/generator.py (per-user thresholds, shapes and lags the engine does
not know), with fixed seeds:

1. wrong triggers: the share of users with any wrong trigger reported, per null kind (plain, trend,
   weekday, confounded) and diary length (60, 90, 180 days); the promise is at most 5%;
2. power: the share of users in whom the planted trigger is reported, per effect shape, rate ratio
   (2, 3) and length (90, 180), for the old engine, the new one and the oracle (the test that knows
   the truth, corrected for as many tests as the engine ran), and the new engine's share of the
   oracle's.

    .venv/bin/python bench/associations_validation.py            (or: make bench-associations)
    .venv/bin/python bench/associations_validation.py --quick    (100 users a cell, 90 days)
    .venv/bin/python bench/associations_validation.py --only nulls --days 60 --kinds plain trend
    .venv/bin/python bench/associations_validation.py --logging mixed --rule any-entry ...
        (every user logs in one style; the rule for a day with entries and no check-in, to compare)

Full size (300 users a cell) runs on 2 processes; each cell's seeds are fixed, so parts run
separately give the same figures as one run.

What the cells hold each choice of the method (insights/analysis/associations/) to; the figures
that led to each choice are in the git history of that package, and this bench measures them anew:

- the null kinds ``confounded`` and ``step_confounded``: allowing for the other triggers by double
  selection, stepping a partner that moves with the trigger, the partner's own best-fitting step,
  and judging a partner without the tested trigger (stress after short nights is not reported);
- every null kind and length: the Holm level ``ALPHA`` under the promise of at most 5%;
- the power cells: the step shapes at the person's own threshold and the slope, against the old
  engine's fixed cuts ("old") and the oracle; leaving out partners that neither move with the
  trigger nor go with the episodes (each kept by chance costs power).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dataclasses import replace  # noqa: E402

from insights.analysis import daily_series  # noqa: E402  (the repository root goes on the path first)
from tests.simulation.generator import LOGGING_STYLES, NULL_KINDS, SHAPES  # noqa: E402
from tests.simulation.validation import (  # noqa: E402
    NULL_DAYS,
    POWER_DAYS,
    POWER_RATIOS,
    Cell,
    Outcome,
    Shares,
    null_cells,
    power_cells,
    run_cell_part,
    shares,
)

CHUNK = 25


def run_cells(cells: list[Cell], processes: int) -> dict[str, Shares]:
    """Every user of every cell, in chunks spread over the processes; shares per cell."""
    jobs = [(cell, start, min(start + CHUNK, cell.users)) for cell in cells for start in range(0, cell.users, CHUNK)]
    with Pool(processes) as pool:
        parts = pool.starmap(run_cell_part, jobs)
    outcomes: dict[str, list[Outcome]] = {}
    for (cell, _, _), part in zip(jobs, parts, strict=True):
        outcomes.setdefault(key(cell), []).extend(part)
    return {name: shares(found) for name, found in outcomes.items()}


def key(cell: Cell) -> str:
    return f"{cell.name}|{cell.scenario.days}"


def print_nulls(cells: list[Cell], results: dict[str, Shares]) -> None:
    print("Wrong trigger reported (share of users; promise <= 5%)")
    print(f"  {'null kind':<24}{'days':>6}{'users':>7}{'old':>8}{'new':>8}")
    for cell in cells:
        s = results[key(cell)]
        print(f"  {cell.scenario.kind:<24}{cell.scenario.days:>6}{s.users:>7}{s.old_wrong:>8.1%}{s.new_wrong:>8.1%}")
    worst = max(results[key(cell)].new_wrong for cell in cells)
    print(f"  worst cell, new engine: {worst:.1%}")


def print_power(cells: list[Cell], results: dict[str, Shares]) -> None:
    print("Planted trigger found (share of users)")
    print(f"  {'shape':<20}{'RR':>4}{'days':>6}{'users':>7}{'old':>8}{'new':>8}{'oracle':>8}{'new/oracle':>12}")
    for cell in cells:
        s = results[key(cell)]
        print(
            f"  {cell.scenario.kind:<20}{cell.scenario.rate_ratio:>4g}{cell.scenario.days:>6}{s.users:>7}"
            f"{s.old_found:>8.1%}{s.new_found:>8.1%}{s.oracle_found:>8.1%}{s.new_over_oracle:>12.2f}"
        )
    below_old = [key(cell) for cell in cells if results[key(cell)].new_found <= results[key(cell)].old_found]
    print(f"  cells where the new engine does not beat the old one: {', '.join(below_old) or 'none'}")


def styled(cells: Iterable[Cell], logging: str | None) -> list[Cell]:
    return [replace(cell, scenario=replace(cell.scenario, logging=logging)) for cell in cells]


def cells_wanted(kinds: set[str], names: Iterable[str]) -> bool:
    return any(name in kinds for name in names)


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100 users a cell, 90 days only")
    parser.add_argument("--users", type=int, help="users per cell (default 300, or 100 with --quick)")
    parser.add_argument("--only", choices=["nulls", "power"], help="run one of the two tables")
    parser.add_argument("--days", type=int, action="append", help="diary lengths to run (repeatable)")
    parser.add_argument("--kinds", nargs="*", help="null kinds and effect shapes to run (default: all)")
    parser.add_argument("--ratios", type=float, nargs="*", help="rate ratios of the power cells (default: 2 and 3)")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--logging", choices=LOGGING_STYLES, help="every user logs in this style")
    parser.add_argument(
        "--rule",
        choices=["habit", "any-entry"],
        default="habit",
        help="a day with entries and no check-in: judged by the check-in habit around it (the product's "
        "rule), or known whenever it has an entry (the rule before check-ins)",
    )
    parser.add_argument(
        "--habit-share", type=float, help="with --rule habit: the share of check-ins that makes a check-in habit"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.habit_share is not None:
        daily_series.CHECKIN_HABIT_SHARE = args.habit_share
    if args.rule == "any-entry":
        # The worker processes are forked from this one, so they see the same rule.
        daily_series.CHECKIN_HABIT_SHARE = float("inf")
    users = args.users or (100 if args.quick else 300)
    null_days = args.days or ((90,) if args.quick else NULL_DAYS)
    power_days = [d for d in (args.days or ((90,) if args.quick else POWER_DAYS)) if d in POWER_DAYS] or [90]
    started = time.perf_counter()
    kinds = set(args.kinds or (*NULL_KINDS, *SHAPES))
    if args.only != "power" and cells_wanted(kinds, NULL_KINDS):
        cells = styled(null_cells(users, null_days, [k for k in NULL_KINDS if k in kinds]), args.logging)
        print_nulls(cells, run_cells(cells, args.processes))
    if args.only != "nulls" and cells_wanted(kinds, SHAPES):
        cells = styled(
            power_cells(
                users, power_days, ratios=args.ratios or POWER_RATIOS, shapes=[k for k in SHAPES if k in kinds]
            ),
            args.logging,
        )
        print_power(cells, run_cells(cells, args.processes))
    print(f"({time.perf_counter() - started:.0f} s on {args.processes} processes)")


if __name__ == "__main__":
    main()
