"""How long the daily series of a year of diary data takes to build, beside reading its timestamps.

A year of records for one user (about 6,000: episodes, caffeine, sleep, stress, exercise and doses)
goes through ``build_daily_series``, which places every record on its local day and sums the days.
The baseline, in the same run, is the one step no daily series can skip: reading every record's
instant as a number. It prints the median of several runs of each and their ratio; the figure the
test suite used to assert (and failed on busy machines) was "well under 50 ms".

Run from the repository root: ``.venv/bin/python bench/daily_series.py`` (or ``make bench-daily-series``).
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

# Make the repository importable when the script is run as a file from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _quick import quick
from _timing import median_seconds

from insights.analysis.daily_series import build_daily_series
from insights.analysis.records import (
    CaffeineRecord,
    Diary,
    DoseRecord,
    EpisodeRecord,
    ExerciseRecord,
    MedicationRecord,
    SleepRecord,
    StressRecord,
)

DAYS = 365
TODAY = date(2025, 12, 31)
RUNS = quick(15, 3)
SEED = 2024


def year_of_records(rng: random.Random) -> Diary:
    """A busy year: about nine episodes a day, three drinks, a night, a stress rating, exercise, an inhaler."""
    first = datetime.combine(TODAY - timedelta(days=DAYS - 1), datetime.min.time(), tzinfo=UTC)
    episodes, caffeine, sleep, stress, exercise, doses = [], [], [], [], [], []
    for d in range(DAYS):
        day = first + timedelta(days=d)
        for n in range(rng.randint(6, 12)):
            moment = day + timedelta(hours=rng.uniform(7, 23))
            episodes.append(EpisodeRecord(f"e{d}-{n}", moment, 20, ("left_index",), "twitch", rng.randint(1, 10)))
        for n in range(3):
            caffeine.append(CaffeineRecord(f"c{d}-{n}", day + timedelta(hours=8 + 4 * n), rng.choice((60.0, 95.0))))
        bed = day - timedelta(hours=rng.uniform(0.5, 2.5))
        sleep.append(SleepRecord(f"s{d}", bed, bed + timedelta(hours=rng.uniform(5, 9)), rng.randint(1, 5)))
        stress.append(StressRecord(f"t{d}", day + timedelta(hours=20), rng.randint(0, 10)))
        exercise.append(ExerciseRecord(f"x{d}", day + timedelta(hours=18), rng.randint(10, 60)))
        doses.append(DoseRecord(f"d{d}", "inhaler", day + timedelta(hours=9)))
    inhaler = MedicationRecord("inhaler", "Salbutamol", "beta_agonist", first.date(), as_needed=True)
    return Diary(
        timezone="Europe/London",
        today=TODAY,
        episodes=tuple(episodes),
        caffeine=tuple(caffeine),
        sleep=tuple(sleep),
        stress=tuple(stress),
        medications=(inhaler,),
        doses=tuple(doses),
        exercise=tuple(exercise),
    )


def all_instants(diary: Diary) -> list[float]:
    """The baseline: every record's instant as a POSIX timestamp, the input any daily series needs."""
    return [
        *(r.started_at.timestamp() for r in diary.episodes),
        *(r.consumed_at.timestamp() for r in diary.caffeine),
        *(r.woke_at.timestamp() for r in diary.sleep),
        *(r.recorded_at.timestamp() for r in diary.stress),
        *(r.started_at.timestamp() for r in diary.exercise),
        *(r.taken_at.timestamp() for r in diary.doses),
    ]


def main() -> None:
    diary = year_of_records(random.Random(SEED))
    records = len(all_instants(diary))
    series = median_seconds(lambda: build_daily_series(diary), RUNS)
    baseline = median_seconds(lambda: all_instants(diary), RUNS)
    print(f"Daily series of a year ({records} records), median of {RUNS} runs")
    print(f"  {'read every timestamp (baseline)':<34}{baseline * 1e3:>9.2f} ms")
    print(f"  {'build_daily_series':<34}{series * 1e3:>9.2f} ms")
    print(f"  ratio {series / baseline:.1f}x (the former test asserted under 50 ms)")


if __name__ == "__main__":
    main()
