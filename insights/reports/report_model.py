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
from typing import TYPE_CHECKING, NamedTuple

from insights.analysis.knowledge import SEVERITIES
from insights.reports.diary_figures import DiaryFigures
from insights.wording import TriggerStatus, day_text, period_text, status_words

if TYPE_CHECKING:
    # Only for the annotation: the section module reads the database, this view model does not.
    from insights.reports.experiment_section import ExperimentReport

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
class RegionRow:
    """A body region with episodes, from the first to the last day it was involved (the analysis's
    ``RegionSpan``, worded)."""

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


ASSOCIATION_STATUSES = tuple(status.value for status in TriggerStatus)


@dataclass(frozen=True)
class AssociationRow:
    """One trigger considered, found or not: the doctor sees what was tested, not only the survivors."""

    label: str
    sentence: str  # the finding in a doctor's words, one line
    rate_ratio: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    q_value: float | None = None
    status: str = TriggerStatus.LINKED.value  # one of ASSOCIATION_STATUSES
    status_text: str = ""  # the one wording of the status (insights.wording), e.g. "not clear yet"
    comparison: str = ""  # what was compared, e.g. "days with 300 mg caffeine or more against the others"
    n_days: int | None = None
    trigger: str = ""  # the engine's key: caffeine | sleep | stress | exercise... | medication:<id> | inhaler...
    cut_point: float | None = None  # where the user's "high" days began in the comparison (sleep: short nights)

    @property
    def result(self) -> str:
        return self.status_text or status_words(self.status)

    @property
    def linked(self) -> bool:
        """Whether the trigger is linked (the share page sets that result in bold)."""
        return self.status == TriggerStatus.LINKED

    @property
    def effect(self) -> str:
        """ "1.9 (1.4-2.6)", or "-" when nothing was estimated."""
        if self.rate_ratio is None or self.ci_low is None or self.ci_high is None:
            return "-"
        return f"{self.rate_ratio:.1f} ({self.ci_low:.1f}-{self.ci_high:.1f})"


@dataclass(frozen=True)
class FlagRow:
    """A flag worth a doctor's look, with the entries and dates behind it."""

    title: str
    severity: str  # one of the flag rules' SEVERITIES (insights.analysis.knowledge)
    wording: str  # the patient-voice wording of the app; the report shows ``clinician`` instead
    evidence: str  # what the evidence counts, in words, e.g. "12 episodes on 9 days"
    first_seen: date | None = None
    last_seen: date | None = None
    source: str = ""
    acknowledged: bool = False  # the patient marked "I have seen a doctor about this"
    clinician: str = ""  # one line in a doctor's words; falls back to the title
    detail: str = ""  # the evidence named, e.g. "Magnesium 0.68 mmol/L (range 0.70-1.00) on 17 Oct 2026"
    rule_id: str = ""
    red_flag: bool = False  # a sign that changes urgency; the others are patterns for a routine review
    outside_range: str = ""  # e.g. "first logged 9 Aug 2026, before this report's range"

    @property
    def headline(self) -> str:
        return self.clinician or self.title

    @property
    def dates(self) -> str:
        """ "4 Aug 2026 to 1 Dec 2026", or the one date."""
        if self.first_seen and self.last_seen and self.first_seen != self.last_seen:
            return period_text(self.first_seen, self.last_seen)
        return day_text(self.first_seen or self.last_seen)


@dataclass(frozen=True)
class LabRow:
    taken_on: date
    analyte_label: str
    value: float
    unit: str
    reference_low: float | None = None
    reference_high: float | None = None
    status: str = "normal"  # one of LAB_STATUSES

    @property
    def numbers(self) -> tuple[str, str]:
        """Value and reference range with one shared precision, as a lab prints them ("0.62", "0.70-1.00")."""
        digits = lab_decimals(self.value, self.reference_low, self.reference_high)
        low, high = self.reference_low, self.reference_high
        if low is not None and high is not None:
            reference = f"{low:.{digits}f}-{high:.{digits}f}"
        elif low is not None:
            reference = f"above {low:.{digits}f}"
        elif high is not None:
            reference = f"below {high:.{digits}f}"
        else:
            reference = "-"
        return f"{self.value:.{digits}f}", reference

    @property
    def sentence(self) -> str:
        """ "Magnesium 0.68 mmol/L (range 0.70-1.00)"."""
        value, reference = self.numbers
        return f"{self.analyte_label} {value} {self.unit}" + (f" (range {reference})" if reference != "-" else "")


def lab_decimals(*values: float | None) -> int:
    """As many decimals as the most precise of a lab's numbers, as the lab printed them."""
    return max((len(f"{v:g}".split(".")[1]) if "." in f"{v:g}" else 0 for v in values if v is not None), default=0)


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
    finger_episodes_by_side: Mapping[str, int] = field(default_factory=dict)  # side -> episodes with any finger
    other_site_counts: Sequence[LabelCount] = ()
    region_timeline: Sequence[RegionRow] = ()
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
    figures: DiaryFigures | None = None  # onset, course, spread, trend, negatives over the covered days
    experiment: ExperimentReport | None = None  # the self-experiment section, when one overlaps the range
    flags_left_out: int = 0  # a share's flags resting on entries before its range, not shown
    first_entry_ever: date | None = None  # the diary's first known day, whatever the range
    scope: str = "diary"  # "diary": flags judged over the diary up to the range end; "range": a share's
    dose_timing: Sequence[str] = ()  # episodes within hours of a dose of a medicine with a known link
    lab_follow_up: Sequence[str] = ()  # out-of-range results and what followed
    exposures: Sequence[str] = ()  # caffeine and sleep against the guidance
    # Which sleep, caffeine and exercise figures came from Apple Health / Health Connect (device_sources.py).
    device_sources: str = ""

    @property
    def mean_duration_s(self) -> float | None:
        return self.total_duration_s / self.episode_count if self.episode_count else None

    @property
    def open_flags(self) -> list[FlagRow]:
        """Unacknowledged flags that ask for a doctor's look, most severe first, then oldest first."""
        rank = {code: i for i, code in enumerate(SEVERITIES)}
        selected = [f for f in self.flags if not f.acknowledged and f.severity != "info"]
        return sorted(selected, key=lambda f: (-rank.get(f.severity, 0), f.first_seen or date.max))

    @property
    def red_flags(self) -> list[FlagRow]:
        """The open flags that change urgency, most pressing first."""
        return [f for f in self.open_flags if f.red_flag]

    @property
    def routine_flags(self) -> list[FlagRow]:
        """The open flags that are patterns for a routine review."""
        return [f for f in self.open_flags if not f.red_flag]


def report_filename(*, start: date, end: date) -> str:
    return f"twitchlog-report-{start.isoformat()}-to-{end.isoformat()}.pdf"


class ReportFile(NamedTuple):
    """A rendered report and the name it is downloaded under."""

    pdf: bytes
    filename: str
