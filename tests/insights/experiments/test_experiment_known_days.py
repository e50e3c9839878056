"""Self-experiments on known days (issue 21): a scheduled day with a check-in and no episode is a day
of zero episodes, so people who log exactly as instructed get the test cooperative loggers get."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np

from insights.analysis import n_of_1
from insights.analysis.records import CaffeineRecord, CheckinRecord, Diary, EpisodeRecord
from tests.insights.experiments.simulated_people import run_cell

DAY = date(2026, 3, 2)


def test_a_checked_in_day_without_episodes_is_a_known_day_of_zero_episodes() -> None:
    first, second = DAY, date(2026, 3, 3)
    episodes = (EpisodeRecord("e1", datetime(2026, 3, 2, 9, tzinfo=UTC), 20, ("left_eyelid",), "twitch", 3),)
    with_checkin = Diary("UTC", second, episodes=episodes, checkins=(CheckinRecord("k", second, no_twitches=True),))
    without = Diary("UTC", second, episodes=episodes)
    assert [(log.logged, log.episodes) for log in n_of_1.day_logs(with_checkin, first, second)] == [
        (True, 1),
        (True, 0),
    ]
    assert [log.logged for log in n_of_1.day_logs(without, first, second)] == [True, False]


def test_a_caffeine_free_day_with_only_a_check_in_is_kept() -> None:
    coffee = (CaffeineRecord("c", datetime(2026, 3, 2, 8, tzinfo=UTC), 95.0),)
    diary = Diary("UTC", DAY, caffeine=coffee, checkins=(CheckinRecord("k1", date(2026, 3, 3)),))
    logs = n_of_1.day_logs(diary, DAY, date(2026, 3, 3))
    assert [n_of_1.day_kept("caffeine", assigned, log) for assigned, log in zip((True, False), logs, strict=True)] == [
        True,
        True,
    ]


def test_the_check_ins_kept_plan_decides_what_the_diary_cannot_tell() -> None:
    said_yes = n_of_1.DayLog(DAY, True, 0, 0.0, False, None, kept_plan=True)
    said_no = n_of_1.DayLog(DAY, True, 0, 0.0, False, 8.0, kept_plan=False)
    assert n_of_1.day_kept("sleep", False, said_yes) is True  # an early night without a sleep log
    assert n_of_1.day_kept("sleep", False, said_no) is False  # a "no" over a diary showing no breach
    unsaid = n_of_1.DayLog(DAY, True, 0, 0.0, False, None)
    assert n_of_1.day_kept("sleep", False, unsaid) is None


def test_people_who_log_as_instructed_get_the_cooperative_loggers_test_and_lost_it_without_check_ins() -> None:
    cooperative = run_cell(6, 2.0, 40, seed=11)
    instructed = run_cell(6, 2.0, 40, seed=11, logging="instructed")
    before = run_cell(6, 2.0, 40, seed=11, logging="instructed_no_checkin")
    # The same people and days: read through the diary with check-ins, every kept day reaches the test.
    assert np.array_equal(cooperative.p_values, instructed.p_values, equal_nan=True)
    # Read without check-ins, their quiet caffeine-free days vanish and the effect with them: the same
    # people's p-values rise (the median from about 0.2 to about 0.6 here).
    assert np.median(before.p_values) > np.median(instructed.p_values) + 0.2
