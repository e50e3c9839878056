"""The physician report's view model: plain frozen dataclasses, no Django, no database.

A selector fills a ``ReportContent`` from the diary and the insights; the renderer only
reads it. Everything is already computed and worded here (counts, labels, sentences), so
the renderer makes layout decisions only. Collections are typed as ``Sequence`` and
``Mapping`` so a list or a dict can be passed straight in; every one defaults to empty,
which is how an empty range (or a report without labs, tremors, ...) is expressed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# Severity codes from the flag rules, mildest first (DESIGN.md section 6).
SEVERITIES = ("info", "see_doctor", "see_doctor_soon", "urgent", "emergency")
TREND_DIRECTIONS = ("up", "down", "flat")
LAB_STATUSES = ("low", "normal", "high")

# A (label, count) pair, e.g. ("Twitch (a small flicker under the skin)", 42).
LabelCount = tuple[str, int]


@dataclass(frozen=True)
class Trend:
    """How the episode rate moved over the range, already worded."""

    sentence: str
    direction: str = "flat"  # one of TREND_DIRECTIONS


@dataclass(frozen=True)
class DayRow:
    """One local day of the range; ``None`` means nothing was logged for that measure."""

    day: date
    episodes: int = 0
    caffeine_mg: float | None = None
    sleep_hours: float | None = None  # the night before this day
    stress_mean: float | None = None  # mean of the day's stress ratings


@dataclass(frozen=True)
class RegionSpan:
    """A body region with episodes, from the first to the last day it was involved."""

    region_label: str
    first_day: date
    last_day: date
    episodes: int


@dataclass(frozen=True)
class MedicationRow:
    name: str
    drug_class_label: str
    dose: str = ""
    started_on: date | None = None
    stopped_on: date | None = None
    as_needed: bool = False
    doses_in_range: int = 0
    known_link: str | None = None  # what is known about the class and twitching; None if nothing


@dataclass(frozen=True)
class AssociationRow:
    """An association that survived the multiple-comparison correction."""

    label: str
    sentence: str
    rate_ratio: float
    ci_low: float
    ci_high: float
    q_value: float


@dataclass(frozen=True)
class FlagRow:
    """A flag worth a doctor's look, with the entries and dates behind it."""

    title: str
    severity: str  # one of SEVERITIES
    wording: str
    evidence: str
    first_seen: date | None = None
    last_seen: date | None = None
    source: str = ""
    acknowledged: bool = False  # the patient marked "I have seen a doctor about this"


@dataclass(frozen=True)
class LabRow:
    taken_on: date
    analyte_label: str
    value: float
    unit: str
    reference_low: float | None = None
    reference_high: float | None = None
    status: str = "normal"  # one of LAB_STATUSES


@dataclass(frozen=True)
class TremorRow:
    recorded_at: datetime  # local time
    hand: str
    posture: str
    dominant_hz: float | None
    rhythmic: bool
    description: str = ""


@dataclass(frozen=True)
class EpisodeRow:
    started_at_local: datetime
    duration_s: int
    sites: str  # already labelled and joined, e.g. "left index finger, left thumb"
    character: str
    intensity: int  # 1-10
    context: str = ""
    symptoms: str = ""  # already labelled and joined
    notes: str = ""


@dataclass(frozen=True)
class ReportContent:
    """Everything the physician report shows, for one patient and one local date range."""

    patient_display_name: str
    range_start: date
    range_end: date
    generated_at: datetime
    timezone: str
    birth_year: int | None = None
    episode_count: int = 0
    days_affected: int = 0
    days_in_range: int = 0
    total_duration_s: int = 0
    mean_intensity: float | None = None
    trend: Trend | None = None
    daily: Sequence[DayRow] = ()
    finger_counts: Mapping[str, int] = field(default_factory=dict)  # body site code -> episodes
    other_site_counts: Sequence[LabelCount] = ()
    region_timeline: Sequence[RegionSpan] = ()
    characters: Sequence[LabelCount] = ()
    contexts: Sequence[LabelCount] = ()
    symptoms: Sequence[LabelCount] = ()
    intensity_counts: Mapping[int, int] = field(default_factory=dict)  # intensity 1-10 -> episodes
    medications: Sequence[MedicationRow] = ()
    associations: Sequence[AssociationRow] = ()
    association_method: str = ""
    association_status: str = ""  # e.g. "not enough data yet: 12 more days"; empty once tested
    flags: Sequence[FlagRow] = ()
    labs: Sequence[LabRow] = ()
    tremors: Sequence[TremorRow] = ()
    episodes: Sequence[EpisodeRow] = ()
    # i16: the self-experiment section (insights.reports.experiment_section.ExperimentReport).
    experiment: Any = None

    @property
    def mean_duration_s(self) -> float | None:
        return self.total_duration_s / self.episode_count if self.episode_count else None

    @property
    def open_flags(self) -> list[FlagRow]:
        """Unacknowledged flags that ask for a doctor's look, most severe first."""
        rank = {code: i for i, code in enumerate(SEVERITIES)}
        selected = [f for f in self.flags if not f.acknowledged and f.severity != "info"]
        return sorted(selected, key=lambda f: -rank.get(f.severity, 0))
