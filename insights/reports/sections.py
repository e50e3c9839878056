"""The report's sections after page 1, each a function from content to flowables.

Every section starts with a heading kept together with its first block, and says so
plainly when there is nothing to show rather than disappearing, except tremor
recordings, which most patients never make.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.shapes import Circle, Drawing, Line, Rect
from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from insights import wording
from insights.reports import theme
from insights.reports.hand_diagram import finger_legend_rows, hands_drawing, shade_scale_drawing, spread_drawing
from insights.reports.pdf_charts import WEEKLY_AFTER_DAYS, count_bars_drawing, intensity_drawing, timeline_drawing
from insights.reports.report_model import LabRow, MedicationRow, ReportContent
from insights.reports.theme import escape

_LOW_FILL = colors.HexColor("#FDEBD3")
_HIGH_FILL = colors.HexColor("#FBE1DA")


def _heading(text: str, first: Flowable | Sequence[Flowable] = (), note: str = "") -> Flowable:
    """A section heading kept with its note and first block, so it never sits alone at a page foot."""
    parts: list[Flowable] = [Paragraph(escape(text), theme.H2)]
    if note:
        parts.append(Paragraph(note, theme.SMALL))
        parts.append(Spacer(0, 4))
    parts += [first] if isinstance(first, Flowable) else list(first)
    return KeepTogether(parts)


def _none(text: str) -> Paragraph:
    return Paragraph(f"<i>{escape(text)}</i>", theme.BODY)


# How each timeline panel labels the cut point its association compared at: the user's own
# "high" days begin there (for sleep, the short nights end there), so the guide shows the test.
_GUIDE_LABELS = {
    "caffeine": lambda cut: f"≥{wording.cut_words('caffeine', cut)}",
    "sleep": lambda cut: f"≤{wording.cut_words('sleep', cut)}",
    "stress": lambda cut: f"≥{round(cut)}",
}


def timeline_guides(content: ReportContent) -> dict[str, tuple[float, str]]:
    """A guide for each measure whose association was tested; none where nothing was compared."""
    guides = {}
    for a in content.associations:
        if a.trigger in _GUIDE_LABELS and a.status != wording.TriggerStatus.NOT_TESTABLE and a.cut_point is not None:
            guides[a.trigger] = (a.cut_point, _GUIDE_LABELS[a.trigger](a.cut_point))
    return guides


def timeline_section(content: ReportContent, width: float) -> list[Flowable]:
    diary_start = content.figures.covered_start if content.figures else None
    # Days of the range before the diary began hold nothing: the axis starts with the diary.
    started = diary_start if diary_start and diary_start > content.range_start else None
    daily = [row for row in content.daily if started is None or row.day >= started]
    weekly = len(daily) > WEEKLY_AFTER_DAYS
    guides = {} if weekly else timeline_guides(content)
    if weekly:
        unit = (
            "One bar per whole week, the last ending on the last day of the range (days before the first whole "
            "week are left out); caffeine, sleep and stress are weekly means of the days with a value. "
        )
    else:
        unit = (
            "One bar per day. Caffeine is the day's total; sleep is the night before the day; stress is the mean "
            "of the day's ratings. "
        )
    note = unit + "A day with nothing logged has no mark."
    if started is not None:
        note += f" The diary started on {wording.day_text(started)}, after the range began; the axis starts there."
    if guides:
        note += " Dashed lines: the cut points the associations compared at (see Associations); none is drawn "
        note += "for a measure that was not tested."
    if content.device_sources:
        note += " " + content.device_sources
    drawing = timeline_drawing(daily, width, diary_start=started, guides=guides)
    return [_heading("Timeline", drawing, note)]


def hands_section(content: ReportContent, width: float) -> list[Flowable]:
    most = max(content.finger_counts.values(), default=0)
    legend = Table(
        finger_legend_rows(content.finger_counts, content.finger_episodes_by_side),
        colWidths=[78, 38, 38],
        style=theme.table_style(zebra=False),
    )
    legend.setStyle(
        TableStyle([("ALIGN", (1, 0), (-1, -1), "RIGHT"), ("FONT", (0, -1), (-1, -1), theme.FONT_BOLD, 8.5, 10.5)])
    )
    side = [legend, Spacer(0, 6), Paragraph("Shading: episodes per finger", theme.SMALL), shade_scale_drawing(most)]
    diagram_width = width - 170
    figure = Table(
        [[hands_drawing(content.finger_counts, width=diagram_width), side]],
        colWidths=[diagram_width, 170],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]),
    )
    note = (
        "Palm side, as the patient sees their own palms. Counts are episodes involving each finger; "
        "an episode can involve several."
    )
    story: list[Flowable] = [_heading("Where: fingers and other body sites", figure, note)]
    if content.other_site_counts:
        rows = [["Other body site", "Episodes"]] + [[label, str(n)] for label, n in content.other_site_counts]
        table = Table(rows, colWidths=[160, 60], hAlign="LEFT", style=theme.table_style())
        table.setStyle(TableStyle([("ALIGN", (1, 0), (1, -1), "RIGHT")]))
        story += [Spacer(0, 8), table]
    if content.region_timeline:
        # From the first episode in any region when that is earlier than the range (the spans cover
        # the whole diary up to the range end), else from the diary's first day in the range.
        in_range_start = (
            max(content.range_start, content.figures.covered_start or content.range_start)
            if content.figures
            else content.range_start
        )
        axis_start = min(in_range_start, min(span.first_day for span in content.region_timeline))
        spread = spread_drawing(content.region_timeline, axis_start, content.range_end, width)
        scope = "in the shared range" if content.scope == "range" else "over the whole diary up to the range end"
        before = (
            f"; the axis starts before this report's range, on {wording.day_text(axis_start)}"
            if axis_start < content.range_start
            else ""
        )
        story.append(
            _heading(
                "Spread: body regions over time",
                spread,
                f"Each bar runs from the first to the last episode in that region {scope} (episodes in "
                f"brackets){before}.",
            )
        )
    return story


def characteristics_section(content: ReportContent, width: float) -> list[Flowable]:
    blocks: list[list[Flowable]] = []
    for title, rows, empty in (
        ("Character", content.characters, "No character recorded."),
        ("Context: what the patient was doing", content.contexts, "No context recorded."),
        ("Accompanying symptoms", content.symptoms, "No accompanying symptoms logged."),
    ):
        blocks.append(
            [Paragraph(escape(title), theme.H3), count_bars_drawing(rows, width * 0.85) if rows else _none(empty)]
        )
    blocks.append([Paragraph("Intensity", theme.H3), intensity_drawing(content.intensity_counts, width * 0.6)])
    note = "Episodes per answer; an episode can have several symptoms."
    return [_heading("Characteristics", blocks[0], note)] + [KeepTogether(block) for block in blocks[1:]]


def _medication_row(med: MedicationRow) -> list[object]:
    taking = "as needed" if med.as_needed else "regular"
    link = (
        Paragraph(f"<font color='#B45309'><b>Known link:</b></font> {escape(med.known_link)}", theme.CELL)
        if med.known_link
        else ""
    )
    return [
        Paragraph(
            f"<b>{escape(med.name)}</b><br/><font color='#616E7C'>{escape(med.drug_class_label)}</font>", theme.CELL
        ),
        Paragraph(f"{escape(med.dose) or '-'}<br/><font color='#616E7C'>{taking}</font>", theme.CELL),
        wording.day_text(med.started_on),
        wording.day_text(med.stopped_on) if med.stopped_on else "still taking",
        # A regular medicine is rarely logged dose by dose: "0" would read as "not taken".
        str(med.doses_in_range) if med.doses_in_range or med.as_needed else "not logged",
        link,
    ]


def medications_section(content: ReportContent, width: float) -> list[Flowable]:
    if not content.medications:
        return [_heading("Medications", _none("No medications recorded."))]
    header = ["Medicine", "Dose", "Started", "Stopped", "Doses\nin range", "Link to twitching or tremor"]
    widths: list[float] = [110, 90, 58, 58, 42]
    widths.append(width - sum(widths))
    table = Table(
        [header] + [_medication_row(m) for m in content.medications],
        colWidths=widths,
        repeatRows=1,
        style=theme.table_style(),
    )
    table.setStyle(TableStyle([("ALIGN", (4, 0), (4, -1), "RIGHT")]))
    for i, med in enumerate(content.medications, start=1):
        if med.known_link:
            table.setStyle(TableStyle([("LINEBEFORE", (0, i), (0, i), 2.5, theme.LOW)]))
    note = "Medicines whose drug class has a known link to twitching or tremor are marked at the left edge."
    return [_heading("Medications", table, note)]


def associations_section(content: ReportContent, width: float) -> list[Flowable]:
    """Every trigger considered, found or not, with what was compared and the estimate."""
    tested = [a for a in content.associations if a.status != wording.TriggerStatus.NOT_TESTABLE]
    if not tested:
        text = content.association_status or "No trigger had enough days to be tested."
        story: list[Flowable] = [_heading("Associations", _none(text))]
    else:
        header: list[object] = ["Trigger", "Compared", "Result", "Rate ratio", wording.EFFECT_INTERVAL, "Days"]
        widths: list[float] = [90, 0, 118, 46, 56, 32]
        widths[1] = width - sum(widths)
        rows: list[list[object]] = [header]
        for a in content.associations:
            estimated = a.rate_ratio is not None and a.ci_low is not None and a.ci_high is not None
            rows.append(
                [
                    Paragraph(escape(a.label), theme.CELL),
                    Paragraph(escape(a.comparison) or "-", theme.CELL),
                    Paragraph(escape(a.result), theme.CELL),
                    f"{a.rate_ratio:.2f}" if estimated else "-",
                    f"{a.ci_low:.2f}-{a.ci_high:.2f}" if estimated else "-",
                    str(a.n_days) if a.n_days is not None else "-",
                ]
            )
        table = Table(rows, colWidths=widths, repeatRows=1, style=theme.table_style())
        table.setStyle(TableStyle([("ALIGN", (3, 0), (-1, -1), "RIGHT")]))
        for i, a in enumerate(content.associations, start=1):
            if a.status == wording.TriggerStatus.LINKED:
                table.setStyle(TableStyle([("FONT", (2, i), (2, i), theme.FONT_BOLD, 8.5, 10.5)]))
        story = [
            _heading(
                "Associations",
                table,
                "Every trigger considered, found or not. Associated in the patient's own data; an association "
                "does not show a cause. Rate ratio: episodes per day in the first group over the second.",
            )
        ]
    if content.association_method:
        # Kept with the table so the method is never read apart from the figures it explains.
        method = Paragraph(f"Method: {escape(content.association_method)}", theme.SMALL)
        story = [KeepTogether([*story, Spacer(0, 4), method])]
    return story


def _range_gauge(lab: LabRow, width: float = 90) -> Drawing:
    """The reference range as a shaded band with the value as a dot, so low values show at a glance."""
    drawing = Drawing(width, 10)
    low, high = lab.reference_low, lab.reference_high
    if low is None and high is None:
        return drawing
    low = low if low is not None else min(lab.value, high or 0) * 0.5
    high = high if high is not None else max(lab.value, low) * 1.5
    span = (high - low) or 1
    lo_edge, hi_edge = low - span * 0.5, high + span * 0.5  # show half a range either side

    def x(v: float) -> float:
        return 4 + (width - 8) * (min(max(v, lo_edge), hi_edge) - lo_edge) / (hi_edge - lo_edge)

    drawing.add(Line(4, 5, width - 4, 5, strokeColor=theme.RULE, strokeWidth=0.6))
    drawing.add(Rect(x(low), 2, x(high) - x(low), 6, fillColor=theme.ACCENT_LIGHT, strokeColor=None))
    dot = theme.LOW if lab.status == "low" else theme.HIGH if lab.status == "high" else theme.ACCENT
    drawing.add(Circle(x(lab.value), 5, 2.6, fillColor=dot, strokeColor=colors.white, strokeWidth=0.5))
    return drawing


def labs_section(content: ReportContent, width: float) -> list[Flowable]:
    if not content.labs:
        return [_heading("Lab results", _none("No lab results recorded."))]
    header: list[object] = ["Date", "Test", "Value", "Unit", "Reference", "Against range", "Status"]
    widths = [62, width - 62 - 48 - 52 - 62 - 100 - 48, 48, 52, 62, 100, 48]
    rows: list[list[object]] = [header]
    for lab in content.labs:
        value, reference = lab.numbers
        rows.append(
            [
                wording.day_text(lab.taken_on),
                lab.analyte_label,
                value,
                lab.unit,
                reference,
                _range_gauge(lab),
                lab.status.upper() if lab.status != "normal" else "normal",
            ]
        )
    table = Table(rows, colWidths=widths, repeatRows=1, style=theme.table_style())
    table.setStyle(TableStyle([("ALIGN", (2, 0), (2, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    for i, lab in enumerate(content.labs, start=1):
        if lab.status in ("low", "high"):
            fill, ink = (_LOW_FILL, theme.LOW) if lab.status == "low" else (_HIGH_FILL, theme.HIGH)
            table.setStyle(
                TableStyle(
                    [
                        ("BACKGROUND", (0, i), (-1, i), fill),
                        ("FONT", (2, i), (2, i), theme.FONT_BOLD, 8.5, 10.5),
                        ("FONT", (-1, i), (-1, i), theme.FONT_BOLD, 8.5, 10.5),
                        ("TEXTCOLOR", (-1, i), (-1, i), ink),
                    ]
                )
            )
    return [_heading("Lab results", table, "Reference ranges as entered from the lab report.")]


def tremors_section(content: ReportContent, width: float) -> list[Flowable]:
    if not content.tremors:
        return []
    header = ["Recorded", "Hand", "Posture", "Dominant\nfrequency", "Rhythmic", "Description"]
    widths: list[float] = [82, 40, 52, 62, 50]
    widths.append(width - sum(widths))
    rows: list[Sequence[str]] = [header]
    for t in content.tremors:
        rows.append(
            [
                wording.moment_text(t.recorded_at),
                t.hand,
                t.posture,
                f"{t.dominant_hz:.1f} Hz" if t.dominant_hz is not None else "-",
                "yes" if t.rhythmic else "no",
                t.description,
            ]
        )
    table = Table(rows, colWidths=widths, repeatRows=1, style=theme.table_style())
    note = (
        "Phone accelerometer recordings. Frequency alone does not classify a tremor; "
        "it is given for comparison between hands and over time."
    )
    return [_heading("Tremor recordings", table, note)]
