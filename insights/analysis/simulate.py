"""Synthetic diaries with a known truth, for validating the associations and seeding demos.

A simulated user has habits (caffeine, sleep, stress, exercise, sometimes an inhaler and a new
regular medicine), keeps the diary on about 85% of days with completion falling over time (Ono et
al., JMIR 2019), and twitches at a baseline rate of 0.5-3 episodes a day. Days vary more than a
Poisson process allows (a gamma-distributed day factor), as real symptom counts do; a validation
that only passed on Poisson days would flatter the statistics.

Planted effects multiply the episode rate by a chosen rate ratio. "A planted rate ratio of 2"
means exactly the contrast the associations test and report: the true episode rate on high-
exposure days is twice that on low-exposure days, with high and low split at the same clinical cut
points the analysis uses (a step at the cut, not a dose-response that fades near it):

- caffeine: 300 mg or more on the same day,
- sleep: a night of under 7 hours raises the next day's rate,
- stress: a stress level of 6 or more raises the same day's rate,
- exercise: 45 minutes or more raises the next day's rate,
- inhaler: the hourly rate in the 4 hours after a beta-2 agonist dose,
- medication: every day from a regular medicine's start onwards.

(Before, caffeine, sleep, stress and exercise were smooth sigmoids around those cuts; measured over
a year of days, their high-against-low contrast at a nominal ratio of 2 was only 1.7-1.9, so the
validation tested a weaker effect than it claimed to.) The contrast seen in the diary is still a
little weaker for exercise (about 1.9 at 2), because one session in ten is not logged and its day
counts as a day without exercise, as in real life. The day-to-day gamma factor, the falling
completion and the 0.5-3 episodes a day baseline are kept: they are what limits detection.

Effects act on what truly happened that day, whether or not the user logged it, as in real life.
"""

from __future__ import annotations

from collections.abc import Mapping, Sized
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from diary.catalogues.body_sites import FINGERS
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

PLANTABLE = ("caffeine", "sleep", "stress", "exercise", "inhaler", "medication")
# The association trigger each planted effect should show up as.
EXPECTED_TRIGGER = {
    "caffeine": "caffeine",
    "sleep": "sleep",
    "stress": "stress",
    "exercise": "exercise_previous_day",
    "inhaler": "inhaler_window",
}
TIMEZONES = (
    "Europe/London",
    "America/Los_Angeles",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Auckland",
)
# The cut points of "high" exposure, the same ones the associations compare across (and report).
CAFFEINE_HIGH_MG = 300.0
SHORT_SLEEP_HOURS = 7.0
HIGH_STRESS_LEVEL = 6.0
LONG_EXERCISE_MIN = 45.0
MEDICATION_ID = "med-regular"
INHALER_ID = "med-inhaler"
INHALER_WINDOW_HOURS = 4.0


@dataclass(frozen=True)
class SimulationSpec:
    days: int = 90
    baseline_rate: float = 1.0  # episodes a day before any effect
    effects: Mapping[str, float] = field(default_factory=dict)  # planted trigger -> rate ratio
    timezone: str = "Europe/London"
    today: date = date(2025, 6, 30)
    completion_start: float = 0.93
    completion_end: float = 0.77
    # Gamma shape of the day-to-day factor on the rate; smaller is burstier (variance mean + mean^2/shape).
    day_factor_shape: float = 3.0
    has_inhaler: bool = False
    has_medication_start: bool = False
    birth_year: int | None = 1985


@dataclass(frozen=True)
class SimulatedUser:
    diary: Diary
    spec: SimulationSpec
    expected_triggers: tuple[str, ...]


@dataclass(frozen=True)
class _Habits:
    caffeine_mean_mg: float
    no_caffeine_probability: float
    sleep_mean_hours: float
    stress_mean: float
    exercise_probability: float
    home_side: str


