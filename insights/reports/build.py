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
from dataclasses import dataclass
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
from insights.analysis.records import Diary, EpisodeRecord, LabRecord, MedicationRecord
from insights.models import Flag, FlagStatus, InsightState
from insights.presenters import METHOD, status_sentence
from insights.reports.content import (
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

# A lab taken up to a year before the range still explains twitching in it (a low magnesium
# found in spring matters for a summer report); older results would only clutter the page.
LAB_LOOKBACK = timedelta(days=365)
# The trend needs a change of both 15% and a few episodes, so 2 against 1 is not "rising".
TREND_RATIO = 1.15
TREND_MIN_DIFFERENCE = 3

# How each tested trigger reads in a doctor's words: "Episodes were 2.0x as frequent <phrase>".
_DOCTOR_PHRASES = {
    "caffeine": "on days with >= 300 mg caffeine",
    "sleep": "on days after a night of < 7 h sleep",
    "stress": "on days with stress rated >= 6/10",
    "stress_previous_day": "on days after a day with stress rated >= 6/10",
    "exercise": "on days with >= 45 min of exercise",
    "exercise_previous_day": "on days after >= 45 min of exercise",
    "inhaler_window": "per hour in the 4 h after an inhaler dose than at other waking times",
}


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


def _trend(daily: Sequence[DayRow]) -> Trend | None:
    if len(daily) < 2:
        return None
    half = len(daily) // 2
    first, second = daily[:half], daily[half:]
    before, after = sum(r.episodes for r in first), sum(r.episodes for r in second)
    if after > before * TREND_RATIO and after - before >= TREND_MIN_DIFFERENCE:
        direction = "up"
    elif after < before / TREND_RATIO and before - after >= TREND_MIN_DIFFERENCE:
        direction = "down"
    else:
        direction = "flat"
    sentence = (
        f"{after} episode{'s' if after != 1 else ''} from {second[0].day:%d %b} to {second[-1].day:%d %b} "
        f"against {before} from {first[0].day:%d %b} to {first[-1].day:%d %b}."
    )
    return Trend(sentence, direction)


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
    return [
        LabRow(
            lab.taken_on,
            LAB_ANALYTES.get(lab.analyte, lab.analyte),
            lab.value,
            lab.unit,
            lab.reference_low,
            lab.reference_high,
            lab_status(lab),
        )
        for lab in chosen
    ]


def association_sentence(result: dict[str, Any]) -> str:
    """A stored association in a doctor's words, e.g. "Episodes were 2.0x as frequent on days with
    >= 300 mg caffeine (95% CI 1.4-2.7)"."""
    trigger = str(result.get("trigger", ""))
    if trigger.startswith("medication:"):
        phrase = f"per day after starting {result.get('label', 'the medicine')} than before"
    else:
        phrase = _DOCTOR_PHRASES.get(trigger, f"with {str(result.get('label', trigger)).lower()}")
    return (
        f"Episodes were {result['rate_ratio']:.1f}x as frequent {phrase} "
        f"(95% CI {result['ci_low']:.1f}-{result['ci_high']:.1f})."
    )


def _associations(state: InsightState | None) -> tuple[list[AssociationRow], str, str]:
    """The associations that survived the correction, the status line and the method line."""
    if state is None or state.computed_at is None:
        return [], "Associations have not been computed for this diary yet.", ""
    reported = sorted(
        (a for a in state.associations if a.get("significant") and a.get("rate_ratio")),
        key=lambda a: a.get("q_value") or 1.0,
    )
    rows = [
        AssociationRow(
            str(a["label"]),
            association_sentence(a),
            float(a["rate_ratio"]),
            float(a["ci_low"]),
            float(a["ci_high"]),
            float(a.get("q_value") or 0.0),
        )
        for a in reported
    ]
    status = ""
    if not rows:
        status = status_sentence(state.sufficiency, [])
        if state.sufficiency and state.sufficiency.get("enough"):
            tested = [a["label"] for a in state.associations if a.get("direction") != "not_tested"]
            if tested:
                status = (
                    f"Tested: {', '.join(tested)}. None was associated with the episodes after the "
                    "Benjamini-Hochberg correction."
                )
    # Associations are computed over the whole diary, not only this range: say so beside the method.
    method = f"{METHOD} Computed over the whole diary on {state.computed_at:%d %b %Y}."
    return rows, status, method


def _flag_evidence(flag: Flag, span: LocalRange) -> str:
    """The stored evidence in words. Flags are judged over the whole diary, so evidence reaching
    outside the report's range says so, lest its counts be read against the range's."""
    parts = []
    dates = sorted(set(flag.evidence_dates))
    entries = len(flag.evidence_entry_ids)
    if entries:
        parts.append(
            f"{entries} diary entr{'ies' if entries != 1 else 'y'} on {len(dates)} day{'s' if len(dates) != 1 else ''}"
        )
    if flag.regions:
        parts.append("regions: " + ", ".join(region_label(r).lower() for r in flag.regions))
    text = "; ".join(parts) or "see the diary entries"
    return f"Whole diary: {text}" if _outside(flag, span) else text[0].upper() + text[1:]


def _outside(flag: Flag, span: LocalRange) -> bool:
    return bool((flag.first_seen and flag.first_seen < span.start) or (flag.last_seen and flag.last_seen > span.end))


def _flag_rows(flags: Iterable[Flag], span: LocalRange) -> list[FlagRow]:
    return [
        FlagRow(
            title=flag.title,
            severity=flag.severity,
            wording=flag.wording,
            evidence=_flag_evidence(flag, span),
            first_seen=flag.first_seen,
            last_seen=flag.last_seen,
            source=flag.source,
            acknowledged=flag.status != FlagStatus.OPEN,
        )
        for flag in flags
    ]


def report_content(*, user: User, start: date, end: date, now: datetime | None = None) -> ReportContent:
    """The report of ``user``'s diary from ``start`` to ``end`` (local dates, both included)."""
    now = now or timezone.now()
    tz = ZoneInfo(user.timezone)
    span = local_range(user, start, end)
    diary = selectors.diary_for_user(user, start=span.starts_at, end=span.ends_at)

    # The analysis records carry neither an episode's notes nor a medicine's dose text.
    # A note may be null (none written, as the app syncs it) or empty: neither is shown.
    notes = {
        client_id: text
        for client_id, text in diary_models.Episode.objects.filter(
            user=user,
            deleted_at__isnull=True,
            started_at__gte=span.starts_at,
            started_at__lt=span.ends_at,
        )
        .exclude(notes="")
        .exclude(notes__isnull=True)
        .values_list("client_id", "notes")
        if text
    }
    dose_text = dict(
        diary_models.Medication.objects.filter(user=user, deleted_at__isnull=True).values_list("client_id", "dose")
    )
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
        trend=_trend(daily) if episodes else None,
        daily=daily,
        finger_counts={code: n for code, n in site_counts.items() if code in BODY_SITES and BODY_SITES[code].is_finger},
        other_site_counts=[
            (site_label(code).capitalize(), n)
            for code, n in site_counts.most_common()
            if not (code in BODY_SITES and BODY_SITES[code].is_finger)
        ],
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
        flags=_flag_rows(flags, span),
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
    )
