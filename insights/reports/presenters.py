"""Fill the physician report's view model (``ReportContent``) from one user's database rows.

The range is a pair of local dates in the user's timezone, both included. The diary is read
with ``insights.selectors.diary_for_user`` (one query per table), plus the episodes' notes and
the medications' dose text, which the analysis records leave out, plus the stored flags and
insight state: a constant number of queries, whatever the range holds. Everything the
renderer prints is counted and worded here, so the PDF and the diary cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.utils import timezone

from accounts.models import User
from diary.catalogues.body_sites import BODY_SITES, site_label
from diary.catalogues.episode_terms import CHARACTERS, CONTEXTS, LAB_ANALYTES, SYMPTOMS
from diary.catalogues.medicines import DRUG_CLASSES
from insights import selectors, wording
from insights.analysis.daily_series import build_daily_series, local_date, local_midnight
from insights.analysis.flag_rules import FlagResult, evaluate_flags, is_red_flag, region_timeline
from insights.analysis.records import Diary, EpisodeRecord, LabRecord, MedicationRecord
from insights.models import Flag, FlagStatus, InsightState
from insights.presenters import METHOD, status_sentence
from insights.reports import page_one_facts
from insights.reports.device_sources import device_sources_sentence
from insights.reports.diary_figures import diary_figures
from insights.reports.experiment_section import experiment_report
from insights.reports.report_model import (
    AssociationRow,
    DayRow,
    EpisodeRow,
    FlagRow,
    LabRow,
    MedicationRow,
    RegionRow,
    ReportContent,
    TremorRow,
    Trend,
)

# A lab taken up to a year before the range still explains twitching in it (a low magnesium
# found in spring matters for a summer report); older results would only clutter the page.
LAB_LOOKBACK = timedelta(days=365)

_TREND_DIRECTION = {"up": "up", "down": "down", "flat": "flat", "too_short": "flat"}


@dataclass(frozen=True)
class LocalRange:
    """Local dates (both included) and the UTC instants that bound them."""

    start: date
    end: date
    starts_at: datetime
    ends_at: datetime  # exclusive: the local midnight after ``end``

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def local_range(user: User, start: date, end: date) -> LocalRange:
    tz = ZoneInfo(user.timezone)
    return LocalRange(start, end, local_midnight(start, tz), local_midnight(end + timedelta(days=1), tz))


def short_label(label: str) -> str:
    """ "Twitch (a small flicker under the skin)" -> "Twitch": the bracket explains it to patients only."""
    return label.split(" (")[0]


def _finite(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 1)


def _daily_rows(diary: Diary, span: LocalRange) -> list[DayRow]:
    series = build_daily_series(diary, span.start, span.end)
    rows = []
    for i, day in enumerate(series.days):
        episodes = series.episodes[i]
        rows.append(
            DayRow(
                day=day,
                episodes=0 if np.isnan(episodes) else int(episodes),
                caffeine_mg=_finite(series.caffeine_mg[i]),
                sleep_hours=_finite(series.sleep_hours[i]),
                stress_mean=_finite(series.stress_mean[i]),
            )
        )
    return rows


def _label_counts(values: Iterable[str]) -> list[tuple[str, int]]:
    return Counter(v for v in values if v).most_common()


def _episode_rows(episodes: Sequence[EpisodeRecord], notes: dict[str, str], tz: ZoneInfo) -> list[EpisodeRow]:
    return [
        EpisodeRow(
            started_at_local=e.started_at.astimezone(tz).replace(tzinfo=None),
            duration_s=e.duration_s,
            sites=", ".join(site_label(code) for code in e.body_sites),
            character=short_label(CHARACTERS.get(e.character, e.character)),
            intensity=e.intensity,
            context=short_label(CONTEXTS[e.context]) if e.context in CONTEXTS else (e.context or ""),
            symptoms=", ".join(SYMPTOMS.get(s, s) for s in e.symptoms),
            notes=notes.get(e.id, ""),
        )
        for e in episodes
    ]


def _medication_rows(
    medications: Sequence[MedicationRecord], doses: dict[str, int], dose_text: dict[str, str], span: LocalRange
) -> list[MedicationRow]:
    """Medicines taken at any time in the range (by their dates, or by a dose logged in it)."""
    rows = []
    for med in sorted(medications, key=lambda m: (m.started_on or date.min, m.name)):
        overlaps = (med.started_on is None or med.started_on <= span.end) and (
            med.stopped_on is None or med.stopped_on >= span.start
        )
        if not overlaps and not doses.get(med.id):
            continue
        drug_class = DRUG_CLASSES.get(med.drug_class, DRUG_CLASSES["other"])
        rows.append(
            MedicationRow(
                name=med.name,
                drug_class_label=drug_class.label,
                dose=dose_text.get(med.id, ""),
                started_on=med.started_on,
                stopped_on=med.stopped_on,
                as_needed=med.as_needed,
                doses_in_range=doses.get(med.id, 0),
                # Diuretics and PPIs act through low magnesium and potassium, which does bear on twitching.
                known_link=drug_class.link if drug_class.code != "other" else None,
            )
        )
    return rows


def _lab_rows(labs: Sequence[LabRecord], span: LocalRange) -> list[LabRow]:
    earliest = span.start - LAB_LOOKBACK
    chosen = sorted(
        (lab for lab in labs if earliest <= lab.taken_on <= span.end), key=lambda lab: (lab.taken_on, lab.analyte)
    )
    return [_lab_row(lab) for lab in chosen]


def association_comparison(result: dict[str, Any]) -> str:
    trigger = str(result.get("trigger", ""))
    if trigger.startswith("medication:"):
        return f"days after starting {result.get('label', 'the medicine')} vs before"
    # The engine words the comparison for the patient ("your higher-caffeine days"); a doctor reads
    # it about the patient.
    return str(result.get("comparison") or result.get("exposure") or "").replace("your ", "")


def association_sentence(result: dict[str, Any]) -> str:
    """A stored association in a doctor's words (the engine's clinician line, or one built from its numbers)."""
    if result.get("clinician_sentence"):
        return str(result["clinician_sentence"])
    status = wording.status_of(result)
    ratio, low, high = result.get("rate_ratio"), result.get("ci_low"), result.get("ci_high")
    if status == wording.TriggerStatus.NOT_TESTABLE or ratio is None or low is None or high is None:
        return wording.status_words(status).capitalize() + "."
    return (
        f"Rate ratio {float(ratio):.1f} ({wording.EFFECT_INTERVAL} {float(low):.1f}-{float(high):.1f}); "
        f"{wording.status_words(status)}."
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _associations(state: InsightState | None) -> tuple[list[AssociationRow], str, str]:
    """Every trigger considered, found or not (linked first), the status line and the method line."""
    if state is None or state.computed_at is None:
        return [], "Associations have not been computed for this diary yet.", ""
    rows = [
        AssociationRow(
            label=str(a.get("label") or a.get("trigger", "")),
            sentence=association_sentence(a),
            rate_ratio=_float(a.get("rate_ratio")),
            ci_low=_float(a.get("ci_low")),
            ci_high=_float(a.get("ci_high")),
            q_value=_float(a.get("q_value")),
            status=wording.status_of(a),
            status_text=wording.status_words(wording.status_of(a)),
            comparison=association_comparison(a),
            n_days=a.get("n_days"),
            trigger=str(a.get("trigger", "")),
            cut_point=_float(a.get("cut_point")),
        )
        for a in state.associations
    ]
    rows.sort(key=lambda row: (wording.STATUS_ORDER[row.status], row.q_value if row.q_value is not None else 1.0))
    status = ""
    if not any(row.status != wording.TriggerStatus.NOT_TESTABLE for row in rows):
        status = status_sentence(state.sufficiency, [], state.associations)
    # Associations are computed over the whole diary, not only this range: say so beside the method.
    method = f"{METHOD} Computed over the whole diary on {wording.day_text(state.computed_at.date())}."
    return rows, status, method


def _flag_evidence(flag: FlagResult, history: Diary, scope: str) -> str:
    """What the evidence counts, in words: "12 episodes on 9 days (of this range's 40 episodes)". Each
    kind is counted as what it is (episodes, tremor recordings, lab results), never mixed."""
    ids = set(flag.evidence_entry_ids)
    episodes = [e for e in history.episodes if e.id in ids]
    tz = ZoneInfo(history.timezone)
    parts = []
    if episodes:
        days = {local_date(e.started_at, tz) for e in episodes}
        of = "this range's" if scope == "range" else "the diary's"
        total = len(history.episodes)
        share = f" (of {of} {wording.plural(total, 'episode')})" if total > len(episodes) else ""
        parts.append(f"{wording.plural(len(episodes), 'episode')} on {wording.plural(len(days), 'day')}{share}")
    recordings = sum(1 for t in history.tremors if t.id in ids)
    if recordings:
        parts.append(wording.plural(recordings, "tremor recording"))
    labs = sum(1 for lab in history.labs if lab.id in ids)
    if labs:
        parts.append(wording.plural(labs, "lab result"))
    return "; ".join(parts) or "See the diary entries."


def _lab_row(lab: LabRecord) -> LabRow:
    return LabRow(
        lab.taken_on,
        LAB_ANALYTES.get(lab.analyte, lab.analyte),
        lab.value,
        lab.unit,
        lab.reference_low,
        lab.reference_high,
        page_one_facts.lab_status(lab),
    )


def _flag_rows(
    found: Iterable[FlagResult], stored: Iterable[Flag], history: Diary, span: LocalRange, scope: str
) -> list[FlagRow]:
    """The flags the diary shows over ``history`` (the range alone for a share), with whether the
    patient marked each as seen by a doctor (a stored flag not open, whose evidence is unchanged)."""
    seen = {flag.fingerprint for flag in stored if flag.status != FlagStatus.OPEN}
    return [
        FlagRow(
            title=flag.title,
            severity=flag.severity,
            wording=flag.wording,
            evidence=_flag_evidence(flag, history, scope),
            first_seen=flag.first_seen,
            last_seen=flag.last_seen,
            source=flag.source,
            acknowledged=flag.fingerprint in seen,
            clinician=flag.clinician_wording,
            detail=flag.detail,
            rule_id=flag.rule_id,
            red_flag=is_red_flag(flag.rule_id, flag.severity),
            outside_range=page_one_facts.scope_note(flag.first_seen, span.start),
        )
        for flag in found
    ]


def _within(history: Diary, span: LocalRange, *, labs_too: bool = False) -> Diary:
    """The timed records of ``history`` inside the range; medications stay whole, and labs too
    unless ``labs_too`` (a share, which shows nothing from outside its range)."""

    def inside(moment: datetime) -> bool:
        return span.starts_at <= moment < span.ends_at

    return replace(
        history,
        labs=tuple(lab for lab in history.labs if span.start <= lab.taken_on <= span.end) if labs_too else history.labs,
        episodes=tuple(r for r in history.episodes if inside(r.started_at)),
        caffeine=tuple(r for r in history.caffeine if inside(r.consumed_at)),
        sleep=tuple(r for r in history.sleep if inside(r.woke_at)),
        stress=tuple(r for r in history.stress if inside(r.recorded_at)),
        doses=tuple(r for r in history.doses if inside(r.taken_at)),
        exercise=tuple(r for r in history.exercise if inside(r.started_at)),
        tremors=tuple(r for r in history.tremors if inside(r.recorded_at)),
        checkins=tuple(c for c in history.checkins if span.start <= c.day <= span.end),
    )


def _first_known_day(history: Diary, end: date) -> date | None:
    series = build_daily_series(history, end=end)
    return series.days[int(series.logged.argmax())] if series.logged.any() else None


def report_content(
    *, user: User, start: date, end: date, now: datetime | None = None, scope: str = "diary"
) -> ReportContent:
    """The report of ``user``'s diary from ``start`` to ``end`` (local dates, both included).

    ``scope="diary"`` (the PDF) judges the flags over the whole diary up to ``end`` and says where
    their evidence began before the range; ``scope="range"`` (a share) judges them over the range
    alone, so nothing from outside what the patient chose to share appears.
    """
    now = now or timezone.now()
    tz = ZoneInfo(user.timezone)
    span = local_range(user, start, end)
    # The whole history up to the range end: the onset, the spread and the days the diary covers
    # need it; everything else reads the range's slice.
    history = selectors.diary_for_user(user=user, end=span.ends_at)
    diary = _within(history, span)
    # A share reads nothing from before its range, not even the onset.
    shared = _within(history, span, labs_too=True) if scope == "range" else history
    figures = diary_figures(shared, start, end, range_only=scope == "range")

    # The analysis records carry neither an episode's notes nor a medicine's dose text.
    # An episode's notes are optional and may be null (as the app pushed them) or empty.
    notes = selectors.episode_notes(user=user, start=span.starts_at, end=span.ends_at)
    dose_text = selectors.medication_doses_said(user=user)
    stored_flags = list(selectors.flag_list(user=user))
    state = selectors.insight_state(user=user)
    judged = shared
    found_flags = evaluate_flags(judged)
    left_out = 0
    if scope == "range":
        # A share shows nothing from outside its range: a flag whose premise reaches before it (a
        # medicine started earlier, R7 and R14) is left out, and the page says how many were.
        inside = [flag for flag in found_flags if flag.first_seen >= span.start]
        left_out, found_flags = len(found_flags) - len(inside), inside

    episodes = diary.episodes
    site_counts = Counter(code for e in episodes for code in dict.fromkeys(e.body_sites))
    daily = _daily_rows(diary, span)
    associations, association_status, method = _associations(state)
    return ReportContent(
        patient_display_name=user.display_name or user.email,
        birth_year=user.birth_year,
        range_start=start,
        range_end=end,
        generated_at=now.astimezone(tz).replace(tzinfo=None),
        timezone=user.timezone,
        episode_count=len(episodes),
        days_affected=len({local_date(e.started_at, tz) for e in episodes}),
        days_in_range=span.days,
        total_duration_s=sum(e.duration_s for e in episodes),
        mean_intensity=sum(e.intensity for e in episodes) / len(episodes) if episodes else None,
        trend=Trend(figures.trend.sentence, _TREND_DIRECTION[figures.trend.direction]) if episodes else None,
        daily=daily,
        finger_counts={code: n for code, n in site_counts.items() if code in BODY_SITES and BODY_SITES[code].is_finger},
        finger_episodes_by_side=Counter(
            side
            for e in episodes
            for side in {BODY_SITES[c].side for c in e.body_sites if c in BODY_SITES and BODY_SITES[c].is_finger}
            if side
        ),
        other_site_counts=[
            (site_label(code).capitalize(), n)
            for code, n in site_counts.most_common()
            if not (code in BODY_SITES and BODY_SITES[code].is_finger)
        ],
        device_sources=device_sources_sentence(diary),
        region_timeline=[
            RegionRow(wording.region_words(s.region).capitalize(), s.first_date, s.last_date, s.episode_count)
            # Over the whole diary up to the range end (a share: the range alone), so months of earlier
            # twitching are not cut off at the range start.
            for s in region_timeline(shared)
        ],
        characters=_label_counts(short_label(CHARACTERS.get(e.character, e.character)) for e in episodes),
        contexts=_label_counts(short_label(CONTEXTS[e.context]) for e in episodes if e.context in CONTEXTS),
        symptoms=_label_counts(SYMPTOMS.get(s, s) for e in episodes for s in e.symptoms),
        intensity_counts=dict(Counter(e.intensity for e in episodes)),
        medications=_medication_rows(diary.medications, Counter(d.medication_id for d in diary.doses), dose_text, span),
        associations=associations,
        association_method=method,
        association_status=association_status,
        flags=_flag_rows(found_flags, stored_flags, judged, span, scope),
        flags_left_out=left_out,
        scope=scope,
        first_entry_ever=_first_known_day(history, end),
        dose_timing=page_one_facts.dose_timing(diary, start, end),
        lab_follow_up=page_one_facts.lab_follow_up(
            judged, start, end, timedelta(0) if scope == "range" else LAB_LOOKBACK
        ),
        exposures=page_one_facts.exposures(build_daily_series(diary, start, end)),
        labs=_lab_rows(judged.labs, span),
        tremors=[
            TremorRow(
                t.recorded_at.astimezone(tz).replace(tzinfo=None),
                t.hand,
                t.posture,
                t.dominant_hz,
                t.rhythmic,
                t.description,
            )
            for t in diary.tremors
        ],
        episodes=_episode_rows(episodes, notes, tz),
        figures=figures,
        experiment=experiment_report(user, start, end),
    )
