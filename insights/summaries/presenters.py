"""What a weekly summary says, worded once for both the text and the HTML part.

The templates only lay this out, so the two parts can never disagree on a number. The order
is the reader's: the week's numbers against the week before first, then anything new that is
worth a doctor's look (with the reassurance beside it and one next step), then the rest.
Wording follows the app: say what the diary shows, compare with the week before and the
guidance, never diagnose and never frighten (docs/clinical.md, "How the app speaks").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from diary.catalogues.drinks import DAILY_GUIDE_MG
from insights import wording
from insights.analysis.knowledge import CONTEXT_SENTENCE, SEVERITIES
from insights.summaries.selectors import TOP_ASSOCIATIONS, SummaryData
from insights.summaries.week_figures import SHORT_NIGHT_HOURS, ChartDay, WeekFigures
from insights.summaries.weeks import Week

NOT_LOGGED = "\u2013"

# One next step per severity, for the most pressing new flag: what to do, not what it might be.
# The urgent and emergency steps follow the flag rules' own sources (R13 lithium label; R20 FAST).
NEXT_STEPS = {
    "see_doctor": "Next step: book a routine appointment with your GP and take the report for your doctor.",
    "see_doctor_soon": "Next step: book an appointment with your GP in the next few days and take the report.",
    "urgent": "Next step: get medical advice today, from your GP or an urgent advice line (NHS 111 in England).",
    "emergency": "Next step: if this came on suddenly, call emergency services now (999, 911 or 112).",
}


@dataclass(frozen=True)
class Row:
    """One line of the this-week-against-the-week-before block."""

    label: str
    this_week: str
    week_before: str


@dataclass(frozen=True)
class FlagItem:
    title: str
    wording: str
    detail: str  # the evidence in words, when the flag carries it
    source: str


@dataclass(frozen=True)
class TriggerLine:
    label: str
    status_text: str
    sentence: str  # what the diary supports, for a link; how much more data would settle it, otherwise


@dataclass(frozen=True)
class SummaryContent:
    subject: str
    preheader: str
    greeting: str
    story: str  # the week in one line, first: what changed, per known day when the weeks differ in known days
    week_label: str
    week_before_label: str
    compare: bool  # whether there is a week before to compare with (the diary covered some of it)
    before_diary: bool  # the whole week lies before the diary began: no table, no chart
    coverage_note: str
    nothing_logged: bool
    empty_note: str
    rows: tuple[Row, ...]
    new_flags: tuple[FlagItem, ...]
    next_step: str
    reminders: tuple[str, ...]
    flags_context: str
    body_sites: str
    guidance: tuple[str, ...]
    triggers: tuple[TriggerLine, ...]
    insights_status: str
    tremors: tuple[str, ...]
    chart_days: tuple[ChartDay, ...]
    chart_lines: tuple[str, ...]  # each week with its days, labelled, for the text part
    chart_alt: str
    chart_caption: str
    insights_url: str
    report_url: str
    app_url: str
    unsubscribe_url: str
    settings_hint: str


def _one_decimal(value: float | None, unit: str) -> str:
    return NOT_LOGGED if value is None else f"{value:.1f}{unit}"


def _week_values(week: WeekFigures) -> tuple[str, ...]:
    """The block's figures for one week, in the order of ``ROW_LABELS``."""
    return (
        str(week.episodes),
        f"{week.days_affected} of {week.days_logged}",
        wording.duration(week.total_duration_s),
        _one_decimal(week.mean_intensity, " / 10"),
        NOT_LOGGED
        if week.caffeine_mean_mg is None
        else f"{week.caffeine_mean_mg:.0f} mg ({wording.plural(week.caffeine_days, 'day')})",
        _one_decimal(week.sleep_mean_hours, " h"),
        _one_decimal(week.stress_mean, " / 10"),
    )


# Averages are over the days the thing was logged; the labels say what each average is of.
ROW_LABELS = (
    "Episodes",
    "Days with episodes, of known days",
    "Total duration",
    "Average intensity",
    "Caffeine, on days with any",
    "Sleep a night",
    "Stress, average",
)


def _rows(this: WeekFigures, before: WeekFigures, *, compare: bool) -> tuple[Row, ...]:
    if not compare:
        before_values: tuple[str, ...] = ("",) * len(ROW_LABELS)
    elif before.nothing_logged:
        # A week with nothing logged is unknown, not a week of zero episodes.
        before_values = (NOT_LOGGED,) * len(ROW_LABELS)
    else:
        before_values = _week_values(before)
    return tuple(
        Row(label, now, then) for label, now, then in zip(ROW_LABELS, _week_values(this), before_values, strict=True)
    )


