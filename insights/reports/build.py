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
from diary import models as diary_models
from diary.catalogues.body_sites import BODY_SITES
from diary.catalogues.episode_terms import CHARACTERS, CONTEXTS, LAB_ANALYTES, SYMPTOMS
from diary.catalogues.medicines import DRUG_CLASSES
from insights import selectors
from insights.analysis.daily_series import build_daily_series, local_date, local_midnight
from insights.analysis.flag_rules import region_timeline
from insights.analysis.knowledge import FLAG_RULES
from insights.analysis.records import Diary, EpisodeRecord, LabRecord, MedicationRecord
from insights.models import Flag, FlagStatus, InsightState
from insights.presenters import METHOD, status_sentence
from insights.reports.content import (
    ASSOCIATION_STATUS_WORDS,
    AssociationRow,
    DayRow,
    EpisodeRow,
    FlagRow,
    LabRow,
    MedicationRow,
    RegionSpan,
    ReportContent,
    TremorRow,
    Trend,
)
from insights.reports.device_sources import device_sources_sentence
from insights.reports.experiment_section import experiment_report
from insights.reports.figures import DiaryFigures, diary_figures, format_day

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


def site_label(code: str) -> str:
    site = BODY_SITES.get(code)
    return site.label if site else code.replace("_", " ")


def region_label(region: str) -> str:
    return region.replace("_", " ").capitalize()


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


def lab_status(lab: LabRecord) -> str:
    if lab.reference_low is not None and lab.value < lab.reference_low:
        return "low"
    if lab.reference_high is not None and lab.value > lab.reference_high:
        return "high"
    return "normal"


def _lab_rows(labs: Sequence[LabRecord], span: LocalRange) -> list[LabRow]:
    earliest = span.start - LAB_LOOKBACK
    chosen = sorted(
        (lab for lab in labs if earliest <= lab.taken_on <= span.end), key=lambda lab: (lab.taken_on, lab.analyte)
    )
    return [_lab_row(lab) for lab in chosen]


def _status(result: dict[str, Any]) -> str:
    """The stored status, or one read from the old shape (``significant`` and ``direction``)."""
    status = result.get("status")
    if status in ASSOCIATION_STATUS_WORDS:
        return str(status)
    if result.get("significant"):
        return "linked"
    if result.get("direction") == "not_tested" or result.get("rate_ratio") is None:
        return "not_enough_data"
    # Nominally significant but not after the correction: "possible", as the new shape words it.
    p_value = result.get("p_value")
    if p_value is not None and float(p_value) < 0.05:
        return "possible"
    return "no_sign"


def association_comparison(result: dict[str, Any]) -> str:
    trigger = str(result.get("trigger", ""))
    if trigger.startswith("medication:"):
        return f"days after starting {result.get('label', 'the medicine')} vs before"
    # The engine words the comparison for the patient ("your higher-caffeine days"); a doctor reads
    # it about the patient.
    return str(result.get("comparison") or result.get("exposure") or "").replace("your ", "")


def association_sentence(result: dict[str, Any]) -> str:
    """A stored association in a doctor's words: "Episodes 1.9x as frequent (95% CI 1.4-2.6)"."""
    if result.get("clinician_sentence"):
        return str(result["clinician_sentence"])
    status = _status(result)
    if status == "not_enough_data":
        return f"Not tested: {result.get('n_days') or 0} days with both measures."
    ratio, low, high = result.get("rate_ratio"), result.get("ci_low"), result.get("ci_high")
    if ratio is None or low is None or high is None:
        return ASSOCIATION_STATUS_WORDS[status].capitalize() + "."
    return f"Episodes {float(ratio):.1f}x as frequent (95% CI {float(low):.1f}-{float(high):.1f})."


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


_STATUS_ORDER = {"linked": 0, "possible": 1, "no_sign": 2, "not_enough_data": 3}


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
            status=_status(a),
            status_text=ASSOCIATION_STATUS_WORDS[_status(a)],
            comparison=association_comparison(a),
            n_days=a.get("n_days"),
            trigger=str(a.get("trigger", "")),
            cut_point=_float(a.get("cut_point")),
        )
        for a in state.associations
    ]
    rows.sort(key=lambda row: (_STATUS_ORDER[row.status], row.q_value if row.q_value is not None else 1.0))
    status = ""
    if not any(row.status != "not_enough_data" for row in rows):
        status = status_sentence(state.sufficiency, [])
    # Associations are computed over the whole diary, not only this range: say so beside the method.
    method = f"{METHOD} Computed over the whole diary on {format_day(state.computed_at.date())}."
    return rows, status, method


def _evidence_noun(rule_id: str) -> tuple[str, str]:
    if rule_id == "L1":
        return "lab result", "lab results"
    if rule_id in ("R8", "R9"):
        return "tremor recording", "tremor recordings"
    return "episode", "episodes"


def _flag_evidence(flag: Flag, total_episodes: int) -> str:
    """What the evidence counts, in words: "5 of the diary's 196 episodes (3%) on 4 days". Flags are
    judged over the whole diary, so the count says so, lest it be read against the range's."""
    dates = sorted(set(flag.evidence_dates))
    entries = len(flag.evidence_entry_ids)
    if not entries:
        return "See the diary entries."
    one, many = _evidence_noun(flag.rule_id)
    if one == "episode" and total_episodes and entries >= total_episodes:
        counted = f"all {total_episodes} episodes in the diary"
    elif one == "episode" and total_episodes:
        counted = f"{entries} of the diary's {total_episodes} episodes ({100 * entries / total_episodes:.0f}%)"
    else:
        counted = f"{entries} {one if entries == 1 else many}"
    return f"{counted} on {len(dates)} day{'s' if len(dates) != 1 else ''}"


