"""Realistic, reproducible report content for tests, the benchmark (bench/report.py) and layout checks.

A test fixture, kept out of the product package.

``sample_content(days, seed)`` fakes what the selector will fill from a real diary:
a person with twitches that start in the left index finger and later spread to the
right hand, more on high-caffeine and short-sleep days, taking an asthma inhaler and an
SSRI. Same arguments, same content, so a rendered page can be compared between runs.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from diary.catalogues.body_sites import BODY_SITES
from diary.catalogues.episode_terms import CHARACTERS, CONTEXTS, SYMPTOMS
from insights import wording
from insights.analysis.records import CaffeineRecord, Diary, EpisodeRecord
from insights.reports.diary_figures import DiaryFigures, diary_figures
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

TIMEZONE = "Europe/London"

# Site weights before and after the twitching spreads to the right hand.
_EARLY_SITES = {"left_index": 6, "left_middle": 3, "left_thumb": 2, "left_eyelid": 1}
_LATE_SITES = {**_EARLY_SITES, "right_thumb": 3, "right_index": 2, "right_ring": 1, "left_calf": 1}
_CHARACTER_WEIGHTS = {"twitch": 10, "jerk": 2, "spasm_cramp": 2, "tremor": 1}
_CONTEXT_WEIGHTS = {"at_rest": 6, "writing_typing": 3, "holding_posture": 2, "during_sleep": 1, "after_exercise": 1}
_SYMPTOM_WEIGHTS = {"tingling": 3, "cramp": 2, "pain": 1, "numbness": 1}
_NOTES = (
    "",
    "",
    "",
    "After the third coffee.",
    "Could see it under the skin, stopped when I moved the finger.",
    "Bad night before, woke up at 4 and could not get back to sleep; twitching started at breakfast "
    "and came back on and off during the morning meeting.",
    "Typing for hours.",
)


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _daily_rows(rng: random.Random, start: date, days: int) -> list[DayRow]:
    rows = []
    for offset in range(days):
        caffeine = rng.choice((0, 96, 192, 288, 384, 480)) if rng.random() > 0.1 else None
        sleep = round(rng.gauss(6.8, 1.0), 1) if rng.random() > 0.15 else None
        stress = round(rng.uniform(1, 8), 1) if rng.random() > 0.3 else None
        # Planted effects: more twitches after short nights and on high-caffeine days.
        rate = 0.6 + (1.0 if (caffeine or 0) >= 300 else 0) + (0.8 if (sleep or 7) < 6 else 0)
        episodes = min(9, 1 + int(rng.expovariate(1 / rate))) if rng.random() < 0.55 else 0
        rows.append(DayRow(start + timedelta(days=offset), episodes, caffeine, sleep, stress))
    return rows


def _episode_rows(
    rng: random.Random, daily: list[DayRow], spread_day: date
) -> tuple[list[EpisodeRow], list[list[str]]]:
    """Episodes for the daily counts, and each episode's site codes (the rows only carry labels)."""
    episodes: list[EpisodeRow] = []
    site_lists: list[list[str]] = []
    for row in daily:
        weights = _EARLY_SITES if row.day < spread_day else _LATE_SITES
        for _ in range(row.episodes):
            sites = sorted({_pick(rng, weights) for _ in range(rng.choice((1, 1, 1, 2)))})
            symptoms = sorted({_pick(rng, _SYMPTOM_WEIGHTS) for _ in range(rng.choice((0, 0, 0, 1, 2)))})
            started = datetime.combine(row.day, datetime.min.time()) + timedelta(minutes=rng.randrange(7 * 60, 23 * 60))
            episodes.append(
                EpisodeRow(
                    started_at_local=started,
                    duration_s=rng.choice((5, 10, 20, 30, 60, 120, 300, 900)),
                    sites=", ".join(BODY_SITES[s].label for s in sites),
                    character=CHARACTERS[_pick(rng, _CHARACTER_WEIGHTS)].split(" (")[0],
                    intensity=max(1, min(10, round(rng.gauss(4, 1.8)))),
                    context=CONTEXTS[_pick(rng, _CONTEXT_WEIGHTS)].split(" (")[0],
                    symptoms=", ".join(SYMPTOMS[s] for s in symptoms),
                    notes=rng.choice(_NOTES),
                )
            )
            site_lists.append(sites)
    return episodes, site_lists


def _region_timeline(episodes: list[EpisodeRow], site_lists: list[list[str]]) -> list[RegionRow]:
    spans: dict[str, list[date]] = {}
    for episode, sites in zip(episodes, site_lists, strict=True):
        for region in {BODY_SITES[s].region for s in sites}:
            spans.setdefault(region, []).append(episode.started_at_local.date())
    return sorted(
        (
            RegionRow(region.replace("_", " ").capitalize(), min(days), max(days), len(days))
            for region, days in spans.items()
        ),
        key=lambda span: span.first_day,
    )


