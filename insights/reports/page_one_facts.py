"""What page 1 needs that a clinic does not have, worded from the diary: pure, no Django, no database.

- Medicines with the timing the diary shows: episodes that began within hours of a logged dose
  (salbutamol tremor starts within minutes to a few hours of a dose; docs/clinical.md, "Medicines").
- Recent out-of-range labs and what followed (a repeat in range), with the medicines that lower
  magnesium and potassium beside a low one.
- The exposures against the guidance the rules use: caffeine over the days it was logged and over
  all known days, days over the daily guide; sleep over the nights logged, nights under 7 hours.

Everything from outside the report's range says so.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from diary.catalogues.body_sites import BODY_SITES
from diary.catalogues.episode_terms import CONTEXTS, LAB_ANALYTES
from diary.catalogues.medicines import DRUG_CLASSES, TWITCH_LINKED_CLASSES
from insights import wording
from insights.analysis.clinical_thresholds import (
    ADULT_SLEEP_NEED_HOURS,
    BETA2_TREMOR_WINDOW_HOURS,
    CAFFEINE_DAILY_GUIDE_MG,
)
from insights.analysis.daily_series import DailySeries
from insights.analysis.records import Diary, LabRecord, MedicationRecord
from insights.reports.report_model import lab_decimals

DOSE_WINDOW = timedelta(hours=BETA2_TREMOR_WINDOW_HOURS)
# Medicines that lower magnesium and potassium: a low result of these is read beside them.
ELECTROLYTE_LOWERING = frozenset({"ppi", "diuretic"})
LOWERED_BY_THEM = frozenset({"magnesium", "potassium"})


def lab_status(lab: LabRecord) -> str:
    """Where a lab result sits against its reference range: "low", "normal" or "high"."""
    if lab.reference_low is not None and lab.value < lab.reference_low:
        return "low"
    if lab.reference_high is not None and lab.value > lab.reference_high:
        return "high"
    return "normal"


def _lab_value(lab: LabRecord) -> str:
    places = lab_decimals(lab.value, lab.reference_low, lab.reference_high)
    return f"{lab.value:.{places}f} {lab.unit}"


def _medicine_name(medication: MedicationRecord) -> str:
    label = DRUG_CLASSES.get(medication.drug_class, DRUG_CLASSES["other"]).label.lower()
    return f"{medication.name} ({label})"


def _taking_on(medication: MedicationRecord, day: date) -> bool:
    started = medication.started_on is None or medication.started_on <= day
    return started and (medication.stopped_on is None or medication.stopped_on >= day)


def dose_timing(diary: Diary, start: date, end: date) -> list[str]:
    """For each medicine with a known link and doses in the range: the episodes that began within
    the dose window after a dose, with their character, context, side and delays."""
    tz = ZoneInfo(diary.timezone)
    lines = []
    for medication in diary.medications:
        if medication.drug_class not in TWITCH_LINKED_CLASSES:
            continue
        doses = sorted(
            d.taken_at
            for d in diary.doses
            if d.medication_id == medication.id and start <= d.taken_at.astimezone(tz).date() <= end
        )
        if not doses:
            continue
        in_range = [e for e in diary.episodes if start <= e.started_at.astimezone(tz).date() <= end]
        after: dict[str, list[tuple[float, str, str]]] = {}
        for episode in in_range:
            index = bisect_right(doses, episode.started_at) - 1
            if index >= 0 and episode.started_at - doses[index] <= DOSE_WINDOW:
                delay = (episode.started_at - doses[index]).total_seconds() / 3600
                sides = {BODY_SITES[c].side for c in episode.body_sites if c in BODY_SITES and BODY_SITES[c].side}
                side = f"{sides.pop()} side" if len(sides) == 1 else "both sides" if sides else ""
                after.setdefault(episode.character, []).append((delay, episode.context or "", side))
        text = f"{_medicine_name(medication)}: {wording.plural(len(doses), 'dose')} logged in range"
        if not after:
            lines.append(f"{text}; no episode began within {BETA2_TREMOR_WINDOW_HOURS} h of a dose.")
            continue
        # Per kind of episode, how many of the range's began within the window, how soon, and what
        # they shared: tremor all within hours of a dose is a different finding from twitches
        # that happen to fall there.
        totals = Counter(e.character for e in in_range)
        parts = []
        for character, found in sorted(after.items(), key=lambda item: (item[0] != "tremor", -len(item[1]))):
            delays = [delay for delay, _, _ in found]
            shared = []
            for values in ([c for _, c, _ in found], [s for _, _, s in found]):
                if len(set(values)) == 1 and values[0]:
                    shared.append(CONTEXTS[values[0]].split(" (")[0].lower() if values[0] in CONTEXTS else values[0])
            alike = f", all {', '.join(shared)}" if shared else ""
            parts.append(
                f"{len(found)} of {totals[character]} {character.replace('_', '/')} episodes began "
                f"{min(delays):.1f}-{max(delays):.1f} h after a dose{alike}"
            )
        lines.append(f"{text}; " + "; ".join(parts) + ".")
    return lines


def lab_follow_up(diary: Diary, start: date, end: date, lookback: timedelta) -> list[str]:
    """Each out-of-range result of the last ``lookback`` up to ``end``, with the next result of the
    same test (what followed) and, for a low magnesium or potassium, the medicines that lower it."""
    earliest = start - lookback
    by_test: dict[str, list[LabRecord]] = {}
    for lab in sorted(diary.labs, key=lambda lab: lab.taken_on):
        if earliest <= lab.taken_on <= end:
            by_test.setdefault(lab.analyte, []).append(lab)
    lines = []
    for analyte, labs in sorted(by_test.items()):
        for index, lab in enumerate(labs):
            status = lab_status(lab)
            if status == "normal":
                continue
            name = LAB_ANALYTES.get(analyte, analyte)
            text = f"{name} {_lab_value(lab)} ({status}) on {wording.day_text(lab.taken_on)}"
            if lab.taken_on < start:
                text += " (before this range)"
            following = labs[index + 1 :]
            if following:
                then = following[0]
                text += f"; then {_lab_value(then)} ({lab_status(then)}) on {wording.day_text(then.taken_on)}"
            else:
                text += "; not repeated since"
            if status == "low" and analyte in LOWERED_BY_THEM:
                lowering = [
                    m for m in diary.medications if m.drug_class in ELECTROLYTE_LOWERING and _taking_on(m, lab.taken_on)
                ]
                for medication in lowering:
                    since = f" since {wording.day_text(medication.started_on)}" if medication.started_on else ""
                    text += f"; taking {_medicine_name(medication)}{since}"
            lines.append(text + ".")
    return lines


def exposures(series: DailySeries) -> list[str]:
    """Caffeine and sleep against the guidance, over the range's known days (``series.logged``)."""
    known = series.logged
    lines = []
    caffeine = series.caffeine_mg
    with_caffeine = known & ~np.isnan(caffeine)
    if with_caffeine.any():
        per_logged = float(caffeine[with_caffeine].mean())
        per_known = float(np.nan_to_num(caffeine)[known].sum() / known.sum())
        over = int((np.nan_to_num(caffeine)[known] > CAFFEINE_DAILY_GUIDE_MG).sum())
        lines.append(
            f"Caffeine: {per_logged:.0f} mg a day on the {wording.plural(int(with_caffeine.sum()), 'day')} with "
            f"caffeine logged ({per_known:.0f} mg a day over all {wording.plural(int(known.sum()), 'known day')}); "
            f"over {CAFFEINE_DAILY_GUIDE_MG} mg on {wording.plural(over, 'day')}. Guide: up to "
            f"{CAFFEINE_DAILY_GUIDE_MG} mg a day for adults (FDA)."
        )
    else:
        lines.append("Caffeine: none logged in this range.")
    sleep = series.sleep_hours
    nights = known & ~np.isnan(sleep)
    if nights.any():
        short = int((sleep[nights] < ADULT_SLEEP_NEED_HOURS).sum())
        lines.append(
            f"Sleep: {float(sleep[nights].mean()):.1f} h a night over {wording.plural(int(nights.sum()), 'night')} "
            f"logged; under {ADULT_SLEEP_NEED_HOURS} h on {wording.plural(short, 'night')}. Adults need "
            f"{ADULT_SLEEP_NEED_HOURS} h or more (AASM/SRS)."
        )
    else:
        lines.append("Sleep: none logged in this range.")
    return lines


def scope_note(first_seen: date | None, range_start: date) -> str:
    """Said beside a flag whose evidence began before the report's range."""
    if first_seen is None or first_seen >= range_start:
        return ""
    return f"first logged {wording.day_text(first_seen)}, before this report's range"