def _lab_row(lab: LabRecord) -> LabRow:
    return LabRow(
        lab.taken_on,
        LAB_ANALYTES.get(lab.analyte, lab.analyte),
        lab.value,
        lab.unit,
        lab.reference_low,
        lab.reference_high,
        lab_status(lab),
    )


def _lab_detail(flag: Flag, labs: Sequence[LabRecord]) -> str:
    """The low results named, each with the latest later result of the same test (history, not a judgement)."""
    by_id = {lab.id: lab for lab in labs}
    parts = []
    for lab in sorted((by_id[i] for i in flag.evidence_entry_ids if i in by_id), key=lambda lab: lab.taken_on):
        text = f"{_lab_row(lab).sentence} on {format_day(lab.taken_on)}"
        later = [other for other in labs if other.analyte == lab.analyte and other.taken_on > lab.taken_on]
        if later:
            latest = _lab_row(max(later, key=lambda other: other.taken_on))
            text += f"; then {latest.numbers[0]} {latest.unit} ({latest.status}) on {format_day(latest.taken_on)}"
        parts.append(text)
    return "; ".join(parts)


def _region_detail(flag: Flag, figures: DiaryFigures) -> str:
    first = {span.region: span.first_day for span in figures.spread}
    regions = [r for r in flag.regions if r in first]
    return "; ".join(
        f"{region_label(r).lower()} from {format_day(first[r])}" for r in sorted(regions, key=lambda r: first[r])
    )


def _flag_rows(flags: Iterable[Flag], history: Diary, figures: DiaryFigures) -> list[FlagRow]:
    rows = []
    for flag in flags:
        rule = FLAG_RULES.get(flag.rule_id)
        # The flag carries its evidence in words and the rule's line in a clinician's voice; a flag
        # stored before those existed has them built here from its evidence and the knowledge base.
        detail = flag.detail
        if not detail:
            detail = _lab_detail(flag, history.labs) if flag.rule_id == "L1" else _region_detail(flag, figures)
        clinician = flag.clinician_wording or (rule.clinician_wording if rule else "")
        rows.append(
            FlagRow(
                title=flag.title,
                severity=flag.severity,
                wording=flag.wording,
                evidence=_flag_evidence(flag, len(history.episodes)),
                first_seen=flag.first_seen,
                last_seen=flag.last_seen,
                source=flag.source,
                acknowledged=flag.status != FlagStatus.OPEN,
                clinician=clinician,
                detail=detail,
                rule_id=flag.rule_id,
            )
        )
    return rows


def _within(history: Diary, span: LocalRange) -> Diary:
    """The timed records of ``history`` inside the range; medications and labs stay whole."""

    def inside(moment: datetime) -> bool:
        return span.starts_at <= moment < span.ends_at

    return replace(
        history,
        episodes=tuple(r for r in history.episodes if inside(r.started_at)),
        caffeine=tuple(r for r in history.caffeine if inside(r.consumed_at)),
        sleep=tuple(r for r in history.sleep if inside(r.woke_at)),
        stress=tuple(r for r in history.stress if inside(r.recorded_at)),
        doses=tuple(r for r in history.doses if inside(r.taken_at)),
        exercise=tuple(r for r in history.exercise if inside(r.started_at)),
        tremors=tuple(r for r in history.tremors if inside(r.recorded_at)),
    )


def report_content(*, user: User, start: date, end: date, now: datetime | None = None) -> ReportContent:
    """The report of ``user``'s diary from ``start`` to ``end`` (local dates, both included)."""
    now = now or timezone.now()
    tz = ZoneInfo(user.timezone)
    span = local_range(user, start, end)
    # The whole history up to the range end: the onset, the spread and the days the diary covers
    # need it; everything else reads the range's slice.
    history = selectors.diary_for_user(user, end=span.ends_at)
    diary = _within(history, span)
    figures = diary_figures(history, start, end)

    # The analysis records carry neither an episode's notes nor a medicine's dose text.
    # An episode's notes are optional and may be null (as the app pushed them) or empty.
    notes = {
        client_id: text
        for client_id, text in diary_models.Episode.objects.filter(
            user=user, started_at__gte=span.starts_at, started_at__lt=span.ends_at
        )
        .live()
        .exclude(notes="")
        .values_list("client_id", "notes")
        if text
    }
    dose_text = dict(diary_models.Medication.objects.filter(user=user).live().values_list("client_id", "dose"))
    flags = selectors.flag_list(user).order_by("first_seen", "rule_id")
    state = selectors.insight_state(user)

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
        other_site_counts=[
            (site_label(code).capitalize(), n)
            for code, n in site_counts.most_common()
            if not (code in BODY_SITES and BODY_SITES[code].is_finger)
        ],
        device_sources=device_sources_sentence(diary),
        region_timeline=[
            RegionSpan(region_label(s.region), s.first_date, s.last_date, s.episode_count)
            for s in region_timeline(diary)
        ],
        characters=_label_counts(short_label(CHARACTERS.get(e.character, e.character)) for e in episodes),
        contexts=_label_counts(short_label(CONTEXTS[e.context]) for e in episodes if e.context in CONTEXTS),
        symptoms=_label_counts(SYMPTOMS.get(s, s) for e in episodes for s in e.symptoms),
        intensity_counts=dict(Counter(e.intensity for e in episodes)),
        medications=_medication_rows(diary.medications, Counter(d.medication_id for d in diary.doses), dose_text, span),
        associations=associations,
        association_method=method,
        association_status=association_status,
        flags=_flag_rows(flags, history, figures),
        labs=_lab_rows(diary.labs, span),
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
