"""What a weekly summary says, worded once for both the text and the HTML part.

The templates only lay this out, so the two parts can never disagree on a number. Wording
follows the app: say what the diary shows, compare with the week before and the guidance,
never diagnose and never frighten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from diary.catalogues.drinks import DAILY_GUIDE_MG
from insights.analysis.knowledge import CONTEXT_SENTENCE
from insights.summaries.figures import SHORT_NIGHT_HOURS, ChartDay, WeekFigures
from insights.summaries.selectors import SummaryData
from insights.summaries.weeks import Week


@dataclass(frozen=True)
class Row:
    """One line of the this-week-against-last-week table."""

    label: str
    this_week: str
    week_before: str
    change: str  # "more", "fewer", "same", or "" when there is nothing to compare


@dataclass(frozen=True)
class FlagItem:
    title: str
    wording: str
    is_new: bool


@dataclass(frozen=True)
class SummaryContent:
    subject: str
    greeting: str
    week_label: str
    week_before_label: str
    nothing_logged: bool
    empty_note: str
    rows: tuple[Row, ...]
    body_sites: tuple[str, ...]
    triggers: tuple[str, ...]
    flags: tuple[FlagItem, ...]
    flags_context: str
    associations: tuple[str, ...]
    insights_status: str
    tremors: tuple[str, ...]
    chart_days: tuple[ChartDay, ...]
    chart_weeks: tuple[tuple[str, int], ...]
    chart_alt: str
    app_url: str
    report_url: str
    unsubscribe_url: str
    settings_hint: str


def duration_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _change(now: float | None, before: float | None, *, tolerance: float = 0.0) -> str:
    if now is None or before is None:
        return ""
    if abs(now - before) <= tolerance:
        return "same"
    return "more" if now > before else "fewer"


def _rows(this: WeekFigures, before: WeekFigures) -> tuple[Row, ...]:
    before_logged = not before.nothing_logged

    def past(value: str) -> str:
        return value if before_logged else "not logged"

    def intensity(value: float | None) -> str:
        return f"{value:.1f} / 10" if value is not None else "\u2013"

    return (
        Row(
            "Episodes",
            str(this.episodes),
            past(str(before.episodes)),
            _change(this.episodes, before.episodes if before_logged else None),
        ),
        Row(
            "Days with episodes",
            f"{this.days_affected} of 7",
            past(f"{before.days_affected} of 7"),
            _change(this.days_affected, before.days_affected if before_logged else None),
        ),
        Row(
            "Total duration",
            duration_text(this.total_duration_s),
            past(duration_text(before.total_duration_s)),
            _change(this.total_duration_s, before.total_duration_s if before_logged else None),
        ),
        Row(
            "Average intensity",
            intensity(this.mean_intensity),
            past(intensity(before.mean_intensity)),
            _change(this.mean_intensity, before.mean_intensity, tolerance=0.05),
        ),
    )


def _triggers(week: WeekFigures) -> tuple[str, ...]:
    """Caffeine, sleep and stress against the guidance, as information, never as a warning."""
    lines = []
    if week.caffeine_mean_mg is None:
        lines.append("Caffeine: none logged this week.")
    else:
        over = (
            f" It was over {DAILY_GUIDE_MG} mg on {_plural(week.caffeine_days_over_guide, 'day')}."
            if week.caffeine_days_over_guide
            else f" That is within the usual guide of up to {DAILY_GUIDE_MG} mg."
        )
        lines.append(
            f"Caffeine: {week.caffeine_mean_mg:.0f} mg a day on average, on the "
            f"{_plural(week.caffeine_days, 'day')} you logged it.{over}"
        )
    if week.sleep_mean_hours is None:
        lines.append("Sleep: none logged this week.")
    else:
        guide = f"Adults need about {SHORT_NIGHT_HOURS:.0f} hours or more"
        shorter = "was" if week.short_nights == 1 else "were"
        short = (
            f"; {_plural(week.short_nights, 'night')} {shorter} shorter"
            if week.short_nights
            else "; every night you logged reached that"
        )
        lines.append(
            f"Sleep: {week.sleep_mean_hours:.1f} hours a night on average, over "
            f"{_plural(week.sleep_nights, 'night')} logged. {guide}{short}."
        )
    if week.stress_mean is None:
        lines.append("Stress: none logged this week.")
    else:
        lines.append(
            f"Stress: {week.stress_mean:.1f} out of 10 on average, on {_plural(week.stress_days, 'day')} logged."
        )
    return tuple(lines)


def _short_range(week: Week) -> str:
    first, last = week.start, week.end
    if first.month == last.month:
        return f"{first.day}\u2013{last.day} {last:%b}"
    return f"{first.day} {first:%b}\u2013{last.day} {last:%b}"


def _chart_alt(days: tuple[ChartDay, ...]) -> str:
    def one(day: ChartDay) -> str:
        return "\u2013" if day.episodes is None else str(day.episodes)

    start: date = days[0].day
    return (
        f"Episodes per day from {start.day} {start:%B}, a week per group (\u2013 means nothing logged): "
        + " | ".join(" ".join(one(d) for d in days[i : i + 7]) for i in range(0, len(days), 7))
    )


def summary_content(data: SummaryData, *, app_url: str, report_url: str, unsubscribe_url: str) -> SummaryContent:
    figures = data.figures
    this, before = figures.this_week, figures.week_before
    name = data.user.display_name.strip()
    sites = tuple(f"{label} ({_plural(count, 'episode')})" for label, count in this.body_sites)
    return SummaryContent(
        subject=f"Your Twitchlog week: {data.week.label()}",
        greeting=f"Hello {name}," if name else "Hello,",
        week_label=data.week.label(),
        week_before_label=data.week.previous().label(),
        nothing_logged=this.nothing_logged,
        empty_note=(
            f"Nothing was logged from {data.week.label()}. That is fine: a quiet week in the diary is "
            "still a week. When you log again, next Monday's summary will compare your weeks."
        ),
        rows=_rows(this, before),
        body_sites=sites,
        triggers=_triggers(this),
        # Open flags first, worded as in the app; the new ones lead.
        flags=tuple(
            FlagItem(f.title, f.wording, f.pk in data.new_flag_ids)
            for f in sorted(data.flags, key=lambda f: f.pk not in data.new_flag_ids)
        ),
        flags_context=CONTEXT_SENTENCE,
        associations=tuple(str(a["sentence"]) for a in data.associations),
        insights_status=data.insights_status,
        # The phone tremor tests of the week, as the analysis worded them.
        tremors=tuple(
            f"{t.recorded_at.astimezone(ZoneInfo(data.user.timezone)):%a %d %b}: {t.description}"
            for t in data.tremors
            if t.description
        ),
        chart_days=figures.chart_days,
        chart_weeks=tuple((_short_range(week), episodes) for week, episodes in figures.chart_weeks),
        chart_alt=_chart_alt(figures.chart_days),
        app_url=app_url,
        report_url=report_url,
        unsubscribe_url=unsubscribe_url,
        settings_hint="You can turn weekly summaries off or back on at any time in the app, under Profile.",
    )


def as_template_context(content: SummaryContent, *, chart_src: str) -> dict[str, Any]:
    return {"c": content, "chart_src": chart_src}
