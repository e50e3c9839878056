"""A self-experiment's schedule and its one pre-planned test: pure functions, no Django.

The design: the experiment's days are cut into blocks (``block_days`` long), consecutive blocks
are paired, and within each pair one block is a "with" block and the other a "without" block,
in an order drawn at random. An odd block left at the end is assigned by a coin. So every
schedule is balanced within each pair of blocks, a slow drift in twitching (a good or a bad
month) falls on both kinds of day alike, and the randomisation is all the test relies on.

The test: intention to treat, every logged day counted as it was assigned. The statistic is the
log of the rate ratio (episodes per logged "with" day over episodes per logged "without" day).
Its reference distribution is the same statistic under every schedule the design allowed (all of
them when there are few, else many drawn at random), so the one-sided p-value is valid whatever
the days' variation, autocorrelation or over-dispersion. The interval inverts the same test under
a constant multiplicative effect, so it agrees with the p-value: the lower end of the 90%
interval is above 1 exactly when the one-sided test at 5% rejects.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from insights.analysis.daily_series import DayIndexer, build_daily_series, utc_offsets
from insights.analysis.experiment_designs import (
    CAFFEINE_FREE_MAX_MG,
    EARLY_NIGHT_MIN_HOURS,
    LONG_SESSION_MIN,
    USUAL_CAFFEINE_MIN_MG,
)
from insights.analysis.records import Diary

BoolMatrix = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

ALPHA = 0.05  # one-sided, in the documented direction
INTERVAL_LEVEL = 0.90  # two-sided; its lower end is the one-sided 95% bound the test uses
# Every allowed schedule is used when there are at most this many; else this many random ones.
MAX_EXACT_SCHEDULES = 4096
REFERENCE_DRAWS = 4000
# Fewer logged days than this on either side and there is nothing fair to compare.
MIN_DAYS_PER_ARM = 5
# Added to each side's episode total before the log, so a side with no episodes has a finite
# statistic; it only breaks ties among schedules, never changes which are more extreme by much.
CONTINUITY = 0.5


# --- Schedules --------------------------------------------------------------------------------


def _layout(n_days: int, block_days: int) -> tuple[int, int]:
    """(number of block pairs, 1 if an odd block is left at the end else 0)."""
    n_blocks = math.ceil(n_days / block_days)
    return n_blocks // 2, n_blocks % 2


def schedules_from_bits(bits: npt.NDArray[np.int8], n_days: int, block_days: int) -> BoolMatrix:
    """Schedules (one row each, True = "with") from one bit per pair (which block is "with")
    and, for an odd last block, one more bit (whether it is "with")."""
    pairs, odd = _layout(n_days, block_days)
    bits = np.atleast_2d(bits)
    first_is_with = bits[:, :pairs].astype(bool)
    blocks = np.empty((bits.shape[0], 2 * pairs + odd), dtype=bool)
    blocks[:, 0 : 2 * pairs : 2] = first_is_with
    blocks[:, 1 : 2 * pairs : 2] = ~first_is_with
    if odd:
        blocks[:, -1] = bits[:, pairs].astype(bool)
    return np.repeat(blocks, block_days, axis=1)[:, :n_days]


def draw_schedule(n_days: int, block_days: int, seed: int) -> list[bool]:
    """The schedule for ``seed``: the same seed always gives the same days."""
    pairs, odd = _layout(n_days, block_days)
    bits = np.random.default_rng(seed).integers(0, 2, size=pairs + odd, dtype=np.int8)
    return [bool(x) for x in schedules_from_bits(bits, n_days, block_days)[0]]


def allowed_schedules(n_days: int, block_days: int, rng: np.random.Generator | None = None) -> tuple[BoolMatrix, bool]:
    """Every schedule the design allows when there are few (exact), else REFERENCE_DRAWS random ones."""
    pairs, odd = _layout(n_days, block_days)
    n_bits = pairs + odd
    if 2**n_bits <= MAX_EXACT_SCHEDULES:
        codes = np.arange(2**n_bits)
        bits = ((codes[:, None] >> np.arange(n_bits)) & 1).astype(np.int8)
        return schedules_from_bits(bits, n_days, block_days), True
    rng = rng or np.random.default_rng(0)
    bits = rng.integers(0, 2, size=(REFERENCE_DRAWS, n_bits), dtype=np.int8)
    return schedules_from_bits(bits, n_days, block_days), False


# --- The test ---------------------------------------------------------------------------------


def log_ratio_statistics(counts: FloatArray, logged: BoolMatrix, schedules: BoolMatrix) -> FloatArray:
    """The log rate ratio for each schedule (rows) and each outcome series (rows of counts/logged).

    Returns an (n_series, n_schedules) array; a side with no logged day gives NaN.
    """
    counts = np.atleast_2d(np.where(logged, counts, 0.0))
    logged_f = np.atleast_2d(logged).astype(np.float64)
    with_f = schedules.astype(np.float64).T
    sum_with = counts @ with_f
    n_with = logged_f @ with_f
    sum_without = counts.sum(axis=1, keepdims=True) - sum_with
    n_without = logged_f.sum(axis=1, keepdims=True) - n_with
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.log((sum_with + CONTINUITY) / n_with) - np.log((sum_without + CONTINUITY) / n_without)
    stat[(n_with == 0) | (n_without == 0)] = np.nan
    return stat


def one_sided_p(observed: FloatArray, reference: FloatArray, exact: bool) -> FloatArray:
    """P(statistic >= observed) over the reference schedules; the observed schedule is one of them
    when exact, else it is added to the random ones (so p is never 0)."""
    at_least = (reference >= observed[:, None] - 1e-12).sum(axis=1)
    total = np.isfinite(reference).sum(axis=1)
    if exact:
        return at_least / np.maximum(total, 1)
    return (at_least + 1) / (total + 1)


@dataclass(frozen=True)
class TestResult:
    n_with: int  # logged days assigned "with"
    n_without: int
    episodes_with: int
    episodes_without: int
    rate_with: float | None
    rate_without: float | None
    rate_ratio: float | None
    ci_low: float | None  # None: the interval is open on that side
    ci_high: float | None
    p_value: float | None
    significant: bool
    schedules: int  # how many schedules the reference distribution used
    exact: bool
    enough: bool  # both sides have MIN_DAYS_PER_ARM logged days


def _rate(total: float, n: int) -> float | None:
    return total / n if n else None


# Candidate rate ratios for the interval, on a log grid fine enough for two decimals in the text.
_GRID = np.exp(np.linspace(math.log(1 / 50), math.log(50), 481))


def permutation_test(
    counts: Sequence[float], logged: Sequence[bool], assigned: Sequence[bool], block_days: int, seed: int = 0
) -> TestResult:
    """The pre-planned comparison: intention to treat over the logged days as assigned."""
    y = np.asarray(counts, dtype=np.float64)
    seen = np.asarray(logged, dtype=bool) & np.isfinite(y)
    y = np.where(seen, y, 0.0)
    w0 = np.asarray(assigned, dtype=bool)
    n_with, n_without = int((seen & w0).sum()), int((seen & ~w0).sum())
    e_with, e_without = float(y[seen & w0].sum()), float(y[seen & ~w0].sum())
    rate_with, rate_without = _rate(e_with, n_with), _rate(e_without, n_without)
    ratio = rate_with / rate_without if rate_with is not None and rate_without else None
    enough = n_with >= MIN_DAYS_PER_ARM and n_without >= MIN_DAYS_PER_ARM
    base = TestResult(
        n_with, n_without, int(e_with), int(e_without), rate_with, rate_without, ratio,
        None, None, None, False, 0, False, enough,
    )  # fmt: skip
    if not enough:
        return base
    schedules, exact = allowed_schedules(len(y), block_days, np.random.default_rng(seed))
    observed = log_ratio_statistics(y, seen, w0[None, :])[:, 0]
    reference = log_ratio_statistics(y, seen, schedules)
    p = float(one_sided_p(observed, reference, exact)[0])
    low, high = _interval(y, seen, w0, schedules, exact)
    return TestResult(
        n_with, n_without, int(e_with), int(e_without), rate_with, rate_without, ratio,
        low, high, p, p < ALPHA, len(schedules), exact, enough,
    )  # fmt: skip


def _interval(
    y: FloatArray, seen: BoolMatrix, w0: BoolMatrix, schedules: BoolMatrix, exact: bool
) -> tuple[float | None, float | None]:
    """Invert the test: the ratios r for which "with" days' counts divided by r look like the rest.

    Under a constant effect r, dividing the "with" days' counts by r gives every day's count
    without the trigger; the schedule actually drawn is then one of the allowed ones at random,
    so r is kept when its statistic is not in either (1 - level) / 2 tail.
    """
    tail = (1 - INTERVAL_LEVEL) / 2
    adjusted = np.where(w0[None, :], y[None, :] / _GRID[:, None], y[None, :])
    seen_rows = np.broadcast_to(seen, adjusted.shape)
    observed = log_ratio_statistics(adjusted, seen_rows, w0[None, :])[:, 0]
    reference = log_ratio_statistics(adjusted, seen_rows, schedules)
    too_low = np.flatnonzero(one_sided_p(observed, reference, exact) <= tail)
    too_high = np.flatnonzero(one_sided_p(-observed, -reference, exact) <= tail)
    # The interval runs from just above the largest r rejected as too low to just below the
    # smallest r rejected as too high. With nearly noiseless days every schedule's statistic
    # crosses the observed one within one grid step; the two rejected points then bracket it.
    last_low = int(too_low.max()) if too_low.size else None
    first_high = int(too_high.min()) if too_high.size else None
    low = None if last_low is None else float(_GRID[min(last_low + 1, len(_GRID) - 1)])
    high = None if first_high is None else float(_GRID[max(first_high - 1, 0)])
    if low is not None and high is not None and low > high:
        low, high = float(_GRID[last_low]), float(_GRID[first_high])  # type: ignore[index]
    return low, high


# --- The diary's days and adherence -----------------------------------------------------------


@dataclass(frozen=True)
class DayLog:
    """What the diary holds for one local day of an experiment."""

    day: date
    logged: bool  # a known day (insights.analysis.daily_series: a check-in, or entries that can speak for it)
    episodes: int
    caffeine_mg: float
    hard_session: bool  # a vigorous session, or one of LONG_SESSION_MIN minutes or more
    sleep_hours: float | None  # the night before the day; None when not logged
    # The check-in's "kept today's plan" (None: no check-in, or not said).
    kept_plan: bool | None = None


def day_logs(diary: Diary, first: date, last: date) -> list[DayLog]:
    """One DayLog per local day from ``first`` to ``last`` (both included), on the same known days
    and each record's own local date as the associations (``build_daily_series``): a scheduled day
    with a check-in and no episode is a day of zero episodes, not a day missing."""
    series = build_daily_series(diary, first, last)
    n = len(series)
    indexer = DayIndexer(ZoneInfo(diary.timezone), first, last)
    index, inside = indexer.positions_of_stamps(
        np.fromiter((x.started_at.timestamp() for x in diary.exercise), dtype=np.float64),
        utc_offsets(diary.exercise),
    )
    hard = np.zeros(n, dtype=bool)
    is_hard = np.fromiter(
        (x.intensity == "vigorous" or x.duration_min >= LONG_SESSION_MIN for x in diary.exercise), dtype=bool
    )
    hard[index[inside & is_hard]] = True
    kept_plan: dict[date, bool | None] = {c.day: c.kept_plan for c in diary.checkins}
    caffeine = np.nan_to_num(series.caffeine_mg)
    return [
        DayLog(
            day,
            bool(series.logged[i]),
            int(np.nan_to_num(series.episodes[i])),
            float(caffeine[i]),
            bool(hard[i]),
            None if np.isnan(series.sleep_hours[i]) else float(series.sleep_hours[i]),
            kept_plan.get(day),
        )
        for i, day in enumerate(series.days)
    ]


def day_kept(trigger: str, assigned_with: bool, log: DayLog) -> bool | None:
    """Whether the day kept its assignment, as far as the diary shows; None when nothing was logged.

    People log what they have, not what they went without, so a logged day with no caffeine is a
    caffeine-free day. A usual day asks for nothing new, except that a usual-caffeine day with no
    caffeine at all was in effect caffeine-free. The check-in's "kept today's plan" decides what the
    diary cannot tell (an early night without a sleep log), and a "no" is believed over a diary
    that shows no breach (a coffee not logged).
    """
    if not log.logged:
        return None
    verdict = _diary_verdict(trigger, assigned_with, log)
    if log.kept_plan is False or verdict is None:
        return log.kept_plan if log.kept_plan is not None else verdict
    return verdict


def _diary_verdict(trigger: str, assigned_with: bool, log: DayLog) -> bool | None:
    if trigger == "caffeine":
        if assigned_with:
            return log.caffeine_mg >= USUAL_CAFFEINE_MIN_MG
        return log.caffeine_mg < CAFFEINE_FREE_MAX_MG
    if trigger == "exercise":
        return True if assigned_with else not log.hard_session
    if trigger == "sleep":
        if assigned_with:
            return True
        return None if log.sleep_hours is None else log.sleep_hours >= EARLY_NIGHT_MIN_HOURS
    raise ValueError(f"no adherence rule for trigger {trigger!r}")


@dataclass(frozen=True)
class Adherence:
    days_so_far: int  # assigned days that have passed (today excluded)
    logged: int
    kept: int  # logged days that kept their assignment
    not_kept: int
    unknown: int  # not logged, or the diary cannot tell (an early night with no sleep logged)
    without_days: int  # "without" days so far
    without_kept: int

    @property
    def share_kept(self) -> float | None:
        judged = self.kept + self.not_kept
        return self.kept / judged if judged else None


def adherence(trigger: str, assigned: Sequence[bool], logs: Sequence[DayLog]) -> Adherence:
    verdicts = [day_kept(trigger, a, log) for a, log in zip(assigned, logs, strict=True)]
    return Adherence(
        days_so_far=len(logs),
        logged=sum(log.logged for log in logs),
        kept=sum(v is True for v in verdicts),
        not_kept=sum(v is False for v in verdicts),
        unknown=sum(v is None for v in verdicts),
        without_days=sum(not a for a in assigned),
        without_kept=sum(v is True and not a for a, v in zip(assigned, verdicts, strict=True)),
    )


def per_protocol_ratio(trigger: str, assigned: Sequence[bool], logs: Sequence[DayLog]) -> tuple[float | None, int, int]:
    """The rate ratio over the days that kept their assignment only, with the two day counts.

    Shown beside the main result, never instead of it: which days were kept is the person's
    choice, not the draw's, so this comparison is no longer protected by the randomisation.
    """
    kept_with = [log for a, log in zip(assigned, logs, strict=True) if a and day_kept(trigger, a, log)]
    kept_without = [log for a, log in zip(assigned, logs, strict=True) if not a and day_kept(trigger, a, log)]
    if not kept_with or not kept_without:
        return None, len(kept_with), len(kept_without)
    rate_with = sum(log.episodes for log in kept_with) / len(kept_with)
    rate_without = sum(log.episodes for log in kept_without) / len(kept_without)
    ratio = rate_with / rate_without if rate_without else None
    return ratio, len(kept_with), len(kept_without)