def _coverage_note(data: SummaryData) -> str:
    """Why a column is short or missing: the diary began during (or after) the week before."""
    start = data.figures.diary_start
    this, before = data.figures.this_week, data.figures.week_before
    if this.before_diary:
        return ""  # the story line says the diary began after this week
    if not before.before_diary and before.nothing_logged:
        return "Nothing was logged in the week before, so there is nothing to compare with."
    if start is None or start < before.week.start:
        return ""
    began = f"{start:%A} {wording.day_month_text(start)}"
    if before.before_diary:
        counted = (
            ""
            if this.days_covered == 7
            else f" It counts the {wording.plural(this.days_covered, 'day')} from {began}"
            f" (you logged on {this.days_logged} of them)."
        )
        return f"This is your first week in the diary, so there is no week before to compare with yet.{counted}"
    return (
        f"Your diary began on {began}, so the week before has {wording.plural(before.days_covered, 'day')} "
        f"in the diary (you logged on {before.days_logged} of them)."
    )


# Weeks whose episodes per known day differ by less than this factor are "about the same".
SAME_RATE_FACTOR = 1.25


def _known(week: WeekFigures) -> str:
    return f"{week.days_logged} of 7 days known" if week.days_logged < 7 else "all 7 days known"


def story_line(data: SummaryData) -> str:
    """The week in one line: what changed against the week before, per known day when the two
    weeks differ in known days (and saying so); a first or partial week said as such."""
    this, before = data.figures.this_week, data.figures.week_before
    start = data.figures.diary_start
    if this.before_diary and start is not None:
        began = f"{start:%A} {wording.day_month_text(start)}"
        return (
            f"Your diary began on {began}, after this week ended, so there is no week to sum up yet. "
            "Next Monday's email covers your first week."
        )
    if this.nothing_logged:
        return f"Nothing was logged this week ({_short_range(data.week)})."
    week = (
        f"{wording.plural(this.episodes, 'episode')} on {this.days_affected} of "
        f"{wording.plural(this.days_logged, 'known day')}"
    )
    if before.before_diary:
        partial = f", from {start:%A} {wording.day_month_text(start)}" if start and this.days_covered < 7 else ""
        return f"Your first week in the diary{partial}: {week}."
    if before.nothing_logged:
        return f"This week: {week}. Nothing was logged the week before, so there is nothing to compare with."
    if this.days_logged == before.days_logged:
        change = (
            "more than"
            if this.episodes > before.episodes
            else "fewer than"
            if this.episodes < before.episodes
            else "the same as"
        )
        return f"This week: {week}, {change} the {before.episodes} of the week before ({_known(this)} in both)."
    rate, rate_before = this.episodes / this.days_logged, before.episodes / before.days_logged
    ratio = rate / rate_before if rate_before else (SAME_RATE_FACTOR if rate else 1.0)
    verdict = (
        "more than the week before"
        if ratio >= SAME_RATE_FACTOR
        else "fewer than the week before"
        if ratio <= 1 / SAME_RATE_FACTOR
        else "about the same as the week before"
    )
    return (
        f"This week: {week}, {rate:.1f} a day: {verdict}, {rate_before:.1f} a day over its "
        f"{wording.plural(before.days_logged, 'known day')} (compared per known day, as the weeks had different "
        "numbers of known days)."
    )


def _preheader(data: SummaryData, *, compare: bool) -> str:
    """The inbox preview: the week and its headline numbers, never a warning."""
    this, before = data.figures.this_week, data.figures.week_before
    span = _short_range(data.week)
    if this.nothing_logged:
        return f"Your week, {span}: nothing logged in the diary."
    week = f"{wording.plural(this.episodes, 'episode')} on {wording.plural(this.days_affected, 'day')}"
    if not compare:
        return f"Your first week with Twitchlog, {span}: {week}."
    if before.nothing_logged:
        return f"Your week, {span}: {week}."
    return f"Your week, {span}: {week} ({before.episodes} the week before)."


def _guidance(week: WeekFigures) -> tuple[str, ...]:
    """Caffeine and sleep against the guidance, as information, never as a warning.

    docs/clinical.md, "Caffeine" and "Sleep".
    """
    lines = []
    if week.caffeine_mean_mg is not None:
        if week.caffeine_days_over_guide:
            lines.append(
                f"Caffeine was over {DAILY_GUIDE_MG} mg on {wording.plural(week.caffeine_days_over_guide, 'day')}; "
                f"{DAILY_GUIDE_MG} mg a day is the usual upper guide for adults (FDA)."
            )
        else:
            lines.append(f"Caffeine stayed within the usual guide of up to {DAILY_GUIDE_MG} mg a day (FDA).")
    if week.sleep_mean_hours is not None:
        guide = f"adults need {SHORT_NIGHT_HOURS:.0f} hours or more (AASM)"
        if week.short_nights:
            shorter = "was" if week.short_nights == 1 else "were"
            lines.append(
                f"{wording.plural(week.short_nights, 'night')} {shorter} under {SHORT_NIGHT_HOURS:.0f} hours; {guide}."
            )
        else:
            lines.append(f"Every night you logged reached {SHORT_NIGHT_HOURS:.0f} hours; {guide}.")
    return tuple(lines)