def random_spec(
    rng: np.random.Generator,
    effects: Mapping[str, float] | None = None,
    days: int | None = None,
    baseline_rate: float | None = None,
) -> SimulationSpec:
    """A plausible user: 60-180 days, 0.5-3 episodes a day, sometimes an inhaler or a new medicine."""
    effects = dict(effects or {})
    return SimulationSpec(
        days=days if days is not None else int(rng.integers(60, 181)),
        baseline_rate=baseline_rate if baseline_rate is not None else float(rng.uniform(0.5, 3.0)),
        effects=effects,
        timezone=str(rng.choice(TIMEZONES)),
        has_inhaler="inhaler" in effects or bool(rng.random() < 0.35),
        has_medication_start="medication" in effects or bool(rng.random() < 0.35),
        birth_year=int(rng.integers(1950, 2005)),
    )


class _Builder:
    """Accumulates the records of one simulated diary, day by day."""

    def __init__(self, rng: np.random.Generator, spec: SimulationSpec) -> None:
        self.rng = rng
        self.spec = spec
        self.tz = ZoneInfo(spec.timezone)
        self.first_day = spec.today - timedelta(days=spec.days - 1)
        self.habits = _Habits(
            caffeine_mean_mg=float(rng.uniform(150, 350)),
            no_caffeine_probability=float(rng.uniform(0.05, 0.25)),
            sleep_mean_hours=float(rng.uniform(6.4, 7.6)),
            stress_mean=float(rng.uniform(3.0, 6.0)),
            exercise_probability=float(rng.uniform(0.2, 0.6)),
            home_side=str(rng.choice(("left", "right"))),
        )
        self.start_index = int(rng.integers(int(spec.days * 0.35), int(spec.days * 0.65) + 1))
        self.episodes: list[EpisodeRecord] = []
        self.caffeine: list[CaffeineRecord] = []
        self.sleep: list[SleepRecord] = []
        self.stress: list[StressRecord] = []
        self.exercise: list[ExerciseRecord] = []
        self.doses: list[DoseRecord] = []

    def at(self, day: date, hours: float) -> datetime:
        """The UTC instant ``hours`` after local midnight of ``day`` (wall-clock hours)."""
        # Adding a timedelta to an aware datetime moves the wall clock; astimezone then applies the
        # offset in force at that wall time, DST included.
        return (datetime.combine(day, time(0), tzinfo=self.tz) + timedelta(hours=hours)).astimezone(UTC)

    def next_id(self, prefix: str, records: Sized) -> str:
        return f"{prefix}{len(records) + 1:05d}"

    def medications(self) -> tuple[MedicationRecord, ...]:
        medications = []
        if self.spec.has_medication_start:
            name, drug_class = (
                ("sertraline", "ssri_snri")
                if "medication" in self.spec.effects
                else (str(self.rng.choice(("sertraline", "levothyroxine", "ibuprofen"))), "")
            )
            drug_class = drug_class or {"sertraline": "ssri_snri", "levothyroxine": "levothyroxine"}.get(name, "other")
            medications.append(
                MedicationRecord(
                    id=MEDICATION_ID,
                    name=name.capitalize(),
                    drug_class=drug_class,
                    started_on=self.first_day + timedelta(days=self.start_index),
                    catalogue_key=name,
                )
            )
        if self.spec.has_inhaler:
            medications.append(
                MedicationRecord(
                    id=INHALER_ID,
                    name="Salbutamol inhaler",
                    drug_class="beta2_agonist",
                    started_on=self.first_day - timedelta(days=400),
                    as_needed=True,
                    catalogue_key="salbutamol",
                )
            )
        return tuple(medications)

    def simulate(self) -> Diary:
        spec, rng, habits = self.spec, self.rng, self.habits
        stress_level = habits.stress_mean
        previous_exercise = 0.0
        wake = 7.0 + rng.normal(0, 0.5)
        for index in range(spec.days):
            day = self.first_day + timedelta(days=index)
            completion = spec.completion_start + (spec.completion_end - spec.completion_start) * index / max(
                1, spec.days - 1
            )
            logged = bool(rng.random() < completion)

            # What truly happened today, logged or not.
            slept = float(np.clip(rng.normal(habits.sleep_mean_hours, 1.0), 3.0, 11.0))
            bed_previous_night = wake - slept  # hours relative to today's midnight, usually negative
            wake_next = 7.0 + rng.normal(0, 0.5)
            bedtime = 24.0 + wake_next - float(np.clip(rng.normal(habits.sleep_mean_hours, 1.0), 3.0, 11.0))
            caffeine_mg = (
                0.0
                if rng.random() < habits.no_caffeine_probability
                else float(rng.gamma(1 / 0.55**2, habits.caffeine_mean_mg * 0.55**2))
            )
            # Stress follows an AR(1) around the user's mean, since stressful periods last days.
            stress_level = habits.stress_mean + 0.5 * (stress_level - habits.stress_mean) + rng.normal(0, 1.6)
            stress_today = float(np.clip(round(stress_level), 0, 10))
            exercise_min = float(rng.integers(15, 91)) if rng.random() < habits.exercise_probability else 0.0
            dose_hours = sorted(rng.uniform(wake + 0.5, bedtime - 0.5, rng.poisson(1.0))) if spec.has_inhaler else []

            rate = spec.baseline_rate * self.multiplier(caffeine_mg, slept, stress_today, previous_exercise, index)
            if logged:
                self.log_day(
                    day, wake, bed_previous_night, slept, caffeine_mg, stress_today, exercise_min, dose_hours, index
                )
                self.log_episodes(day, rate, wake, bedtime, dose_hours)
            wake = wake_next
            previous_exercise = exercise_min
        return Diary(
            timezone=spec.timezone,
            today=spec.today,
            birth_year=spec.birth_year,
            episodes=tuple(self.episodes),
            caffeine=tuple(self.caffeine),
            sleep=tuple(self.sleep),
            stress=tuple(self.stress),
            medications=self.medications(),
            doses=tuple(self.doses),
            exercise=tuple(self.exercise),
        )

    def multiplier(
        self, caffeine_mg: float, slept: float, stress: float, previous_exercise: float, index: int
    ) -> float:
        """The product of the planted day-level effects on today's episode rate."""
        effects = self.spec.effects
        exposed = {
            "caffeine": caffeine_mg >= CAFFEINE_HIGH_MG,
            "sleep": slept < SHORT_SLEEP_HOURS,
            "stress": stress >= HIGH_STRESS_LEVEL,
            "exercise": previous_exercise >= LONG_EXERCISE_MIN,
            "medication": index >= self.start_index,
        }
        factor = 1.0
        for trigger, high in exposed.items():
            if trigger in effects and high:
                factor *= float(effects[trigger])
        return factor

    def log_day(
        self,
        day: date,
        wake: float,
        bed_previous_night: float,
        slept: float,
        caffeine_mg: float,
        stress: float,
        exercise_min: float,
        dose_hours: list[float],
        index: int,
    ) -> None:
        rng = self.rng
        if caffeine_mg > 0 and rng.random() < 0.9:
            servings = max(1, round(caffeine_mg / 100))
            for hour in sorted(rng.uniform(wake, wake + 9, servings)):
                self.caffeine.append(
                    CaffeineRecord(
                        self.next_id("caf", self.caffeine), self.at(day, hour), round(caffeine_mg / servings, 1)
                    )
                )
        elif caffeine_mg == 0 and rng.random() < 0.6:
            # The user ticked "no caffeine today", which the diary stores as a 0 mg intake.
            self.caffeine.append(CaffeineRecord(self.next_id("caf", self.caffeine), self.at(day, wake + 1), 0.0))
        if rng.random() < 0.85:
            self.sleep.append(
                SleepRecord(
                    self.next_id("slp", self.sleep),
                    self.at(day, bed_previous_night),
                    self.at(day, bed_previous_night + slept),
                    int(rng.integers(1, 6)),
                )
            )
        for hour in rng.uniform(wake + 1, wake + 14, rng.binomial(2, 0.6)):
            self.stress.append(StressRecord(self.next_id("str", self.stress), self.at(day, hour), int(stress)))
        if exercise_min > 0 and rng.random() < 0.9:
            self.exercise.append(
                ExerciseRecord(
                    self.next_id("exe", self.exercise), self.at(day, wake + 10), int(exercise_min), "moderate", "walk"
                )
            )
        for hour in dose_hours:
            self.doses.append(DoseRecord(self.next_id("dose", self.doses), INHALER_ID, self.at(day, hour), "2 puffs"))
        if self.spec.has_medication_start and index >= self.start_index and rng.random() < 0.5:
            self.doses.append(DoseRecord(self.next_id("dose", self.doses), MEDICATION_ID, self.at(day, wake + 0.5)))

    def log_episodes(self, day: date, rate: float, wake: float, bedtime: float, dose_hours: list[float]) -> None:
        """Episodes in waking hours, more often inside inhaler windows when that effect is planted."""
        rng = self.rng
        awake_hours = bedtime - wake
        hourly = rate * rng.gamma(self.spec.day_factor_shape, 1 / self.spec.day_factor_shape) / awake_hours
        windows = _merged_windows(dose_hours, bedtime)
        window_ratio = float(self.spec.effects.get("inhaler", 1.0))
        # Draw the baseline over the whole waking day and keep what lands outside the windows (a
        # thinned Poisson process), then add the window part at its own, possibly raised, rate.
        hours = list(rng.uniform(wake, bedtime, rng.poisson(hourly * awake_hours)))
        hours = [hour for hour in hours if not any(start <= hour < end for start, end in windows)]
        for start, end in windows:
            hours.extend(rng.uniform(start, end, rng.poisson(hourly * window_ratio * (end - start))))
        for hour in sorted(hours):
            self.episodes.append(self.episode(day, hour))

    def episode(self, day: date, hour: float) -> EpisodeRecord:
        rng = self.rng
        finger = str(rng.choice(FINGERS))
        return EpisodeRecord(
            id=self.next_id("ep", self.episodes),
            started_at=self.at(day, hour),
            duration_s=int(rng.integers(3, 180)),
            body_sites=(f"{self.habits.home_side}_{finger}",),
            character="twitch",
            intensity=int(rng.integers(2, 8)),
            context=str(rng.choice(("at_rest", "holding_posture", "during_action"))),
        )


