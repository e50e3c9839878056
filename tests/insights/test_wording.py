"""The one vocabulary: statuses read the same from every stored shape, intervals said in words."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from insights import wording
from insights.analysis import n_of_1


@pytest.mark.parametrize(
    ("stored", "status"),
    [
        ({"status": "linked"}, "linked"),
        ({"status": "not_enough_data"}, "not_testable"),
        # The sleep 1.2 (0.9-1.7): inconclusive, not absence.
        ({"status": "no_sign", "rate_ratio": 1.2, "ci_low": 0.9, "ci_high": 1.7}, "not_clear"),
        ({"status": "no_sign", "rate_ratio": 1.0, "ci_low": 0.8, "ci_high": 1.3}, "no_sign"),
        ({"significant": True}, "linked"),
        ({"significant": False, "rate_ratio": None}, "not_testable"),
    ],
)
def test_a_stored_status_reads_as_what_its_interval_supports(stored, status) -> None:
    assert wording.status_of(stored) == status


def test_every_status_has_one_wording_in_no_ones_voice() -> None:
    words = [wording.status_words(status) for status in wording.TriggerStatus]
    assert len(set(words)) == len(words)
    assert not any("your" in w or "you" in w.split() for w in words)


def test_an_inconclusive_interval_says_which_effects_it_still_allows() -> None:
    assert wording.allows_words(0.9, 1.7) == "anything from fewer episodes to 1.7 times as many"
    assert wording.allows_words(0.9, 2.3) == "anything from fewer episodes to a doubling or more"
    assert wording.allows_words(1.0, 2.0) == "anything from no difference to a doubling"


def test_durations_have_one_precision_and_spans_one_format() -> None:
    assert [wording.duration(s) for s in (45, 60, 62, 89, 3600, 3900)] == [
        "45 s",
        "1 min",
        "1 min",
        "1 min",
        "1 h",
        "1 h 05 min",
    ]
    assert wording.span_text(date(2026, 9, 3), date(2026, 10, 30)) == "3 Sep - 30 Oct 2026"
    assert wording.span_text(date(2025, 12, 20), date(2026, 1, 5)) == "20 Dec 2025 - 5 Jan 2026"
    assert wording.chance_words(0.04) == "about 1 in 10" and wording.chance_words(0.55) == "about 6 in 10"


def test_dates_have_one_format_whatever_the_surface() -> None:
    day, moment = date(2026, 8, 4), datetime(2026, 8, 4, 14, 5)
    assert (wording.day_text(day), wording.day_month_text(day), wording.moment_text(moment)) == (
        "4 Aug 2026",
        "4 Aug",
        "4 Aug 2026 14:05",
    )
    assert wording.period_text(day, date(2026, 9, 3)) == "4 Aug 2026 to 3 Sep 2026"
    assert (wording.weekday_text(day), wording.weekday_text(day, full=True)) == ("Tue 4 Aug", "Tuesday 4 August")
    assert wording.day_text(None) == "-"


def test_a_plans_chance_says_less_than_and_more_than_at_the_ends() -> None:
    assert [wording.chance_words(p, open_ends=True) for p in (0.02, 0.55, 0.97)] == [
        "less than 1 in 10",
        "about 6 in 10",
        "more than 9 in 10",
    ]
    assert [wording.chance_words(p) for p in (0.02, 0.97)] == ["about 1 in 10", "about 9 in 10"]


def test_an_experiments_interval_is_the_one_every_trigger_effect_carries() -> None:
    assert n_of_1.INTERVAL_LEVEL == wording.EFFECT_INTERVAL_LEVEL
