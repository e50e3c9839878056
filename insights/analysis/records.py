"""Plain, immutable views of a user's diary, the only input the pure analysis takes.

Selectors turn database rows into these; the analysis modules, the simulator and the
tests build them directly. All datetimes are timezone-aware UTC; a "day" is computed
from them in the user's IANA timezone by the analysis, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class EpisodeRecord:
    id: str
    started_at: datetime
    duration_s: int
    body_sites: tuple[str, ...]
    character: str
    intensity: int
    context: str | None = None
    symptoms: tuple[str, ...] = ()
    # The phone's UTC offset in minutes when it was logged; None: the profile's zone decides the day.
    utc_offset_min: int | None = None


@dataclass(frozen=True)
class CaffeineRecord:
    id: str
    consumed_at: datetime
    mg: float
    # The phone's UTC offset in minutes when it was logged; None: the profile's zone decides the day.
    utc_offset_min: int | None = None


@dataclass(frozen=True)
class SleepRecord:
    id: str
    bed_at: datetime
    woke_at: datetime
    quality: int | None = None
    # The phone's UTC offset in minutes when it was logged; None: the profile's zone decides the day.
    utc_offset_min: int | None = None
    # Minutes asleep from an imported night's asleep stages; None for a night logged by hand.
    asleep_min: float | None = None

    @property
    def hours(self) -> float:
        """Hours asleep: the asleep stages where the health store gave them (never in-bed time),
        else bed to waking."""
        if self.asleep_min is not None:
            return self.asleep_min / 60.0
        return (self.woke_at - self.bed_at).total_seconds() / 3600.0


@dataclass(frozen=True)
class StressRecord:
    id: str
    recorded_at: datetime
    level: int
    # The phone's UTC offset in minutes when it was logged; None: the profile's zone decides the day.
    utc_offset_min: int | None = None


@dataclass(frozen=True)
class MedicationRecord:
    id: str
    name: str
    drug_class: str
    started_on: date | None
    stopped_on: date | None = None
    as_needed: bool = False
    catalogue_key: str | None = None


@dataclass(frozen=True)
class DoseRecord:
    id: str
    medication_id: str
    taken_at: datetime
    amount: str = ""
    # The phone's UTC offset in minutes when it was logged; None: the profile's zone decides the day.
    utc_offset_min: int | None = None


@dataclass(frozen=True)
class ExerciseRecord:
    id: str
    started_at: datetime
    duration_min: int
    intensity: str = "moderate"
    kind: str = ""
    # The phone's UTC offset in minutes when it was logged; None: the profile's zone decides the day.
    utc_offset_min: int | None = None


@dataclass(frozen=True)
class LabRecord:
    id: str
    taken_on: date
    analyte: str
    value: float
    unit: str
    reference_low: float | None = None
    reference_high: float | None = None


@dataclass(frozen=True)
class TremorRecord:
    """A phone tremor recording after analysis (see insights.analysis.tremor)."""

    id: str
    recorded_at: datetime
    hand: str  # "left" | "right"
    posture: str  # "rest" | "postural" | "action"
    dominant_hz: float | None
    rhythmic: bool
    amplitude: float | None = None
    description: str = ""  # the analysis in plain words, for summaries and reports
    utc_offset_min: int | None = None


@dataclass(frozen=True)
class CheckinRecord:
    """A day check-in: the person kept the diary on ``day`` (a local date), so that day is known."""

    id: str
    day: date
    no_twitches: bool = False
    # During a self-experiment: whether the day's plan was kept (None: not asked or not said).
    kept_plan: bool | None = None


@dataclass(frozen=True)
class Diary:
    """Everything the analysis needs about one user, as of ``today`` (a local date)."""

    timezone: str
    today: date
    birth_year: int | None = None
    episodes: tuple[EpisodeRecord, ...] = ()
    caffeine: tuple[CaffeineRecord, ...] = ()
    sleep: tuple[SleepRecord, ...] = ()
    stress: tuple[StressRecord, ...] = ()
    medications: tuple[MedicationRecord, ...] = ()
    doses: tuple[DoseRecord, ...] = ()
    exercise: tuple[ExerciseRecord, ...] = ()
    labs: tuple[LabRecord, ...] = ()
    tremors: tuple[TremorRecord, ...] = field(default_factory=tuple)
    checkins: tuple[CheckinRecord, ...] = ()
