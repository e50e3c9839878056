"""Vector charts for the report: the daily timeline and small horizontal count bars.

The timeline is drawn from shapes rather than the chart widgets so that the episode bars
and the caffeine, sleep and stress panels share one exact date axis, and so a year of
days costs a few hundred rectangles and one polyline per panel, not a widget per point.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Group, Line, PolyLine, Rect, String
from reportlab.lib import colors

from insights.reports import theme
from insights.reports.content import DayRow

_LABEL_WIDTH = 62  # left gutter for panel titles and y tick labels
_RIGHT_PAD = 8


@dataclass(frozen=True)
class _Panel:
    """One horizontal strip of the timeline sharing the date axis."""

    title: str
    unit: str
    value: Callable[[DayRow], float | None]
    colour: colors.Color
    height: float
    guide: float | None = None  # a reference line, e.g. 400 mg caffeine or 7 h sleep
    guide_label: str = ""
    fixed_max: float | None = None


def _nice_max(value: float) -> float:
    """Round an axis maximum up to a round number whose half is round too (2, 4, 6, 8, 10, 20, 30...)."""
    if value <= 2:
        return 2
    magnitude = 10 ** math.floor(math.log10(value))
    steps = (2, 4, 6, 8, 10) if magnitude == 1 else (1, 2, 3, 4, 5, 6, 8, 10)
    for step in steps:
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def date_ticks(start: date, days: int) -> list[tuple[int, str]]:
    """Day offsets and labels for the date axis: weekly for short ranges, monthly for long ones."""
    if days <= 45:
        step = 7 if days > 14 else 1 if days <= 7 else 2
        return [(i, (start + timedelta(days=i)).strftime("%d %b").lstrip("0")) for i in range(0, days, step)]
    ticks: list[tuple[int, str]] = []
    for i in range(days):
        day = start + timedelta(days=i)
        if day.day == 1:
            # A year's range gets month names only; the year appears on January.
            ticks.append((i, day.strftime("%b %Y" if day.month == 1 or not ticks else "%b")))
    return ticks


# Beyond this many days a daily line is noise at the printed width; weeks read better.
WEEKLY_AFTER_DAYS = 120


@dataclass(frozen=True)
class _Axis:
    """The shared date axis: where a row (a day or a week) starts and how wide it is."""

    start: date
    days: int
    x0: float
    day_width: float
    bucket_days: int

    def left(self, row: DayRow) -> float:
        return self.x0 + (row.day - self.start).days * self.day_width

    def width(self, row: DayRow) -> float:
        # The last week of a range can be short.
        return min(self.bucket_days, self.days - (row.day - self.start).days) * self.day_width

    @property
    def plot_width(self) -> float:
        return self.day_width * self.days


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def weekly_rows(daily: Sequence[DayRow]) -> list[DayRow]:
    """Weeks from the first day: episodes summed, the other measures averaged over days with a value."""
    weeks = []
    for i in range(0, len(daily), 7):
        week = daily[i : i + 7]
        weeks.append(
            DayRow(
                day=week[0].day,
                episodes=sum(row.episodes for row in week),
                caffeine_mg=_mean([row.caffeine_mg for row in week]),
                sleep_hours=_mean([row.sleep_hours for row in week]),
                stress_mean=_mean([row.stress_mean for row in week]),
            )
        )
    return weeks


def _panel_group(panel: _Panel, rows: Sequence[DayRow], axis: _Axis, y0: float) -> Group:
    group = Group()
    values = [panel.value(row) for row in rows]
    present = [v for v in values if v is not None]
    top = panel.fixed_max or _nice_max(max([*present, panel.guide or 0], default=1))
    x0, plot_width = axis.x0, axis.plot_width
    group.add(Rect(x0, y0, plot_width, panel.height, fillColor=theme.ZEBRA, strokeColor=None))
    group.add(
        String(4, y0 + panel.height - 9, panel.title, fontName=theme.FONT_BOLD, fontSize=7.5, fillColor=panel.colour)
    )
    group.add(String(4, y0 + panel.height - 18, panel.unit, fontName=theme.FONT, fontSize=6.5, fillColor=theme.MUTED))
    group.add(
        String(
            x0 - 3,
            y0 + panel.height - 3,
            f"{top:g}",
            fontName=theme.FONT,
            fontSize=6.5,
            fillColor=theme.MUTED,
            textAnchor="end",
        )
    )
    group.add(String(x0 - 3, y0, "0", fontName=theme.FONT, fontSize=6.5, fillColor=theme.MUTED, textAnchor="end"))
    if panel.guide is not None:
        gy = y0 + panel.height * min(panel.guide / top, 1)
        group.add(Line(x0, gy, x0 + plot_width, gy, strokeColor=theme.MUTED, strokeWidth=0.4, strokeDashArray=[2, 2]))
        group.add(
            String(
                x0 + plot_width - 2,
                gy + 2,
                panel.guide_label,
                fontName=theme.FONT,
                fontSize=6,
                fillColor=theme.MUTED,
                textAnchor="end",
            )
        )
    if not present:
        group.add(
            String(
                x0 + plot_width / 2,
                y0 + panel.height / 2 - 3,
                "nothing logged",
                fontName=theme.FONT_ITALIC,
                fontSize=7,
                fillColor=theme.MUTED,
                textAnchor="middle",
            )
        )
        return group
    # Gaps (days with nothing logged) break the line instead of being drawn as zero.
    segment: list[float] = []
    for row, value in zip([*rows, None], [*values, None], strict=True):
        if row is not None and value is not None:
            segment += [axis.left(row) + axis.width(row) / 2, y0 + panel.height * min(value / top, 1)]
            continue
        if len(segment) > 2:
            group.add(PolyLine(segment, strokeColor=panel.colour, strokeWidth=0.9))
        elif segment:
            group.add(Rect(segment[0] - 0.9, segment[1] - 0.9, 1.8, 1.8, fillColor=panel.colour, strokeColor=None))
        segment = []
    return group


def _episode_bars(rows: Sequence[DayRow], axis: _Axis, y0: float, height: float, unit: str) -> Group:
    group = Group()
    top = _nice_max(max((row.episodes for row in rows), default=1))
    group.add(String(4, y0 + height - 9, "Episodes", fontName=theme.FONT_BOLD, fontSize=7.5, fillColor=theme.ACCENT))
    group.add(String(4, y0 + height - 18, unit, fontName=theme.FONT, fontSize=6.5, fillColor=theme.MUTED))
    for fraction in (0.5, 1.0):
        gy = y0 + height * fraction
        group.add(Line(axis.x0, gy, axis.x0 + axis.plot_width, gy, strokeColor=theme.RULE, strokeWidth=0.3))
        group.add(
            String(
                axis.x0 - 3,
                gy - 2.5,
                f"{top * fraction:g}",
                fontName=theme.FONT,
                fontSize=6.5,
                fillColor=theme.MUTED,
                textAnchor="end",
            )
        )
    group.add(String(axis.x0 - 3, y0, "0", fontName=theme.FONT, fontSize=6.5, fillColor=theme.MUTED, textAnchor="end"))
    for row in rows:
        if row.episodes:
            width = axis.width(row)
            # Leave a gap between bars only when there is room for one.
            gap = min(width * 0.2, 1.5) if width > 2 else 0
            group.add(
                Rect(
                    axis.left(row) + gap / 2,
                    y0,
                    width - gap,
                    height * row.episodes / top,
                    fillColor=theme.ACCENT,
                    strokeColor=None,
                )
            )
    group.add(Line(axis.x0, y0, axis.x0 + axis.plot_width, y0, strokeColor=theme.MUTED, strokeWidth=0.5))
    return group


def timeline_drawing(daily: Sequence[DayRow], width: float) -> Drawing:
    """Episodes as bars, with caffeine, sleep and stress as aligned strips beneath.

    Ranges longer than WEEKLY_AFTER_DAYS are drawn per week (episodes summed, the rest averaged).
    """
    weekly = len(daily) > WEEKLY_AFTER_DAYS
    # Units stay short enough for the label gutter; the section note says they are weekly means.
    panels = (
        _Panel(
            "Caffeine",
            "mg a day" if weekly else "mg per day",
            lambda r: r.caffeine_mg,
            theme.CAFFEINE,
            38,
            400,
            "400 mg guide",
        ),
        _Panel(
            "Sleep",
            "hours" if weekly else "h, night before",
            lambda r: r.sleep_hours,
            theme.SLEEP,
            38,
            7,
            "7 h",
            fixed_max=12,
        ),
        _Panel("Stress", "0-10" if weekly else "mean, 0-10", lambda r: r.stress_mean, theme.STRESS, 38, fixed_max=10),
    )
    bars_height, gap, axis_height = 90, 12, 14
    height = axis_height + bars_height + sum(p.height + gap for p in panels)
    drawing = Drawing(width, height)
    if not daily:
        return drawing
    rows = weekly_rows(daily) if weekly else list(daily)
    axis = _Axis(
        daily[0].day, len(daily), _LABEL_WIDTH, (width - _LABEL_WIDTH - _RIGHT_PAD) / len(daily), 7 if weekly else 1
    )
    y = height - bars_height
    drawing.add(_episode_bars(rows, axis, y, bars_height, "per week" if weekly else "per day"))
    for panel in panels:
        y -= gap + panel.height
        drawing.add(_panel_group(panel, rows, axis, y))
    for offset, label in date_ticks(axis.start, axis.days):
        tx = axis.x0 + offset * axis.day_width
        drawing.add(Line(tx, y, tx, y - 3, strokeColor=theme.MUTED, strokeWidth=0.4))
        drawing.add(
            String(tx, y - 11, label, fontName=theme.FONT, fontSize=6.5, fillColor=theme.MUTED, textAnchor="middle")
        )
    return drawing


def count_bars_drawing(rows: Sequence[tuple[str, int]], width: float, colour: colors.Color = theme.ACCENT) -> Drawing:
    """Horizontal bars for (label, count) pairs, largest first as given, counts at the bar ends."""
    row_height = 13
    labels = [label if len(label) <= 38 else label[:36] + "..." for label, _ in rows]
    drawing = Drawing(width, row_height * len(rows) + 6)
    chart = HorizontalBarChart()
    label_width = 150
    chart.x, chart.y = label_width, 3
    chart.width, chart.height = width - label_width - 30, row_height * len(rows)
    # The chart draws its first category at the bottom; reverse so the largest sits on top.
    chart.data = [[count for _, count in reversed(rows)]]
    chart.categoryAxis.categoryNames = list(reversed(labels))
    chart.categoryAxis.labels.fontName = theme.FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.fillColor = theme.INK
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.strokeColor = theme.RULE
    chart.categoryAxis.tickLeft = 0
    chart.valueAxis.visible = False
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max((count for _, count in rows), default=1) * 1.08 or 1
    chart.bars[0].fillColor = colour
    chart.bars[0].strokeColor = None
    chart.barWidth = row_height * 0.62
    chart.barSpacing = 0
    chart.groupSpacing = row_height * 0.38
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = theme.FONT
    chart.barLabels.fontSize = 7.5
    chart.barLabels.fillColor = theme.INK
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def intensity_drawing(intensity_counts: Mapping[int, int], width: float = 250) -> Drawing:
    """Episodes per intensity 1-10 as small vertical bars, every level shown even when zero."""
    drawing = Drawing(width, 92)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 24, 26, width - 30, 60
    chart.data = [[intensity_counts.get(level, 0) for level in range(1, 11)]]
    chart.categoryAxis.categoryNames = [str(level) for level in range(1, 11)]
    chart.categoryAxis.labels.fontName = theme.FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.strokeColor = theme.MUTED
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_max(max(intensity_counts.values(), default=1))
    chart.valueAxis.valueSteps = [0, chart.valueAxis.valueMax / 2, chart.valueAxis.valueMax]
    chart.valueAxis.labels.fontName = theme.FONT
    chart.valueAxis.labels.fontSize = 6.5
    chart.valueAxis.labels.fillColor = theme.MUTED
    chart.valueAxis.labelTextFormat = "%g"
    chart.valueAxis.strokeColor = theme.RULE
    chart.valueAxis.gridStrokeColor = theme.RULE
    chart.valueAxis.gridStrokeWidth = 0.3
    chart.valueAxis.visibleGrid = True
    chart.bars[0].fillColor = theme.ACCENT
    chart.bars[0].strokeColor = None
    chart.groupSpacing = 4
    drawing.add(chart)
    drawing.add(
        String(
            24 + (width - 30) / 2,
            3,
            "intensity as rated by the patient (1-10)",
            fontName=theme.FONT,
            fontSize=6.5,
            fillColor=theme.MUTED,
            textAnchor="middle",
        )
    )
    return drawing
