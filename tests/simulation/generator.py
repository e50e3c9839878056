"""Simulated diaries whose truth is known, drawn without the engine's cut points or lags.

Every user gets their own habits and their own truth, drawn at random:

- thresholds: caffeine from 150-350 mg, a short night under 5.5-7 h, stress from 5-8, a long
  session from 30-60 min of exercise;
- effect shapes (``SHAPES``): a step at the user's threshold, a linear dose-response (the rate grows
  linearly from the user's 10th to 90th percentile of the exposure), caffeine acting the next day
  or over two days (the day of the drink and the next);
- days vary more than Poisson (a gamma day factor, shape 1.5-4) and in spells (an AR(1) factor on
  the log rate); adherence starts at 85-97% and falls by 5-25 points over the diary; workdays
  differ from weekends; the rate drifts slowly;
- exposures move together: after a short night people drink more coffee and feel more stressed;
  stress runs in spells (AR(1));
- half the users tick "no caffeine today" (stored as a 0 mg intake) and half log nothing on their
  caffeine-free days; some forget a drink, a night or a session;
- about a third start a regular medicine half-way and a fifth use an inhaler, both without any
  effect, so the engine's tests of them sit in the same correction as in real diaries.

How people keep the diary (``LOGGING_STYLES``, per user):

- ``entries``: the diary before day check-ins: something is logged on almost every kept day, half
  the users tick "no caffeine" as a 0 mg intake, and nothing says a day is complete;
- ``instructed``: logs exactly as the app asks: a day check-in on every kept day ("no twitches
  today" when there were none), entries only for what happened (never a 0 mg intake; a night or a
  stress rating on some days, not all), and on a few days (5-15%) the diary is dropped part-way
  through the day, leaving that day's morning entries and no check-in;
- ``mixed``: as ``instructed``, but the check-in is forgotten on 20-50% of the complete days.

Null kinds (``NULL_KINDS``), where any report is wrong unless said otherwise: ``plain``; ``trend``
(twitching and caffeine and stress all rise over the months, unlinked); ``weekday`` (more twitching,
coffee and stress on workdays, less sleep); ``confounded`` (only short sleep raises twitching, and
stress and coffee run high after short nights: a report of sleep is right, of anything else wrong);
``step_confounded`` (only nights under the user's own threshold, 5.5-7 h, raise twitching, as a
step, and stress runs 2-3.5 points higher after exactly those nights: sleep is right, stress wrong);
``instructed`` (a plain null kept by ``instructed`` loggers); ``wrong_zone`` and
``wrong_zone_no_offsets`` (a plain null whose profile time zone is 1-9 hours away from where the
diary was kept, each record carrying the phone's UTC offset, or none as from an older app; users of
every logging style). The first four kinds log in the ``entries`` style, as before check-ins
existed, so their figures stay comparable; ``step_confounded`` draws a style per user.

A rate ratio means the true contrast: for a step, the rate on exposed against unexposed days; for a
dose-response, the rate at the user's 90th percentile of the exposure against their 10th.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from insights.analysis.records import (
    CaffeineRecord,
    CheckinRecord,
    Diary,
    DoseRecord,
    EpisodeRecord,
    ExerciseRecord,
    MedicationRecord,
    SleepRecord,
    StressRecord,
)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

NULL_KINDS = (
    "plain",
    "trend",
    "weekday",
    "confounded",
    "step_confounded",
    "instructed",
    "wrong_zone",
    "wrong_zone_no_offsets",
)
LOGGING_STYLES = ("entries", "instructed", "mixed")
# Null kinds whose users each draw a logging style (the older kinds all log "entries").
STYLE_DRAWN_KINDS = frozenset({"step_confounded", "wrong_zone", "wrong_zone_no_offsets"})
WRONG_ZONE_KINDS = frozenset({"wrong_zone", "wrong_zone_no_offsets"})
# Where a wrong profile zone is drawn from: any of these 1-9 hours away from the real one.
PROFILE_ZONES = (
    "Pacific/Honolulu",
    "America/Los_Angeles",
    "America/Denver",
    "America/New_York",
    "America/Sao_Paulo",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
)
MAX_ZONE_GAP_HOURS = 9.0
# shape -> (trigger, lag in days, form)
SHAPES: dict[str, tuple[str, int, str]] = {
    "caffeine_step": ("caffeine", 0, "step"),
    "caffeine_linear": ("caffeine", 0, "linear"),
    "caffeine_next_day": ("caffeine", 1, "step"),
    "caffeine_two_day": ("caffeine", 0, "two_day"),
    "sleep_step": ("sleep", 0, "step"),
    "sleep_linear": ("sleep", 0, "linear"),
    "stress_step": ("stress", 0, "step"),
    "stress_linear": ("stress", 0, "linear"),
    "exercise_next_day": ("exercise", 1, "step"),
}
# Where each trigger's threshold is drawn from (per user).
THRESHOLD_RANGES = {"caffeine": (150.0, 350.0), "sleep": (5.5, 7.0), "stress": (5.0, 8.0), "exercise": (30.0, 60.0)}
# Triggers whose effect comes with less of the exposure (a short night).
LESS_IS_MORE = frozenset({"sleep"})
TODAY = date(2026, 6, 30)
TIMEZONES = ("Europe/London", "America/New_York", "America/Los_Angeles", "Asia/Kolkata", "Australia/Sydney")
REGULAR_MEDICATION_ID = "sim-regular"
INHALER_ID = "sim-inhaler"
# Days simulated before the diary starts, so a lagged effect on its first day has a cause.
LEAD_IN = 2


@dataclass(frozen=True)
class Scenario:
    kind: str  # a null kind or a shape
    days: int
    rate_ratio: float = 1.0
    # A logging style for every user (``LOGGING_STYLES``); None: the kind's own (module docstring).
    logging: str | None = None

    @property
    def is_null(self) -> bool:
        return self.kind in NULL_KINDS


@dataclass(frozen=True)
class Truth:
    """What really happened, and the one contrast that a test knowing it would make."""

    kind: str
    trigger: str | None  # the trigger that raises twitching (None on plain, trend and weekday nulls)
    lag: int
    form: str
    threshold: float | None
    rate_ratio: float
    right_triggers: frozenset[str]  # triggers whose report is right
    # Per diary day: the exposure contrast the effect follows (0/1 for steps, 0-1 dose for linear),
    # NaN where the day was not logged or the exposure it follows was not logged.
    feature: FloatArray
    episodes: FloatArray  # per diary day, NaN where not logged
    weekend: FloatArray
    trend: FloatArray


@dataclass(frozen=True)
class SimulatedUser:
    diary: Diary
    truth: Truth
    logs_zero_caffeine: bool
    logging: str = "entries"
    # The zone the diary was really kept in (the profile's, ``diary.timezone``, unless a wrong-zone kind).
    real_timezone: str = ""


def _ar1(rng: np.random.Generator, n: int, phi: float) -> FloatArray:
    """A stationary AR(1) series with unit variance."""
    noise = rng.normal(0.0, 1.0, n)
    values = np.empty(n)
    values[0] = noise[0]
    scale = np.sqrt(1 - phi**2)
    for i in range(1, n):
        values[i] = phi * values[i - 1] + scale * noise[i]
    return values


class _Habits:
    """One user's true days (LEAD_IN days before the diary plus the diary's days)."""

    def __init__(self, rng: np.random.Generator, scenario: Scenario) -> None:
        kind = scenario.kind
        self.n = n = scenario.days + LEAD_IN
        first = TODAY - timedelta(days=n - 1)
        self.dates = [first + timedelta(days=i) for i in range(n)]
        weekday = (first.weekday() + np.arange(n)) % 7
        self.workday = weekday < 5
        self.weekend = (~self.workday).astype(np.float64)
        self.frac = np.arange(n) / (n - 1)
        strong_week = kind == "weekday"
        trending = kind == "trend"
        confounded = kind == "confounded"
        step_confounded = kind == "step_confounded"

        usual_sleep = rng.uniform(6.2, 7.8)
        weekend_lie_in = rng.uniform(0.3, 0.6) if strong_week else rng.uniform(0.0, 0.4)
        self.sleep = np.clip(
            usual_sleep + weekend_lie_in * self.weekend + rng.uniform(0.7, 1.1) * _ar1(rng, n, rng.uniform(0.1, 0.4)),
            3.0,
            11.0,
        )
        short = np.clip(usual_sleep - self.sleep, 0.0, None)

        coffee_after_short = rng.uniform(0.25, 0.4) if confounded else rng.uniform(0.05, 0.25)
        workday_coffee = rng.uniform(1.3, 1.6) if strong_week else rng.uniform(1.0, 1.15)
        coffee_drift = np.log(rng.uniform(1.3, 1.8)) if trending else 0.0
        level = (
            rng.uniform(100, 350)
            * np.exp(coffee_after_short * short + coffee_drift * self.frac)
            * np.where(self.workday, workday_coffee, 1.0)
        )
        self.caffeine = rng.gamma(4.0, level / 4.0)
        self.caffeine[rng.random(n) < rng.uniform(0.05, 0.3)] = 0.0

        stress_after_short = rng.uniform(0.8, 1.4) if confounded else rng.uniform(0.2, 0.8)
        workday_stress = rng.uniform(1.0, 2.0) if strong_week else rng.uniform(0.0, 0.5)
        stress_drift = rng.uniform(1.0, 2.0) if trending else 0.0
        stress = (
            rng.uniform(3.0, 6.0)
            + 1.3 * _ar1(rng, n, rng.uniform(0.3, 0.6))
            + stress_after_short * short
            + workday_stress * self.workday
            + stress_drift * self.frac
        )
        # The step-confounded null: stress a few points higher after exactly the nights under the
        # user's own threshold, the same nights whose step raises twitching.
        self.short_threshold: float | None = None
        if step_confounded:
            self.short_threshold = float(rng.uniform(*THRESHOLD_RANGES["sleep"]))
            stress = stress + rng.uniform(2.0, 3.5) * (self.sleep <= self.short_threshold)
        self.stress = np.clip(np.round(stress), 0, 10)

        active = rng.uniform(0.2, 0.6)
        sessions = rng.random(n) < np.where(self.workday, active, min(0.9, active + 0.15))
        self.exercise = np.where(sessions, rng.integers(15, 91, n), 0).astype(np.float64)

        # The twitching rate before any trigger: over-dispersed, in spells, weekly and drifting.
        spell = rng.uniform(0.2, 0.4)
        shape = rng.uniform(1.5, 4.0)
        workday_twitch = rng.uniform(1.3, 1.6) if strong_week else rng.uniform(1.0, 1.2)
        drift = np.log(rng.uniform(1.5, 2.2)) if trending else rng.uniform(-0.2, 0.2)
        self.rate = (
            rng.uniform(0.5, 3.0)
            * np.exp(spell * _ar1(rng, n, rng.uniform(0.2, 0.5)) - spell**2 / 2)
            * rng.gamma(shape, 1 / shape, n)
            * np.where(self.workday, workday_twitch, 1.0)
            * np.exp(drift * self.frac)
        )

    def exposure(self, trigger: str) -> FloatArray:
        return {"caffeine": self.caffeine, "sleep": self.sleep, "stress": self.stress, "exercise": self.exercise}[
            trigger
        ]


def _lagged(values: FloatArray, lag: int) -> FloatArray:
    return values if lag == 0 else np.concatenate([np.full(lag, np.nan), values[:-lag]])


def _plant(
    rng: np.random.Generator,
    habits: _Habits,
    trigger: str,
    lag: int,
    form: str,
    ratio: float,
    threshold: float | None = None,
) -> tuple[FloatArray, float | None]:
    """Multiply the rate by the effect; return the true contrast per day and the threshold."""
    x = habits.exposure(trigger)
    sign = -1.0 if trigger in LESS_IS_MORE else 1.0
    if form == "linear":
        low, high = np.percentile(sign * x, [10, 90])
        dose = np.clip((sign * x - low) / max(high - low, 1e-9), 0.0, 1.0)
        feature, threshold = _lagged(dose, lag), None
        habits.rate = habits.rate * (1.0 + (ratio - 1.0) * np.nan_to_num(feature))
        return feature, threshold
    if threshold is None:
        threshold = float(rng.uniform(*THRESHOLD_RANGES[trigger]))
    exposed = (sign * x >= sign * threshold).astype(np.float64)
    feature = _lagged(exposed, lag)
    if form == "two_day":
        feature = np.fmax(feature, _lagged(exposed, 1))
    habits.rate = habits.rate * np.where(np.nan_to_num(feature) > 0, ratio, 1.0)
    return feature, threshold


class _Recorder:
    """Writes what the user logged as diary records."""

    def __init__(self, tz: str, dates: list[date]) -> None:
        self.tz = tz
        zone = ZoneInfo(tz)
        # Local midnight of each day once; a record's instant is midnight plus wall-clock hours
        # (an hour off on the two DST days a year, which no analysis here can notice).
        self.midnights = [datetime.combine(day, time(0), tzinfo=zone).timestamp() for day in dates]
        self.episodes: list[EpisodeRecord] = []
        self.caffeine: list[CaffeineRecord] = []
        self.sleep: list[SleepRecord] = []
        self.stress: list[StressRecord] = []
        self.exercise: list[ExerciseRecord] = []
        self.doses: list[DoseRecord] = []
        self.checkins: list[CheckinRecord] = []

    def lists(self) -> tuple[list, ...]:  # type: ignore[type-arg]
        return self.episodes, self.caffeine, self.sleep, self.stress, self.exercise, self.doses

    def drop_after(self, marks: tuple[int, ...], cut: datetime) -> None:
        """Forget the records made since ``marks`` (each list's length then) from ``cut`` on: the
        diary was dropped part-way through the day."""
        for records, mark in zip(self.lists(), marks, strict=True):
            records[mark:] = [r for r in records[mark:] if _moment(r) < cut]

    def at(self, day: int, hours: float) -> datetime:
        return datetime.fromtimestamp(self.midnights[day] + hours * 3600.0, UTC)


@dataclass(frozen=True)
class _Routine:
    """How often the routine entries are logged on a kept day."""

    sleep: float  # chance the night is logged
    stress_ratings: int  # up to this many stress ratings, each with chance stress_chance
    stress_chance: float


ROUTINE = {"entries": _Routine(0.85, 2, 0.65), "instructed": _Routine(0.6, 1, 0.5), "mixed": _Routine(0.6, 1, 0.5)}


def _log_day(
    rng: np.random.Generator,
    recorder: _Recorder,
    habits: _Habits,
    day: int,
    wake: float,
    logs_zero: bool,
    seen: dict[str, BoolArray],
    routine: _Routine = ROUTINE["entries"],
) -> None:
    """The records of one logged day, with the forgetting real diaries have."""
    mg = float(habits.caffeine[day])
    if mg > 0 and rng.random() < 0.95:
        servings = max(1, round(mg / 100))
        for hour in np.sort(rng.uniform(wake, wake + 9, servings)):
            recorder.caffeine.append(
                CaffeineRecord(f"caf{len(recorder.caffeine)}", recorder.at(day, float(hour)), round(mg / servings, 1))
            )
        seen["caffeine"][day] = True
    elif mg == 0 and logs_zero and rng.random() < 0.9:
        recorder.caffeine.append(CaffeineRecord(f"caf{len(recorder.caffeine)}", recorder.at(day, wake + 1), 0.0))
        seen["caffeine"][day] = True
    if rng.random() < routine.sleep:
        woke = recorder.at(day, wake)
        recorder.sleep.append(
            SleepRecord(f"slp{len(recorder.sleep)}", woke - timedelta(hours=float(habits.sleep[day])), woke)
        )
        seen["sleep"][day] = True
    for hour in rng.uniform(wake + 1, wake + 14, rng.binomial(routine.stress_ratings, routine.stress_chance)):
        recorder.stress.append(
            StressRecord(f"str{len(recorder.stress)}", recorder.at(day, float(hour)), int(habits.stress[day]))
        )
        seen["stress"][day] = True
    minutes = int(habits.exercise[day])
    if minutes and rng.random() < 0.9:
        recorder.exercise.append(
            ExerciseRecord(f"exe{len(recorder.exercise)}", recorder.at(day, wake + 10), minutes, "moderate", "walk")
        )
        seen["exercise"][day] = True


def _moment(record: object) -> datetime:
    """The instant that places a record on its day (as the analysis places it)."""
    for name in ("started_at", "consumed_at", "woke_at", "recorded_at", "taken_at"):
        if hasattr(record, name):
            return getattr(record, name)  # type: ignore[no-any-return]
    raise TypeError(type(record))


def _with_offsets(records: list, zone: ZoneInfo) -> tuple:  # type: ignore[type-arg]
    """The records, each with the UTC offset the phone had where the diary was kept."""
    return tuple(
        replace(r, utc_offset_min=int(_moment(r).astimezone(zone).utcoffset().total_seconds() // 60))  # type: ignore[union-attr]
        for r in records
    )


def _profile_zone(rng: np.random.Generator, real: str) -> str:
    """A zone 1-9 hours away from ``real`` (at TODAY), where a profile might wrongly say the user is."""
    noon = datetime.combine(TODAY, time(12), tzinfo=UTC)

    def offset(zone: str) -> float:
        return noon.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() / 3600  # type: ignore[union-attr]

    home = offset(real)
    far = [zone for zone in PROFILE_ZONES if 1.0 <= abs(offset(zone) - home) <= MAX_ZONE_GAP_HOURS]
    return str(rng.choice(far))


def _episode(rng: np.random.Generator, recorder: _Recorder, day: int, hour: float) -> EpisodeRecord:
    return EpisodeRecord(
        id=f"ep{len(recorder.episodes)}",
        started_at=recorder.at(day, hour),
        duration_s=int(rng.integers(3, 120)),
        body_sites=("left_index",),
        character="twitch",
        intensity=int(rng.integers(2, 8)),
    )


def _style(extra: np.random.Generator, scenario: Scenario) -> str:
    if scenario.logging is not None:
        return scenario.logging
    if scenario.kind == "instructed":
        return "instructed"
    if scenario.kind in STYLE_DRAWN_KINDS:
        return str(extra.choice(LOGGING_STYLES))
    return "entries"


def simulate(seed: int, scenario: Scenario) -> SimulatedUser:
    """One simulated user; the same seed and scenario always give the same diary."""
    rng = np.random.default_rng(seed)
    # What the older kinds never drew comes from a stream of its own, so their diaries stay the same.
    extra = np.random.default_rng([seed, 21])
    habits = _Habits(rng, scenario)
    n, days = habits.n, scenario.days
    kind = scenario.kind
    style = _style(extra, scenario)

    trigger: str | None = None
    lag, form, threshold, ratio = 0, "", None, scenario.rate_ratio
    feature = np.full(n, np.nan)
    if kind in SHAPES:
        trigger, lag, form = SHAPES[kind]
        feature, threshold = _plant(rng, habits, trigger, lag, form, ratio)
    elif kind in ("confounded", "step_confounded"):
        trigger, lag, form = "sleep", 0, "step"
        ratio = float(rng.uniform(2.0, 3.0))
        feature, threshold = _plant(rng, habits, trigger, lag, form, ratio, habits.short_threshold)
    elif kind not in NULL_KINDS:
        raise ValueError(f"unknown scenario kind {kind!r}")

    counts = rng.poisson(habits.rate)
    adherence = rng.uniform(0.85, 0.97) - rng.uniform(0.05, 0.25) * habits.frac
    logged = rng.random(n) < adherence
    logged[:LEAD_IN] = False
    logs_zero = bool(rng.random() < 0.5) and style == "entries"
    has_medication = bool(rng.random() < 0.33)
    has_inhaler = bool(rng.random() < 0.2)
    medication_start = LEAD_IN + int(rng.integers(int(days * 0.35), int(days * 0.65) + 1))

    real_zone = str(rng.choice(TIMEZONES))
    profile_zone = _profile_zone(extra, real_zone) if kind in WRONG_ZONE_KINDS else real_zone
    # Check-in users drop the diary part-way through some days, and "mixed" ones forget some check-ins.
    checks_in = style != "entries"
    partial = logged & (extra.random(n) < extra.uniform(0.05, 0.15)) if checks_in else np.zeros(n, dtype=bool)
    forgets = extra.uniform(0.2, 0.5) if style == "mixed" else 0.0
    recorder = _Recorder(real_zone, habits.dates)
    routine = ROUTINE[style]
    seen = {name: np.zeros(n, dtype=bool) for name in ("caffeine", "sleep", "stress", "exercise")}
    for day in np.flatnonzero(logged):
        marks = tuple(len(records) for records in recorder.lists())
        wake = 7.0 + float(rng.normal(0.0, 0.5))
        _log_day(rng, recorder, habits, int(day), wake, logs_zero, seen, routine)
        if has_medication and day >= medication_start and rng.random() < 0.8:
            recorder.doses.append(
                DoseRecord(f"dose{len(recorder.doses)}", REGULAR_MEDICATION_ID, recorder.at(day, wake))
            )
        if has_inhaler:
            for hour in rng.uniform(wake + 0.5, wake + 15, rng.poisson(0.7)):
                recorder.doses.append(DoseRecord(f"dose{len(recorder.doses)}", INHALER_ID, recorder.at(day, hour)))
        for hour in np.sort(rng.uniform(wake, wake + 15.5, counts[day])):
            recorder.episodes.append(_episode(rng, recorder, int(day), float(hour)))
        if partial[day]:
            recorder.drop_after(marks, recorder.at(int(day), wake + float(extra.uniform(1.0, 12.0))))
        elif checks_in and extra.random() >= forgets:
            recorder.checkins.append(
                CheckinRecord(f"chk{len(recorder.checkins)}", habits.dates[day], no_twitches=bool(counts[day] == 0))
            )

    medications = []
    if has_medication:
        start_on = habits.dates[medication_start]
        medications.append(MedicationRecord(REGULAR_MEDICATION_ID, "Levothyroxine", "levothyroxine", start_on))
    if has_inhaler:
        medications.append(
            MedicationRecord(
                INHALER_ID, "Salbutamol inhaler", "beta2_agonist", TODAY - timedelta(days=400), None, True, "salbutamol"
            )
        )
    # The app that sends each record's offset is the one with check-ins; the wrong-zone kinds say.
    with_offsets = kind == "wrong_zone" or (checks_in and kind != "wrong_zone_no_offsets")
    zone = ZoneInfo(real_zone)

    def timed(records: list) -> tuple:  # type: ignore[type-arg]
        return _with_offsets(records, zone) if with_offsets else tuple(records)

    diary = Diary(
        timezone=profile_zone,
        today=TODAY,
        episodes=timed(recorder.episodes),
        caffeine=timed(recorder.caffeine),
        sleep=timed(recorder.sleep),
        stress=timed(recorder.stress),
        medications=tuple(medications),
        doses=timed(recorder.doses),
        exercise=timed(recorder.exercise),
        checkins=tuple(recorder.checkins),
    )

    # The oracle knows which days were complete: a day dropped part-way through is not one of them.
    logged &= ~partial
    if trigger is not None:
        # The oracle sees the exposure where the user logged it; a caffeine-free day counts as seen
        # on any logged day (the oracle knows the user's habit), a session-free day likewise.
        visible = seen[trigger] | (logged & (trigger in ("caffeine", "exercise")))
        lags = [lag, lag + 1] if form == "two_day" else [lag]
        sees = logged.copy()
        for step in lags:
            sees &= _lagged(visible.astype(np.float64), step) == 1.0
        feature = np.where(sees, feature, np.nan)
    episodes = np.where(logged, counts, np.nan).astype(np.float64)
    right = frozenset({trigger}) if trigger else frozenset()
    truth = Truth(
        kind=kind,
        trigger=trigger,
        lag=lag,
        form=form,
        threshold=threshold,
        rate_ratio=ratio,
        right_triggers=right,
        feature=feature[LEAD_IN:],
        episodes=episodes[LEAD_IN:],
        weekend=habits.weekend[LEAD_IN:],
        trend=habits.frac[LEAD_IN:],
    )
    return SimulatedUser(diary=diary, truth=truth, logs_zero_caffeine=logs_zero, logging=style, real_timezone=real_zone)
