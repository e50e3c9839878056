"""The diary's figures over the days the diary covers (insights.reports.diary_figures), from plain records."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from insights.analysis.records import CaffeineRecord, CheckinRecord, Diary, EpisodeRecord
from insights.reports.diary_figures import diary_figures
from tests.builders import episode_record

ZONE = "Europe/London"
END = date(2026, 11, 30)


def _coffee(day: date) -> CaffeineRecord:
    return CaffeineRecord(f"c{day}", datetime.combine(day, time(8), UTC), 95.0)


def _diary(counts: list[int], last: date = END, **extra_by_day: tuple[str, ...]) -> Diary:
    """One day per count ending on ``last``, each logged (a coffee), with that many episodes."""
    first = last - timedelta(days=len(counts) - 1)
    episodes, coffee = [], []
    for i, count in enumerate(counts):
        day = first + timedelta(days=i)
        coffee.append(_coffee(day))
        episodes += [episode_record(day, 10, "UTC", id=f"e{len(episodes)}", duration_s=30) for _ in range(count)]
    return Diary(ZONE, last, episodes=tuple(episodes), caffeine=tuple(coffee))


def test_a_29_day_diary_in_a_60_day_range_counts_29_diary_days_not_60() -> None:
    diary = _diary([1, 0, 2] * 9 + [1, 1])  # 29 days
    figures = diary_figures(diary, END - timedelta(days=59), END)

    assert figures.covered_days == 29
    assert figures.covered_start == END - timedelta(days=28)
    assert figures.days_affected == 20
    assert "on 20 of 29 known days (69%)" in figures.frequency_sentence
    assert "figures cover 29 of the 60 days in range" in figures.coverage_sentence
    # The trend halves the 29 diary days; the empty days before the diary are never its "before".
    assert figures.trend.earlier is not None and figures.trend.earlier.start == figures.covered_start
    assert "against 0" not in figures.trend.sentence
    # The month table starts where the diary does.
    assert [(m.label, m.covered_days) for m in figures.months] == [("Nov 2026", 29)]
    assert sum(m.episodes for m in figures.months) == figures.episodes


def test_the_onset_is_the_first_episode_ever_even_before_the_range() -> None:
    diary = _diary([1] * 100)
    figures = diary_figures(diary, END - timedelta(days=29), END)

    assert figures.onset == END - timedelta(days=99)
    assert figures.covered_start == END - timedelta(days=29)
    assert figures.covered_days == 30
    assert figures.episodes == 30
    assert (
        figures.coverage_sentence
        == "Figures cover all 30 days in range, 30 known days (days with an entry or a check-in)."
    )


def test_the_spread_gives_the_date_each_region_first_appeared() -> None:
    first = END - timedelta(days=59)
    episodes = [episode_record(first + timedelta(days=i), 10, "UTC", id=f"e{i}", duration_s=30) for i in range(60)]
    episodes += [
        episode_record(END - timedelta(days=i), 10, "UTC", id=f"e{100 + i}", duration_s=30, body_sites=("right_thumb",))
        for i in range(10)
    ]
    figures = diary_figures(Diary(ZONE, END, episodes=tuple(episodes)), first, END)

    assert [(s.region, s.first_day) for s in figures.spread] == [
        ("left_hand", first),
        ("right_hand", END - timedelta(days=9)),
    ]
    assert figures.spread_sentence.startswith("left hand from 2 Oct 2026; right hand from 21 Nov 2026")
    assert figures.months[-1].regions == ("left_hand", "right_hand")
    assert figures.months[0].regions == ("left_hand",)


def test_a_doubled_rate_in_the_last_month_reads_as_more_frequent_with_its_interval() -> None:
    rng = np.random.default_rng(4)
    counts = list(rng.poisson(1.0, 90)) + list(rng.poisson(2.2, 30))
    figures = diary_figures(_diary([int(c) for c in counts]), END - timedelta(days=119), END)

    trend = figures.trend
    assert trend.direction == "up"
    assert trend.recent is not None and trend.recent.start == END - timedelta(days=29)
    assert trend.rate_ratio is not None and trend.ci_low is not None and trend.ci_low > 1
    assert trend.sentence.startswith("Episodes per known day: ")
    assert "more frequent (rate ratio" in trend.sentence


def test_a_steady_rate_reads_as_no_clear_change() -> None:
    rng = np.random.default_rng(11)
    figures = diary_figures(_diary([int(c) for c in rng.poisson(1.3, 120)]), END - timedelta(days=119), END)

    assert figures.trend.direction == "flat"
    assert "no clear change" in figures.trend.sentence


def test_rates_are_per_logged_day_so_unlogged_days_do_not_dilute_them() -> None:
    # Ten days, only the even ones logged, each with two episodes.
    first = END - timedelta(days=9)
    days = [first + timedelta(days=i) for i in range(0, 10, 2)]
    episodes = tuple(
        episode_record(day, 10, "UTC", id=f"e{i * 2 + k}", duration_s=30)
        for i, day in enumerate(days)
        for k in range(2)
    )
    figures = diary_figures(Diary(ZONE, END, episodes=episodes), first, END)

    assert figures.logged_days == 5
    assert figures.per_logged_day == 2.0
    assert figures.covered_days == 10  # every calendar day from the first entry to the range end


def test_pertinent_negatives_are_always_worded_and_a_logged_symptom_is_named_with_its_date() -> None:
    quiet = diary_figures(_diary([1] * 10), END - timedelta(days=9), END)
    assert quiet.negatives_sentence == (
        "No weakness, muscle wasting, speech trouble or swallowing trouble logged in the diary days covered."
    )

    day = END - timedelta(days=3)
    diary = Diary(
        ZONE,
        END,
        episodes=(
            episode_record(END - timedelta(days=9), 10, "UTC", id="e1", duration_s=30),
            episode_record(day, 10, "UTC", id="e2", duration_s=30, symptoms=("weakness",)),
        ),
    )
    figures = diary_figures(diary, END - timedelta(days=9), END)
    assert "No muscle wasting, speech trouble or swallowing trouble logged" in figures.negatives_sentence
    assert "Weakness logged with 1 episode, first 27 Nov 2026" in figures.negatives_sentence


def test_an_empty_diary_has_no_covered_days_and_says_so() -> None:
    figures = diary_figures(Diary(ZONE, END), END - timedelta(days=29), END)

    assert figures.covered_days == 0 and figures.onset is None and figures.months == ()
    assert figures.frequency_sentence == "No diary days in this range."
    assert figures.trend.direction == "too_short"
    assert "No weakness" in figures.negatives_sentence


def test_records_after_the_range_end_are_ignored() -> None:
    diary = _diary([1] * 40)
    figures = diary_figures(diary, END - timedelta(days=39), END - timedelta(days=10))

    assert figures.episodes == 30
    assert figures.covered_days == 30


def test_a_day_with_episodes_but_no_check_in_yet_counts_among_the_months_diary_days() -> None:
    """Someone who checks in every evening: today's episodes come before today's check-in, and the
    engine leaves such a day out of its comparisons. The month row must still count it as a diary
    day, never "3 of 2 days with episodes"."""
    days = [END - timedelta(days=2 - i) for i in range(3)]
    episodes = tuple(episode_record(day, 10, "UTC", id=f"e{i}", duration_s=30) for i, day in enumerate(days))
    checkins = tuple(CheckinRecord(f"k{i}", day) for i, day in enumerate(days[:2]))  # none yet today
    figures = diary_figures(Diary(ZONE, END, episodes=episodes, checkins=checkins), END - timedelta(days=29), END)

    (month,) = figures.months
    assert month.days_affected <= month.logged_days
    assert (month.days_affected, month.logged_days) == (3, 3)


def test_an_episode_is_dated_by_the_phones_offset_where_it_carries_one() -> None:
    # 23:30 UTC on the 29th is already the 30th at UTC+2, where the person was.
    late = EpisodeRecord(
        "e", datetime.combine(END - timedelta(days=1), time(23, 30), UTC), 30, ("left_index",), "twitch", 4
    )
    travelling = EpisodeRecord(**{**late.__dict__, "id": "t", "utc_offset_min": 120})
    figures = diary_figures(Diary(ZONE, END, episodes=(late, travelling)), END - timedelta(days=29), END)

    assert [(onset.first_day, onset.last_day) for onset in figures.spread] == [(END - timedelta(days=1), END)]
