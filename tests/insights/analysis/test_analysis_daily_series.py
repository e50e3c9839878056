"""The daily series: local days, missing versus zero and lags (its speed is in bench/daily_series.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insights.analysis.daily_series import build_daily_series, local_date
from insights.analysis.records import (
    CaffeineRecord,
    DoseRecord,
    EpisodeRecord,
    ExerciseRecord,
    SleepRecord,
    StressRecord,
)
from tests.builders import diary, episode_record, local, medication_record
from tests.simulation.generator import Scenario, simulate

D1, D2, D3 = date(2025, 3, 10), date(2025, 3, 11), date(2025, 3, 12)


@pytest.mark.parametrize("tz", ["America/Los_Angeles", "Pacific/Auckland", "Pacific/Tongatapu", "Europe/London"])
@pytest.mark.parametrize("hour", [23.5, 0.5])
def test_it_places_an_episode_on_the_users_local_day(tz: str, hour: float) -> None:
    moment = local(D2, hour, tz)
    # The point of the test: at these hours the UTC date differs from the local one in some zones.
    d = diary(
        episode_record(D1, tz=tz), episode_record(D2, hour=hour, tz=tz), episode_record(D3, tz=tz), tz=tz, today=D3
    )
    series = build_daily_series(d)
    assert local_date(moment, tz) == D2
    assert series.days == (D1, D2, D3)
    assert list(series.episodes) == [1.0, 1.0, 1.0]


def test_it_uses_the_local_day_even_where_utc_is_a_day_behind() -> None:
    moment = local(D2, 0.5, "Pacific/Tongatapu")
    assert moment.date() == D1
    series = build_daily_series(
        diary(episode_record(D2, hour=0.5, tz="Pacific/Tongatapu"), tz="Pacific/Tongatapu", today=D2)
    )
    assert series.start == D2


def test_it_tells_missing_days_from_days_without_episodes() -> None:
    stress = (StressRecord("s1", local(D1), 3),)
    series = build_daily_series(diary(episode_record(D3), stress=stress, today=D3))
    assert series.logged.tolist() == [True, False, True]
    assert series.episodes[0] == 0
    assert np.isnan(series.episodes[1])


def test_a_kept_day_without_caffeine_is_zero_for_someone_who_never_logs_zero_mg() -> None:
    caffeine = (CaffeineRecord("c1", local(D1, 8), 96),)
    stress = (StressRecord("s1", local(D2), 5),)
    series = build_daily_series(diary(caffeine=caffeine, stress=stress, today=D3))
    # D2 was kept (stress) without caffeine: 0 mg. D3 was not kept at all: missing.
    assert series.caffeine_day_mg[:2].tolist() == [96.0, 0.0]
    assert np.isnan(series.caffeine_day_mg[2])
    # The logged total (what summaries average) stays missing on D2.
    assert np.isnan(series.caffeine_mg[1])


def test_it_sums_caffeine_and_treats_a_logged_none_as_zero() -> None:
    caffeine = (
        CaffeineRecord("c1", local(D1, 8), 96),
        CaffeineRecord("c2", local(D1, 14), 63),
        CaffeineRecord("c3", local(D2, 9), 0),
    )
    stress = (StressRecord("s1", local(D3), 5),)
    series = build_daily_series(diary(caffeine=caffeine, stress=stress, today=D3))
    assert series.caffeine_mg[:2].tolist() == [159.0, 0.0]
    assert np.isnan(series.caffeine_mg[2])
    # This user ticks "no caffeine" when there was none, so a kept day without it is not known.
    assert series.caffeine_day_mg[:2].tolist() == [159.0, 0.0]
    assert np.isnan(series.caffeine_day_mg[2])


def test_it_counts_a_night_for_the_day_the_user_woke() -> None:
    night = SleepRecord("n1", bed_at=local(D1, 23.0), woke_at=local(D2, 6.5))
    series = build_daily_series(diary(episode_record(D1), sleep=(night,), today=D2))
    assert np.isnan(series.sleep_hours[0])
    assert series.sleep_hours[1] == pytest.approx(7.5)


def test_it_keeps_stress_mean_and_max_and_exercise_of_the_day_and_the_day_before() -> None:
    stress = (StressRecord("s1", local(D1, 9), 2), StressRecord("s2", local(D1, 18), 7))
    exercise = (ExerciseRecord("x1", local(D1, 7), 50), ExerciseRecord("x2", local(D2, 7), 10))
    series = build_daily_series(diary(stress=stress, exercise=exercise, today=D2))
    assert (series.stress_mean[0], series.stress_max[0]) == (4.5, 7.0)
    assert series.exercise_min.tolist() == [50.0, 10.0]
    assert series.exercise_min_prev[1] == 50.0


def test_it_counts_doses_per_drug_class_and_knows_which_medicines_were_taken() -> None:
    inhaler = medication_record("beta2_agonist", started_on=D2, stopped_on=D3, as_needed=True)
    doses = (DoseRecord("d1", inhaler.id, local(D2, 8)), DoseRecord("d2", inhaler.id, local(D2, 20)))
    series = build_daily_series(
        diary(episode_record(D1), episode_record(D3), medications=(inhaler,), doses=doses, today=D3)
    )
    assert series.doses["beta2_agonist"].tolist() == [0.0, 2.0, 0.0]
    assert series.medications_active["beta2_agonist"].tolist() == [False, True, False]


def test_it_handles_a_short_dst_day() -> None:
    spring_forward = date(2025, 3, 30)
    d = diary(
        episode_record(spring_forward, hour=23.9),
        episode_record(spring_forward + timedelta(days=1), hour=0.1),
        today=spring_forward + timedelta(days=1),
    )
    assert build_daily_series(d).episodes.tolist() == [1.0, 1.0]


@settings(max_examples=50, deadline=None)
@given(
    tz=st.sampled_from(["America/Los_Angeles", "Pacific/Auckland", "Pacific/Tongatapu", "Asia/Kolkata"]),
    offsets=st.lists(st.integers(min_value=0, max_value=30 * 24 * 60 - 1), min_size=1, max_size=40),
)
def test_every_episode_lands_on_the_local_day_it_happened(tz: str, offsets: list[int]) -> None:
    origin = datetime(2025, 1, 1, tzinfo=UTC)
    moments = [origin + timedelta(minutes=offset) for offset in offsets]
    records = tuple(EpisodeRecord(f"e{i}", m, 1, ("left_index",), "twitch", 3) for i, m in enumerate(moments))
    zone = ZoneInfo(tz)
    today = max(m.astimezone(zone).date() for m in moments)
    series = build_daily_series(diary(*records, tz=tz, today=today))
    for moment in moments:
        index = series.index_of(moment.astimezone(zone).date())
        assert index is not None and series.episodes[index] >= 1
    assert np.nansum(series.episodes) == len(moments)


def test_a_simulated_year_lands_every_record_on_a_day_of_the_series() -> None:
    d = simulate(2024, Scenario("plain", 365)).diary
    series = build_daily_series(d)
    assert len(series) <= 365
    assert np.nansum(series.episodes) == len(d.episodes)
    assert np.nansum(series.caffeine_entries) == len(d.caffeine)
    assert int(np.nansum(series.exercise_min)) == sum(r.duration_min for r in d.exercise)
