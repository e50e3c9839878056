"""Page 1, in a neurologist's reading order, and always one page: a two-minute read.

Who and what range; onset (the first episode ever) and the course month by month; the spread
with dates; red flags (the signs that change urgency) or "none logged", with the pertinent
negatives; then the patterns for a routine review; medications with the timing the diary shows;
out-of-range labs and what followed; caffeine and sleep against the guidance; every trigger
tested, found or not; the self-experiment's result. Anything from outside the range says so. The
patient-voice wording of the app stays out. The whole page sits in a shrink-to-fit frame, so a
long list (a year of months, many flags) makes the type a little smaller instead of spilling a
line onto a blank page 2.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepInFrame, Paragraph, Spacer, Table, TableStyle

from diary.catalogues.body_sites import site_label
from insights import wording
from insights.reports import theme
from insights.reports.diary_figures import DiaryFigures
from insights.reports.report_model import FlagRow, ReportContent
from insights.reports.theme import escape

TITLE = "Twitching and tremor diary: report for a doctor"
SECTION_ONSET = "Onset and course"
SECTION_FLAGS = "Red flags"
SECTION_ROUTINE = "Patterns for a routine review"
SECTION_MEDICATIONS = "Medications"
SECTION_LABS = "Labs out of range, and what followed"
SECTION_EXPOSURES = "Exposures against guidance"
SECTION_ASSOCIATIONS = "Triggers tested"
SECTION_EXPERIMENT = "Self-experiment"
NO_RED_FLAGS = "No red flags logged (weakness, wasting, speech or swallowing trouble, spread with weakness, "
NO_RED_FLAGS += "one-sided rest tremor, symptoms after a medicine with a known link)."
_GREY = "#616E7C"


def severity_badge(severity: str) -> Table:
    """A small filled label such as "URGENT" that stands out in black-and-white prints too."""
    text, fill = theme.SEVERITY_BADGES.get(severity, theme.SEVERITY_BADGES["info"])
    return Table(
        [[text]],
        colWidths=[54],
        style=TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), theme.FONT_BOLD, 7, 8),
                ("TEXTCOLOR", (0, 0), (-1, -1), colors.white),
                ("BACKGROUND", (0, 0), (-1, -1), fill),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        ),
    )


def _h(text: str) -> Paragraph:
    return Paragraph(escape(text), theme.H3)


def _flag_cell(flag: FlagRow) -> list[Flowable]:
    headline = f"<b>{escape(flag.headline)}</b>"
    if flag.detail:
        headline += f": {escape(flag.detail)}"
    evidence = f"{escape(flag.evidence)}, {escape(flag.dates)}"
    if flag.outside_range:
        evidence += f" ({escape(flag.outside_range)})"
    parts: list[Flowable] = [Paragraph(headline, theme.CELL), Paragraph(evidence, theme.CELL)]
    if flag.source:
        parts.append(Paragraph(f"Source: {escape(flag.source)}", theme.FOOT))
    return parts


def _flag_line(flag: FlagRow) -> list[Flowable]:
    """One line: the clinician line and the dates; the evidence is in "Red flags in full"."""
    return [Paragraph(f"<b>{escape(flag.headline)}</b> <font color='{_GREY}'>{escape(flag.dates)}</font>", theme.CELL)]


def flags_table(flags: Sequence[FlagRow], width: float, full: int | None = None) -> Table:
    """Each flag as a badge beside its clinician line, evidence with dates, and source; after the
    first ``full`` flags, one line each."""
    full = len(flags) if full is None else full
    rows = [
        [severity_badge(flag.severity), _flag_cell(flag) if i < full else _flag_line(flag)]
        for i, flag in enumerate(flags)
    ]
    return Table(
        rows,
        colWidths=[58, width - 58],
        hAlign="LEFT",
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("LEFTPADDING", (1, 0), (1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LINEBELOW", (0, 0), (-1, -2), 0.3, theme.RULE),
            ]
        ),
    )


def _flags_block(content: ReportContent, width: float, full: int | None = None) -> list[Flowable]:
    """Red flags, or "none logged", with the pertinent negatives; then the routine patterns under
    their own heading, so a red-flag heading never sits over routine items."""
    red, routine = content.red_flags, content.routine_flags
    story: list[Flowable] = [_h(SECTION_FLAGS)]
    story.append(flags_table(red, width, full) if red else Paragraph(escape(NO_RED_FLAGS), theme.CELL))
    if content.figures is not None:
        negatives = escape(content.figures.negatives_sentence)
        story.append(Paragraph(f"<b>Pertinent negatives:</b> {negatives}", theme.CELL))
    if routine:
        rest = None if full is None else max(0, full - len(red))
        story += [_h(SECTION_ROUTINE), flags_table(routine, width, rest)]
    if full is not None and full < len(red) + len(routine):
        story.append(Paragraph("Evidence and sources of every flag: see Flags in full.", theme.FOOT))
    if content.flags_left_out:
        story.append(Paragraph(escape(left_out_sentence(content.flags_left_out)), theme.FOOT))
    seen = [f for f in content.flags if f.acknowledged]
    if seen:
        titles = "; ".join(escape(f.headline) for f in seen)
        story.append(Paragraph(f"Already discussed with a doctor, as marked by the patient: {titles}.", theme.FOOT))
    return story


def left_out_sentence(n: int) -> str:
    return (
        f"{wording.plural(n, 'flag')} resting on entries from before the shared range "
        f"{'is' if n == 1 else 'are'} left out; the patient can share a longer range."
    )


def _lines(lines: Sequence[str]) -> list[Flowable]:
    return [Paragraph(escape(line), theme.CELL) for line in lines]


def top_sites(content: ReportContent, limit: int = 5) -> list[tuple[str, int]]:
    """The most involved body sites, fingers and others together, largest first."""
    sites = [(site_label(code), n) for code, n in content.finger_counts.items()]
    sites += [(label.lower(), n) for label, n in content.other_site_counts]
    return sorted(sites, key=lambda item: -item[1])[:limit]


# Below this many episodes a share in per cent says more than the episodes can: counts instead.
SHARE_MIN_EPISODES = 20


def _shares(pairs: Sequence[tuple[str, int]], total: int, limit: int = 3) -> str:
    if total < SHARE_MIN_EPISODES:
        return ", ".join(f"{escape(label.lower())} {n} of {total}" for label, n in list(pairs)[:limit])
    return ", ".join(f"{escape(label.lower())} {100 * n / total:.0f}%" for label, n in list(pairs)[:limit])


def pattern_sentence(content: ReportContent) -> str:
    """Character, context and sites as shares of the range's episodes, then duration and intensity."""
    total = content.episode_count
    if not total:
        return ""
    parts = [
        _shares(content.characters, total),
        _shares(content.contexts, total),
        "sites " + _shares(top_sites(content, 4), total, limit=4),
    ]
    if content.symptoms:
        parts.append("with " + _shares(content.symptoms, total))
    intensity = f"{content.mean_intensity:.1f}/10" if content.mean_intensity is not None else "-"
    parts.append(f"mean duration {wording.duration(content.mean_duration_s)}, mean intensity {intensity}")
    return "; ".join(p for p in parts if p) + "."