def _trigger_lines(associations: tuple[dict[str, Any], ...]) -> tuple[TriggerLine, ...]:
    """Each trigger tested, strongest status first, in the words every surface uses for it.

    The engine's sentence says what the interval allows and, only where a power calculation
    supports one, how many more days would give what chance; "not testable yet" says what to log.
    """
    lines: list[tuple[int, float, TriggerLine]] = []
    for item in associations:
        status = wording.status_of(item)
        label = str(item.get("label") or item.get("trigger") or "")
        line = TriggerLine(label[:1].upper() + label[1:], wording.status_words(status), str(item.get("sentence") or ""))
        lines.append((wording.STATUS_ORDER[status], float(item.get("q_value") or 1.0), line))
    lines.sort(key=lambda entry: entry[:2])
    return tuple(line for _, _, line in lines[:TOP_ASSOCIATIONS])


def _short_range(week: Week) -> str:
    first, last = week.start, week.end
    if first.month == last.month:
        return f"{first.day}\u2013{last.day} {last:%b}"
    return f"{first.day} {first:%b}\u2013{last.day} {last:%b}"


def _chart_lines(days: tuple[ChartDay, ...], weeks: tuple[tuple[Week, int | None], ...]) -> tuple[str, ...]:
    """Each week of the chart as one labelled line: "2-8 Nov: 9 episodes (Mon 3, Tue 3, ..., Sun -)"."""
    lines = []
    for index, (week, episodes) in enumerate(weeks):
        if episodes is None:
            lines.append(f"{_short_range(week)}: before your diary began")
            continue
        counts = ", ".join(
            f"{day.day:%a} {NOT_LOGGED if day.episodes is None else day.episodes}"
            for day in days[index * 7 : index * 7 + 7]
            if not day.before_diary
        )
        lines.append(f"{_short_range(week)}: {wording.plural(episodes, 'episode')} ({counts})")
    return tuple(lines)


def _brief_source(source: str) -> str:
    """The first citation of a flag's source, without the paraphrase after it: the email cites
    briefly, and the report for the doctor carries the whole line."""
    return source.split(";")[0].split(": ")[0].strip()


def _reminder(title: str, first_week: date | None) -> str:
    # An email goes out the Monday after the week it covers, so that is the date the user saw.
    when = f" (first emailed {wording.day_month_text(first_week + timedelta(days=7))})" if first_week else ""
    return f"{title}: still open{when}."


def summary_content(
    data: SummaryData, *, insights_url: str, report_url: str, app_url: str, unsubscribe_url: str
) -> SummaryContent:
    figures = data.figures
    this, before = figures.this_week, figures.week_before
    compare = not before.before_diary
    name = data.user.display_name.strip()
    emailed = data.emailed_flags or {}
    new = [f for f in data.flags if f.pk in data.new_flag_ids]
    chart_lines = _chart_lines(figures.chart_days, figures.chart_weeks)
    most_pressing = max((SEVERITIES.index(f.severity) for f in new if f.severity in SEVERITIES), default=0)
    return SummaryContent(
        subject=f"Your Twitchlog week: {data.week.label()}",
        preheader=_preheader(data, compare=compare),
        greeting=f"Hello {name}," if name else "Hello,",
        story=story_line(data),
        week_label=data.week.label(),
        week_before_label=data.week.previous().label(),
        compare=compare,
        before_diary=this.before_diary and figures.diary_start is not None,
        coverage_note=_coverage_note(data),
        nothing_logged=this.nothing_logged,
        empty_note=(
            f"Nothing was logged from {data.week.label()}. That is fine: a quiet week in the diary is "
            "still a week. When you log again, next Monday's summary will compare your weeks."
        ),
        rows=_rows(this, before, compare=compare),
        # Flags not yet emailed in this form are shown in full; the others as one line each.
        new_flags=tuple(
            FlagItem(f.title, f.wording, str(getattr(f, "detail", "") or ""), _brief_source(f.source)) for f in new
        ),
        next_step=NEXT_STEPS.get(SEVERITIES[most_pressing], "") if new else "",
        reminders=tuple(
            _reminder(f.title, emailed.get(f.fingerprint)) for f in data.flags if f.pk not in data.new_flag_ids
        ),
        flags_context=CONTEXT_SENTENCE,
        body_sites=", ".join(f"{label} {count}" for label, count in this.body_sites),
        guidance=_guidance(this),
        triggers=_trigger_lines(data.associations),
        insights_status=data.insights_status,
        # The phone tremor tests of the week, as the analysis worded them.
        tremors=tuple(
            f"{wording.weekday_text(t.recorded_at.astimezone(ZoneInfo(data.user.timezone)).date())}: {t.description}"
            for t in data.tremors
            if t.description
        ),
        chart_days=figures.chart_days,
        chart_lines=chart_lines,
        chart_alt="Bar chart of episodes per day. " + "; ".join(chart_lines),
        chart_caption=(
            "Bars: episodes per day, this week's darker; over each week, its total. "
            "A grey dash marks a day with nothing logged."
        ),
        insights_url=insights_url,
        report_url=report_url,
        app_url=app_url,
        unsubscribe_url=unsubscribe_url,
        settings_hint="You can turn weekly summaries off or back on at any time in the app, under Profile.",
    )


def as_template_context(content: SummaryContent, *, chart_src: str) -> dict[str, Any]:
    return {"c": content, "chart_src": chart_src}
