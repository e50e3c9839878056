"""Adherence read from the diary: what breaks a caffeine-free day, a rest day or an early night."""

from __future__ import annotations

from datetime import date

import pytest

from insights.analysis.experiment_designs import CAFFEINE_FREE_MAX_MG, EARLY_NIGHT_MIN_HOURS, LONG_SESSION_MIN
from insights.analysis.n_of_1 import DayLog, adherence, day_kept, per_protocol_ratio
from insights.experiments.selectors import diary_days
from tests.builders import local, write

DAY = date(2026, 12, 2)


def log(**fields):
    values = {"day": DAY, "logged": True, "episodes": 0, "caffeine_mg": 0.0, "hard_session": False, "sleep_hours": None}
    return DayLog(**{**values, **fields})


@pytest.mark.parametrize(
    ("mg", "kept"), [(0, True), (CAFFEINE_FREE_MAX_MG - 1, True), (CAFFEINE_FREE_MAX_MG, False), (150, False)]
)
def test_a_caffeine_free_day_is_kept_only_below_the_threshold(mg, kept):
    assert day_kept("caffeine", False, log(caffeine_mg=mg)) is kept


def test_a_usual_caffeine_day_with_no_caffeine_was_in_effect_caffeine_free():
    assert day_kept("caffeine", True, log(caffeine_mg=0)) is False
    assert day_kept("caffeine", True, log(caffeine_mg=96)) is True


def test_a_rest_day_is_broken_by_a_hard_session_and_a_usual_day_asks_nothing():
    assert day_kept("exercise", False, log(hard_session=True)) is False
    assert day_kept("exercise", False, log()) is True
    assert day_kept("exercise", True, log(hard_session=True)) is True


def test_an_early_night_needs_the_adult_minimum_and_unlogged_sleep_is_unknown():
    assert day_kept("sleep", False, log(sleep_hours=EARLY_NIGHT_MIN_HOURS)) is True
    assert day_kept("sleep", False, log(sleep_hours=EARLY_NIGHT_MIN_HOURS - 0.5)) is False
    assert day_kept("sleep", False, log(sleep_hours=None)) is None


def test_a_day_with_nothing_logged_is_neither_kept_nor_broken():
    assert day_kept("caffeine", False, log(logged=False)) is None


def test_adherence_counts_the_without_days_kept_and_per_protocol_uses_kept_days_only():
    assigned = [True, True, False, False, False]
    logs = [
        log(caffeine_mg=100, episodes=4),
        log(caffeine_mg=0, episodes=9),  # a usual day without caffeine: not kept
        log(caffeine_mg=0, episodes=1),
        log(caffeine_mg=150, episodes=6),  # a caffeine-free day with 150 mg: not kept
        log(logged=False),
    ]

    summary = adherence("caffeine", assigned, logs)

    assert (summary.kept, summary.not_kept, summary.unknown) == (2, 2, 1)
    assert (summary.without_days, summary.without_kept) == (3, 1)
    assert per_protocol_ratio("caffeine", assigned, logs) == (4.0, 1, 1)


@pytest.mark.django_db
def test_the_long_session_threshold_is_what_the_day_logs_read(user):
    write(user, "exercise_sessions", [{"id": "x1", "started_at": local(DAY), "duration_min": LONG_SESSION_MIN}])
    write(user, "exercise_sessions", [{"id": "x2", "started_at": local(date(2026, 12, 3)), "duration_min": 30}])

    first, second = diary_days(user=user, first=DAY, last=date(2026, 12, 3))

    assert first.hard_session and not second.hard_session