def _onset_lines(figures: DiaryFigures, content: ReportContent) -> list[Flowable]:
    lines = [
        f"<b>Onset:</b> {escape(figures.onset_sentence)}. {escape(figures.coverage_sentence)}",
        f"<b>Frequency:</b> {escape(figures.frequency_sentence)}",
        f"<b>Trend:</b> {escape(figures.trend.sentence)}",
    ]
    if content.episode_count:
        lines.append(f"<b>Pattern:</b> {pattern_sentence(content)}")
    lines.append(f"<b>Spread:</b> {escape(figures.spread_sentence)}")
    return [Paragraph(line, theme.CELL) for line in lines]


def course_table(figures: DiaryFigures, width: float) -> Table | None:
    if not figures.months:
        return None
    header: list[object] = ["Month", "Known days", "Episodes", "Days with episodes", "Per known day", "Regions"]
    widths: list[float] = [52, 50, 46, 84, 62]
    widths.append(width - sum(widths))
    rows: list[list[object]] = [header]
    empty: list[int] = []
    for index, month in enumerate(figures.months, start=1):
        if month.nothing_logged:
            # One cell across the figures: an unknown month has no counts, not zeros.
            rows.append([month.label, "nothing logged", "", "", "", ""])
            empty.append(index)
            continue
        rows.append(
            [
                month.label,
                str(month.logged_days),
                month.episodes_text,
                month.days_affected_text,
                month.rate_text,
                month.regions_text,
            ]
        )
    table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1, style=theme.table_style(font_size=7.5))
    table.setStyle(
        TableStyle(
            [
                ("ALIGN", (1, 0), (4, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
            ]
        )
    )
    for index in empty:
        table.setStyle(TableStyle([("SPAN", (1, index), (5, index)), ("ALIGN", (1, index), (1, index), "LEFT")]))
    return table


def medications_table(content: ReportContent, width: float) -> Flowable:
    if not content.medications:
        return Paragraph("No medications recorded.", theme.CELL)
    header: list[object] = ["Medicine", "Started", "Stopped", "Known link to twitching or tremor"]
    widths: list[float] = [150, 62, 62]
    widths.append(width - sum(widths))
    rows: list[list[object]] = [header]
    for med in content.medications:
        rows.append(
            [
                Paragraph(
                    f"<b>{escape(med.name)}</b> <font color='{_GREY}'>{escape(med.drug_class_label)}"
                    f"{', as needed' if med.as_needed else ''}</font>",
                    theme.CELL_SMALL,
                ),
                wording.day_text(med.started_on),
                wording.day_text(med.stopped_on) if med.stopped_on else "still taking",
                Paragraph(escape(med.known_link) if med.known_link else "none known", theme.CELL_SMALL),
            ]
        )
    return Table(rows, colWidths=widths, hAlign="LEFT", style=theme.table_style(font_size=7.5))


def associations_table(content: ReportContent, width: float) -> Flowable:
    if not content.associations or all(a.status == wording.TriggerStatus.NOT_TESTABLE for a in content.associations):
        status = content.association_status or "No trigger had enough days to be tested."
        return Paragraph(escape(status), theme.CELL)
    header: list[object] = ["Trigger", "Compared", "Result", f"Rate ratio ({wording.EFFECT_INTERVAL})"]
    widths: list[float] = [96, 0, 150, 84]
    widths[1] = width - sum(widths)
    rows: list[list[object]] = [header]
    for a in content.associations:
        result = escape(a.result)
        if a.status == wording.TriggerStatus.LINKED:
            result = f"<b>{result}</b>"
        rows.append(
            [
                Paragraph(escape(a.label), theme.CELL_SMALL),
                Paragraph(escape(a.comparison) or "-", theme.CELL_SMALL),
                Paragraph(result, theme.CELL_SMALL),
                a.effect,
            ]
        )
    table = Table(rows, colWidths=widths, hAlign="LEFT", style=theme.table_style(font_size=7.5))
    table.setStyle(TableStyle([("ALIGN", (3, 0), (3, -1), "RIGHT")]))
    return table


def _nothing_logged_box(content: ReportContent, width: float) -> Table:
    period = wording.period_text(content.range_start, content.range_end)
    if content.figures is not None and content.figures.logged_days:
        # Other entries were kept: the days are known, the episodes were none.
        text = f"<b>No episodes were logged in this range</b> ({period}); the other entries are summarised below."
    else:
        text = f"<b>Nothing was logged in this range.</b> The patient recorded no episodes from {period}."
    return Table(
        [[Paragraph(text, theme.BODY)]],
        colWidths=[width],
        style=TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), theme.ZEBRA),
                ("BOX", (0, 0), (-1, -1), 0.5, theme.RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ]
        ),
    )


