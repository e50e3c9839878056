"""Simulated people running self-experiments, for the validation (not part of the product).

Each person has their own episode rate, over-dispersed days (gamma-Poisson), a slowly wandering
level (an autocorrelated log-normal process), a weekday rhythm, a logging habit that fades
(about 85% of days logged, falling over the weeks), an adherence to the schedule drawn from 80-90%,
and, for a trigger like caffeine, a next-day carry-over of the effect drawn per person. None of
these numbers comes from the method's modules: the promise and the test must work on people they
were not written for. Only the design (how a schedule is drawn, which the person is handed) and
the method under test are imported, by ``run_cell``.

How people log (``LOGGING``):

- ``cooperative``: on every day they keep the diary they log something, an episode or a zero, so
  each kept day reaches the test as it was;
- ``instructed``: exactly as the app asks: on a kept day their episodes and the coffee they drank,
  and a day check-in; on a quiet caffeine-free day nothing but the check-in. Their diary goes
  through the product's own reading of the days (``n_of_1.day_logs``);
- ``instructed_no_checkin``: the same people's diaries read without their check-ins, as before
  check-ins existed (a quiet caffeine-free day left no trace at all).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from insights.analysis import n_of_1, n_of_1_power
from insights.analysis.experiment_designs import DESIGNS
from insights.analysis.records import CaffeineRecord, CheckinRecord, Diary, EpisodeRecord

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

LOGGING = ("cooperative", "instructed", "instructed_no_checkin")
FIRST_DAY = date(2026, 1, 5)
HISTORY_DAYS = 60  # the diary before the experiment, from which the promise is made
USUAL_EXPOSED_SHARE = 0.8  # before the experiment, most days are "with" days (a daily coffee)


@dataclass(frozen=True)
class Person:
    rate: float  # episodes on a day without the trigger, before the day's noise
    day_shape: float  # gamma shape of the day-to-day noise (smaller: more over-dispersed)
    level_sd: float  # spread of the slowly wandering level (log scale)
    level_lag1: float
    weekend: float  # multiplier on Saturdays and Sundays
    logging_start: float  # share of days logged at first
    logging_drop: float  # fall in that share over 100 days
    adherence: float  # share of assigned days kept
    carry_over: float  # share of a "with" day's effect (log scale) on the next day


def draw_person(rng: np.random.Generator) -> Person:
    return Person(
        rate=float(np.exp(rng.normal(math.log(0.9), 0.7))),
        day_shape=float(rng.uniform(0.8, 5.0)),
        level_sd=float(rng.uniform(0.15, 0.5)),
        level_lag1=float(rng.uniform(0.3, 0.8)),
        weekend=float(rng.uniform(0.8, 1.2)),
        logging_start=float(rng.uniform(0.85, 0.97)),
        logging_drop=float(rng.uniform(0.0, 0.2)),
        adherence=float(rng.uniform(0.80, 0.90)),
        carry_over=float(rng.uniform(0.1, 0.6)),
    )


def simulate_days(
    person: Person, exposed: BoolArray, rate_ratio: float, rng: np.random.Generator, day_offset: int = 0
) -> tuple[FloatArray, BoolArray]:
    """Counts and logged flags for days with the given actual exposure (True: the trigger happened)."""
    n = len(exposed)
    level = np.empty(n)
    level[0] = rng.normal(0, person.level_sd)
    step = person.level_sd * math.sqrt(1 - person.level_lag1**2)
    for t in range(1, n):
        level[t] = person.level_lag1 * level[t - 1] + rng.normal(0, step)
    x = exposed.astype(np.float64)
    carried = np.concatenate([[0.0], x[:-1]]) * person.carry_over
    dose = np.maximum(x, carried)
    weekday = (np.arange(n) + day_offset) % 7
    rhythm = np.where(weekday >= 5, person.weekend, 1.0)
    noise = rng.gamma(person.day_shape, 1 / person.day_shape, n)
    mean = person.rate * np.exp(level - person.level_sd**2 / 2) * rhythm * noise * rate_ratio**dose
    counts = rng.poisson(mean).astype(np.float64)
    days = np.arange(n) + day_offset
    logging = np.clip(person.logging_start - person.logging_drop * days / 100, 0.05, 1.0)
    logged = rng.random(n) < logging
    return counts, logged


def as_logged(
    counts: FloatArray, logged: BoolArray, exposed: BoolArray, style: str, day_offset: int = 0
) -> tuple[FloatArray, BoolArray]:
    """The counts and known days the product reads from what the person logged (``LOGGING``)."""
    if style == "cooperative":
        return counts, logged
    # A person's diary in UTC: each kept day's episodes through the day, a coffee on a day they had
    # caffeine, and (as asked) a check-in; read back through the product's day logs.
    episodes, caffeine, checkins = [], [], []
    for day in np.flatnonzero(logged):
        local = FIRST_DAY + timedelta(days=int(day) + day_offset)
        noon = datetime(local.year, local.month, local.day, 12, tzinfo=UTC)
        for k in range(int(counts[day])):
            moment = noon + timedelta(minutes=10 * k - 300)
            episodes.append(EpisodeRecord(f"e{day}-{k}", moment, 20, ("left_eyelid",), "twitch", 3))
        if exposed[day]:
            caffeine.append(CaffeineRecord(f"c{day}", noon - timedelta(hours=4), 95.0))
        if style == "instructed":
            checkins.append(CheckinRecord(f"k{day}", local, no_twitches=counts[day] == 0))
    first = FIRST_DAY + timedelta(days=day_offset)
    last = first + timedelta(days=len(counts) - 1)
    diary = Diary("UTC", last, episodes=tuple(episodes), caffeine=tuple(caffeine), checkins=tuple(checkins))
    logs = n_of_1.day_logs(diary, first, last)
    return np.array([log.episodes for log in logs], dtype=np.float64), np.array([log.logged for log in logs])


@dataclass(frozen=True)
class Cell:
    weeks: int
    rate_ratio: float
    p_values: FloatArray
    promised: FloatArray  # the chance promised up front for this effect (NaN when not computed)
    adherence: FloatArray  # share of assigned days actually kept, per person


def run_cell(
    weeks: int,
    rate_ratio: float,
    people: int,
    *,
    seed: int,
    promise_for: int = 0,
    trigger: str = "caffeine",
    logging: str = "cooperative",
) -> Cell:
    """``people`` experiments of ``weeks`` at a true ``rate_ratio``; the first ``promise_for`` of
    them also get the promise the product would make from their diary before the start."""
    rng = np.random.default_rng(seed)
    design = DESIGNS[trigger]
    block_days = design.block_days
    n_days = weeks * 7
    reference, exact = n_of_1.allowed_schedules(n_days, block_days, rng)
    counts = np.empty((people, n_days))
    logged = np.empty((people, n_days), dtype=bool)
    assigned = np.empty((people, n_days), dtype=bool)
    promised = np.full(people, np.nan)
    kept_share = np.empty(people)
    for i in range(people):
        person = draw_person(rng)
        if i < promise_for:
            usual = rng.random(HISTORY_DAYS) < USUAL_EXPOSED_SHARE
            history, history_logged = simulate_days(person, usual, rate_ratio, rng)
            history, history_logged = as_logged(history, history_logged, usual, logging)
            variation = n_of_1_power.day_variation(history, history_logged)
            promised[i] = n_of_1_power.design_power(
                variation, design, weeks=weeks, rate_ratio=rate_ratio, seed=int(rng.integers(2**32))
            )
        schedule = np.array(n_of_1.draw_schedule(n_days, block_days, int(rng.integers(2**62))))
        kept = rng.random(n_days) < person.adherence
        exposed = np.where(kept, schedule, ~schedule)
        days_counts, days_logged = simulate_days(person, exposed, rate_ratio, rng, day_offset=HISTORY_DAYS)
        counts[i], logged[i] = as_logged(days_counts, days_logged, exposed, logging, HISTORY_DAYS)
        assigned[i] = schedule
        kept_share[i] = kept.mean()
    p = n_of_1_power.planned_test_p(counts, logged, assigned, reference, exact)
    return Cell(weeks, rate_ratio, p, promised, kept_share)