def _merged_windows(dose_hours: list[float], bedtime: float) -> list[tuple[float, float]]:
    windows: list[tuple[float, float]] = []
    for hour in dose_hours:
        end = min(hour + INHALER_WINDOW_HOURS, bedtime)
        if windows and hour <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((hour, end))
    return windows


def simulate_user(seed: int | np.random.Generator, spec: SimulationSpec | None = None) -> SimulatedUser:
    """One simulated user; the same seed and spec always give the same diary."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    spec = spec or random_spec(rng)
    # A planted inhaler or medication effect needs the inhaler or the medicine to exist.
    spec = replace(
        spec,
        has_inhaler=spec.has_inhaler or "inhaler" in spec.effects,
        has_medication_start=spec.has_medication_start or "medication" in spec.effects,
    )
    builder = _Builder(rng, spec)
    diary = builder.simulate()
    expected = [EXPECTED_TRIGGER[name] for name in spec.effects if name in EXPECTED_TRIGGER]
    if "medication" in spec.effects:
        expected.append(f"medication:{MEDICATION_ID}")
    return SimulatedUser(diary=diary, spec=spec, expected_triggers=tuple(expected))


def simulate_diary(
    seed: int, days: int = 90, effects: Mapping[str, float] | None = None, timezone: str | None = None
) -> Diary:
    """A demo-ready diary: a plausible user with the given planted effects (none by default)."""
    rng = np.random.default_rng(seed)
    spec = random_spec(rng, effects=effects, days=days)
    if timezone:
        spec = replace(spec, timezone=timezone)
    return simulate_user(rng, spec).diary