# When page 1 would not fit, flags after this many are shown as one line each (most pressing first),
# with their evidence in "Red flags in full" after page 1; shrinking the type is the last resort.
FULL_FLAGS_WHEN_CROWDED = 4
# Below this scale the type gets too small to read; compacting the flags comes first.
_MIN_COMFORTABLE_SCALE = 0.9


def _height(story: Sequence[Flowable], width: float) -> float:
    total = 0.0
    for flowable in story:
        _, height = flowable.wrap(width, 10_000)
        total += height + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def page_one_is_crowded(content: ReportContent, width: float, height: float) -> bool:
    """Whether the full page 1 would need its type shrunk below a comfortable size."""
    return _height(_page_one(content, width, None), width) * _MIN_COMFORTABLE_SCALE > height


def _page_one(content: ReportContent, width: float, full_flags: int | None) -> list[Flowable]:
    who = escape(content.patient_display_name) + (f", born {content.birth_year}" if content.birth_year else "")
    story: list[Flowable] = [
        Paragraph(TITLE, theme.H1),
        Paragraph(
            f"<b>{who}</b> &middot; {wording.period_text(content.range_start, content.range_end)} "
            f"({content.days_in_range} days) &middot; times in {escape(content.timezone)}",
            theme.BODY,
        ),
        Spacer(0, 4),
    ]
    if content.episode_count == 0:
        story += [_nothing_logged_box(content, width), Spacer(0, 2)]
    figures = content.figures
    if figures is not None:
        story.append(_h(SECTION_ONSET))
        story += _onset_lines(figures, content)
        table = course_table(figures, width)
        if table is not None:
            story += [Spacer(0, 3), table]
    story += _flags_block(content, width, full_flags)
    story += [_h(SECTION_MEDICATIONS), medications_table(content, width), *_lines(content.dose_timing)]
    if content.lab_follow_up:
        story += [_h(SECTION_LABS), *_lines(content.lab_follow_up)]
    if content.episode_count or content.exposures:
        story += [_h(SECTION_EXPOSURES), *_lines(content.exposures)]
    covers_diary = content.first_entry_ever is not None and content.first_entry_ever >= content.range_start
    if content.scope == "range" and not covers_diary:
        story += [
            _h(SECTION_ASSOCIATIONS),
            Paragraph("Not shown: trigger tests run over the whole diary, beyond the days shared.", theme.CELL),
        ]
    else:
        story += [_h(SECTION_ASSOCIATIONS), associations_table(content, width)]
    if content.associations and (content.scope != "range" or covers_diary):
        story.append(
            Paragraph(
                "Associations in the patient's own data over the whole diary, corrected for the number of triggers "
                f"tested; an association does not show a cause. {wording.WHY_TWO_LEVELS}",
                theme.FOOT,
            )
        )
    if content.experiment is not None:
        story += [_h(SECTION_EXPERIMENT), Paragraph(escape(content.experiment.result), theme.CELL)]
    return story


def page_one_flowables(
    content: ReportContent, width: float, height: float | None = None, crowded: bool | None = None
) -> list[Flowable]:
    """Page 1. With ``height`` the page is held in a frame of that height: crowded flags go to one
    line each first, and only then is the type shrunk to fit. ``crowded`` spares measuring twice."""
    if height is None:
        return _page_one(content, width, None)
    if crowded is None:
        crowded = page_one_is_crowded(content, width, height)
    story = _page_one(content, width, FULL_FLAGS_WHEN_CROWDED if crowded else None)
    return [KeepInFrame(width, height, story, mode="shrink", name="page 1")]


def flags_in_full(content: ReportContent, width: float) -> list[Flowable]:
    """Every open flag with its evidence and source, for when page 1 had to list some in one line."""
    return [Paragraph("Flags in full", theme.H2), flags_table(content.open_flags, width)]