def _medications(start: date, end: date) -> list[MedicationRow]:
    return [
        MedicationRow(
            name="Salbutamol inhaler",
            drug_class_label="Beta-2 agonist (asthma inhaler)",
            dose="100 micrograms, 2 puffs",
            started_on=start - timedelta(days=400),
            as_needed=True,
            doses_in_range=max(1, (end - start).days // 4),
            known_link="can cause a fine tremor in 2-4% of regular users, minutes to hours after a dose",
        ),
        MedicationRow(
            name="Sertraline",
            drug_class_label="SSRI or SNRI antidepressant",
            dose="50 mg once daily",
            started_on=start + timedelta(days=3),
            doses_in_range=(end - start).days - 2,
            known_link="can cause tremor",
        ),
        MedicationRow(
            name="Ibuprofen",
            drug_class_label="Other",
            dose="400 mg",
            started_on=start - timedelta(days=30),
            stopped_on=start + timedelta(days=10),
            as_needed=True,
            doses_in_range=4,
        ),
    ]


def _flags(timeline: list[RegionRow], start: date) -> list[FlagRow]:
    flags = []
    longest = max(timeline, key=lambda s: (s.last_day - s.first_day).days, default=None)
    if longest and (longest.last_day - longest.first_day).days > 14:
        flags.append(
            FlagRow(
                title="Twitching for more than two weeks",
                severity="see_doctor",
                wording="Twitching in the same area has gone on for more than two weeks. Most twitches are "
                "harmless; a GP can check the common causes.",
                evidence=f"{longest.episodes} episodes in the {longest.region_label.lower()}, "
                f"{wording.day_month_text(longest.first_day)} to {wording.day_text(longest.last_day)}",
                first_seen=longest.first_day,
                last_seen=longest.last_day,
                source="NHS: Twitching eyes and muscles (reviewed 2023-10-30)",
            )
        )
    if len(timeline) >= 2:
        flags.append(
            FlagRow(
                title="Twitching in more than one place",
                severity="see_doctor",
                wording="Twitches were logged in more than one part of the body. This is common and usually "
                "harmless, and worth mentioning to a GP.",
                evidence=", ".join(
                    f"{s.region_label.lower()} from {wording.day_month_text(s.first_day)}" for s in timeline[:4]
                ),
                first_seen=timeline[0].first_day,
                last_seen=max(s.last_day for s in timeline),
                source="NHS: Twitching eyes and muscles (reviewed 2023-10-30)",
            )
        )
    flags.append(
        FlagRow(
            title="Low magnesium in a blood test",
            severity="see_doctor",
            wording="A blood test result was below its reference range. Low electrolytes can cause twitching.",
            evidence=f"Magnesium 0.62 mmol/L on {wording.day_text(start + timedelta(days=5))} (range 0.70-1.00)",
            first_seen=start + timedelta(days=5),
            last_seen=start + timedelta(days=5),
            source="MSD Manual, 'Muscle Cramps' (low potassium, magnesium or calcium); MedlinePlus, 'Muscle twitching'",
        )
    )
    return flags


def _labs(start: date) -> list[LabRow]:
    taken = start + timedelta(days=5)
    return [
        LabRow(taken, "Magnesium", 0.62, "mmol/L", 0.70, 1.00, "low"),
        LabRow(taken, "Calcium", 2.31, "mmol/L", 2.20, 2.60, "normal"),
        LabRow(taken, "Potassium", 4.1, "mmol/L", 3.5, 5.3, "normal"),
        LabRow(taken, "Thyroid-stimulating hormone (TSH)", 1.8, "mU/L", 0.27, 4.2, "normal"),
    ]


def _tremors(start: date) -> list[TremorRow]:
    when = datetime.combine(start + timedelta(days=8), datetime.min.time()) + timedelta(hours=19, minutes=12)
    return [
        TremorRow(when, "left", "rest", None, False, "no rhythmic tremor detected"),
        TremorRow(when + timedelta(minutes=1), "right", "postural", 9.6, True, "fine rhythmic tremor, 9.6 Hz"),
    ]


def _associations(days: int) -> tuple[list[AssociationRow], str]:
    # Mirrors the analysis defaults: nothing is reported before 50 logged days.
    if days < 50:
        return [], f"Not enough data yet: {50 - days} more days of logging are needed before associations are tested."
    return [
        AssociationRow(
            "Caffeine",
            "Episodes 2.1x as frequent (95% CI 1.4-3.2).",
            2.1,
            1.4,
            3.2,
            0.004,
            status="linked",
            status_text="linked in the diary",
            comparison="higher-caffeine days (about 300 mg or more) against lower ones (under 100 mg)",
            cut_point=300.0,
            n_days=days - 9,
            trigger="caffeine",
        ),
        AssociationRow(
            "Sleep",
            "Episodes 1.7x as frequent (95% CI 1.2-2.5).",
            1.7,
            1.2,
            2.5,
            0.02,
            status="linked",
            status_text="linked in the diary",
            comparison="shorter nights (about 6.5 h or less) against longer ones (about 7.5 h or more)",
            cut_point=6.5,
            n_days=days - 14,
            trigger="sleep",
        ),
        AssociationRow(
            "Stress",
            "Episodes 1.1x as frequent (95% CI 0.8-1.5).",
            1.1,
            0.8,
            1.5,
            0.6,
            status="no_sign",
            status_text="no association",
            comparison="days with stress ≥6/10 vs other days",
            n_days=days - 30,
            trigger="stress",
        ),
    ], ""


def figures_from_rows(
    daily: Sequence[DayRow], episodes: Sequence[EpisodeRow], start: date, end: date, timezone: str = TIMEZONE
) -> DiaryFigures:
    """The figures page 1 shows, computed by the product's own module from records made of the rows
    (the rows carry labels; the records get the catalogue codes back)."""
    zone = ZoneInfo(timezone)
    symptom_codes = {label: code for code, label in SYMPTOMS.items()}
    site_codes = {site.label: code for code, site in BODY_SITES.items()}
    records = tuple(
        EpisodeRecord(
            f"e{i}",
            e.started_at_local.replace(tzinfo=zone).astimezone(UTC),
            e.duration_s,
            tuple(site_codes[s] for s in e.sites.split(", ") if s in site_codes),
            "twitch",
            e.intensity,
            symptoms=tuple(symptom_codes[s] for s in e.symptoms.split(", ") if s in symptom_codes),
        )
        for i, e in enumerate(episodes)
    )
    caffeine = tuple(
        CaffeineRecord(f"c{i}", datetime.combine(row.day, time(9), zone).astimezone(UTC), row.caffeine_mg)
        for i, row in enumerate(daily)
        if row.caffeine_mg is not None
    )
    return diary_figures(Diary(timezone, end, episodes=records, caffeine=caffeine), start, end)


def _label_counts(values: list[str]) -> list[tuple[str, int]]:
    return Counter(v for v in values if v).most_common()


def sample_content(days: int = 90, seed: int = 7, end: date = date(2026, 11, 20)) -> ReportContent:
    """Report content for ``days`` days ending on ``end``, reproducible from ``seed``."""
    rng = random.Random(seed)
    start = end - timedelta(days=days - 1)
    daily = _daily_rows(rng, start, days)
    episodes, site_lists = _episode_rows(rng, daily, spread_day=start + timedelta(days=days // 3))
    all_sites = [s for sites in site_lists for s in sites]
    site_counts = Counter(all_sites)
    timeline = _region_timeline(episodes, site_lists)
    associations, status = _associations(days)
    half = len(daily) // 2
    first_half, second_half = sum(r.episodes for r in daily[:half]), sum(r.episodes for r in daily[half:])
    direction = "up" if second_half > first_half * 1.15 else "down" if second_half < first_half * 0.85 else "flat"
    return ReportContent(
        patient_display_name="Alex Example",
        birth_year=1988,
        range_start=start,
        range_end=end,
        generated_at=datetime(2026, 11, 21, 9, 30),
        timezone=TIMEZONE,
        episode_count=len(episodes),
        days_affected=sum(1 for r in daily if r.episodes),
        days_in_range=days,
        total_duration_s=sum(e.duration_s for e in episodes),
        mean_intensity=sum(e.intensity for e in episodes) / len(episodes) if episodes else None,
        trend=Trend(
            f"{second_half} episodes in the second half of the range against {first_half} in the first half.",
            direction,
        ),
        daily=daily,
        finger_counts={code: n for code, n in site_counts.items() if BODY_SITES[code].is_finger},
        other_site_counts=[
            (BODY_SITES[c].label.capitalize(), n) for c, n in site_counts.most_common() if not BODY_SITES[c].is_finger
        ],
        region_timeline=timeline,
        characters=_label_counts([e.character for e in episodes]),
        contexts=_label_counts([e.context for e in episodes]),
        symptoms=_label_counts([s for e in episodes for s in e.symptoms.split(", ")]),
        intensity_counts=dict(Counter(e.intensity for e in episodes)),
        medications=_medications(start, end),
        associations=associations,
        association_method="Days with and without each factor compared by a Poisson rate ratio with 95% CIs; "
        "Benjamini-Hochberg across all tests (q < 0.05); caffeine same day, sleep the night before.",
        association_status=status,
        flags=_flags(timeline, start),
        labs=_labs(start),
        tremors=_tremors(start),
        episodes=episodes,
        figures=figures_from_rows(daily, episodes, start, end),
    )
