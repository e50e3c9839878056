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
from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.lib import colors

from insights import wording
from insights.reports import theme
from insights.reports.report_model import DayRow

_LABEL_WIDTH = 62  # left gutter for panel titles and y tick labels
_RIGHT_PAD = 8


@dataclass(frozen=True)
class _Panel:
    """One horizontal strip of the timeline sharing the date axis."""

    title: str
    unit: str  # printed after the tick values, e.g. "mg", "h"
    scale_note: str  # a second gutter line, e.g. "rating 0-10"
    value: Callable[[DayRow], float | None]
    colour: colors.Color
    height: float
    style: str = "points"  # "bars" from zero, or "points"
    guide: float | None = None  # the cut point an association compared at, when one was tested
    guide_label: str = ""
    scale: tuple[float, float] | None = None  # a fixed scale (a 0-10 rating); else fitted to the data


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


def fitted_scale(values: Sequence[float], guide: float | None, zero: bool) -> tuple[float, float]:
    """An axis from 0 (counts, amounts) or from just below the data (hours of sleep) to just above it,
    in whole units, wide enough for the guide, so one short night stands out from the full ones."""
    present = [*values, *([guide] if guide is not None else [])]
    if not present:
        return 0.0, 1.0
    if zero:
        return 0.0, _nice_max(max(present))
    low, high = math.floor(min(present)) - 1, math.ceil(max(present)) + 1
    return float(max(low, 0)), float(high)


def date_ticks(start: date, days: int) -> list[tuple[int, str]]:
    """Day offsets and labels for the date axis: weekly for short ranges, monthly for long ones."""
    if days <= 45:
        step = 7 if days > 14 else 1 if days <= 7 else 2
        return [(i, wording.day_month_text(start + timedelta(days=i))) for i in range(0, days, step)]
    ticks: list[tuple[int, str]] = []
    for i in range(days):
        day = start + timedelta(days=i)
        if day.day == 1:
            # A year's range gets month names only; the year appears on January and the first tick.
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

    def x(self, day: date) -> float:
        return self.x0 + (day - self.start).days * self.day_width

    def left(self, row: DayRow) -> float:
        return self.x(row.day)

    def width(self, row: DayRow) -> float:
        return self.bucket_days * self.day_width

    def centre(self, row: DayRow) -> float:
        return self.left(row) + self.width(row) / 2

    @property
    def plot_width(self) -> float:
        return self.day_width * self.days


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def weekly_rows(daily: Sequence[DayRow]) -> list[DayRow]:
    """Whole weeks ending on the last day: episodes summed, the other measures averaged over days
    with a value. Leftover days at the start make no bar, so no bar is a part-week that reads as a drop."""
    weeks = []
    for end in range(len(daily), 6, -7):
        week = daily[end - 7 : end]
        weeks.append(
            DayRow(
                day=week[0].day,
                episodes=sum(row.episodes for row in week),
                caffeine_mg=_mean([row.caffeine_mg for row in week]),
                sleep_hours=_mean([row.sleep_hours for row in week]),
                stress_mean=_mean([row.stress_mean for row in week]),
            )
        )
    return weeks[::-1]


def _tick_label(value: float, unit: str) -> str:
    return f"{value:g} {unit}".strip()


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = 6.5,
    colour: colors.Color = theme.MUTED,
    anchor: str = "start",
    font: str = theme.FONT,
) -> String:
    return String(x, y, text, fontName=font, fontSize=size, fillColor=colour, textAnchor=anchor)


def _guide(group: Group, axis: _Axis, y: float, label: str, gutter_y: float) -> None:
    """A dashed line across the plot, labelled in the gutter (a dash and the value), so no label is
    struck through by its line or hidden under the data."""
    dash = {"strokeColor": theme.INK, "strokeWidth": 0.5, "strokeDashArray": [2, 1.5]}
    group.add(Line(axis.x0, y, axis.x0 + axis.plot_width, y, **dash))
    group.add(Line(4, gutter_y + 2, 13, gutter_y + 2, **dash))
    group.add(_text(15, gutter_y, label, size=6, colour=theme.INK, font=theme.SYMBOL_FONT))


def _panel_group(panel: _Panel, rows: Sequence[DayRow], axis: _Axis, y0: float) -> Group:
    group = Group()
    values = [panel.value(row) for row in rows]
    present = [v for v in values if v is not None]
    low, high = panel.scale or fitted_scale(present, panel.guide, zero=panel.style == "bars")
    x0, plot_width = axis.x0, axis.plot_width
    group.add(Rect(x0, y0, plot_width, panel.height, fillColor=theme.ZEBRA, strokeColor=None))
    group.add(_text(4, y0 + panel.height - 9, panel.title, size=7.5, colour=panel.colour, font=theme.FONT_BOLD))
    if panel.scale_note:
        group.add(_text(4, y0 + panel.height - 17, panel.scale_note, size=6))
    # Points keep clear of the panel's edges so a dot at 0 or at the top is whole.
    pad = 0.0 if panel.style == "bars" else 2.5

    def y_of(value: float) -> float:
        # Clamped, so a value off the scale sits on the panel's edge instead of outside it.
        share = (min(max(value, low), high) - low) / ((high - low) or 1)
        return y0 + pad + (panel.height - 2 * pad) * share

    for tick in (low, high):
        group.add(_text(x0 - 3, y_of(tick) - (0 if tick == low else 5), _tick_label(tick, panel.unit), anchor="end"))
    if panel.guide is not None and present:
        _guide(group, axis, y_of(panel.guide), panel.guide_label, y0 + panel.height - 26)
    if not present:
        group.add(
            _text(
                x0 + plot_width / 2,
                y0 + panel.height / 2 - 3,
                "nothing logged",
                size=7,
                anchor="middle",
                font=theme.FONT_ITALIC,
            )
        )
        return group
    for row, value in zip(rows, values, strict=True):
        if value is None:
            continue
        if panel.style == "bars":
            width = axis.width(row)
            gap = min(width * 0.25, 1.5) if width > 2 else 0
            group.add(
                Rect(
                    axis.left(row) + gap / 2,
                    y0,
                    max(width - gap, 0.6),
                    y_of(value) - y0,
                    fillColor=panel.colour,
                    strokeColor=None,
                )
            )
        else:
            # Squares, not circles: as legible at this size, and a year of them draws far faster.
            side = min(2.8, max(axis.width(row) * 0.6, 1.6))
            group.add(
                Rect(
                    axis.centre(row) - side / 2,
                    y_of(value) - side / 2,
                    side,
                    side,
                    fillColor=panel.colour,
                    strokeColor=None,
                )
            )
    return group


def _episode_bars(rows: Sequence[DayRow], axis: _Axis, y0: float, height: float, unit: str) -> Group:
    group = Group()
    top = _nice_max(max((row.episodes for row in rows), default=1))
    group.add(_text(4, y0 + height - 9, "Episodes", size=7.5, colour=theme.ACCENT, font=theme.FONT_BOLD))
    group.add(_text(4, y0 + height - 18, unit))
    for fraction in (0.5, 1.0):
        gy = y0 + height * fraction
        group.add(Line(axis.x0, gy, axis.x0 + axis.plot_width, gy, strokeColor=theme.RULE, strokeWidth=0.3))
        group.add(_text(axis.x0 - 3, gy - 2.5, f"{top * fraction:g}", anchor="end"))
    group.add(_text(axis.x0 - 3, y0, "0", anchor="end"))
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


def timeline_drawing(
    daily: Sequence[DayRow],
    width: float,
    *,
    diary_start: date | None = None,
    guides: Mapping[str, tuple[float, str]] | None = None,
) -> Drawing:
    """Episodes as bars, with caffeine, sleep and stress as aligned strips beneath.

    Ranges longer than WEEKLY_AFTER_DAYS are drawn per whole week (episodes summed, the rest
    averaged). ``diary_start``, when the diary began after the range did, is marked at the axis'
    start (``daily`` should begin there: days before the diary are not days without episodes).
    ``guides`` maps "caffeine", "sleep" or "stress" to the cut point its association compared
    at and a label; a measure without one gets no line.
    """
    guides = guides or {}
    weekly = len(daily) > WEEKLY_AFTER_DAYS

    def guide(key: str) -> tuple[float | None, str]:
        value, label = guides.get(key, (None, ""))
        return value, label

    caffeine_guide, sleep_guide, stress_guide = guide("caffeine"), guide("sleep"), guide("stress")
    panels = (
        _Panel(
            "Caffeine",
            "mg",
            "week mean" if weekly else "per day",
            lambda r: r.caffeine_mg,
            theme.CAFFEINE,
            36,
            "bars",
            *caffeine_guide,
        ),
        _Panel(
            "Sleep",
            "h",
            "week mean" if weekly else "night before",
            lambda r: r.sleep_hours,
            theme.SLEEP,
            36,
            "points",
            *sleep_guide,
        ),
        _Panel(
            "Stress",
            "",
            "rating 0-10",
            lambda r: r.stress_mean,
            theme.STRESS,
            36,
            "points",
            *stress_guide,
            scale=(0, 10),
        ),
    )
    bars_height, gap, axis_height, marker_room = 86, 12, 14, 10
    height = axis_height + bars_height + marker_room + sum(p.height + gap for p in panels)
    drawing = Drawing(width, height)
    if not daily:
        return drawing
    rows = weekly_rows(daily) if weekly else list(daily)
    if not rows:  # fewer than seven days cannot make a whole week
        rows, weekly = list(daily), False
    # The axis runs from the first row shown (the first whole week) to the last day.
    days = (daily[-1].day - rows[0].day).days + 1
    axis = _Axis(rows[0].day, days, _LABEL_WIDTH, (width - _LABEL_WIDTH - _RIGHT_PAD) / days, 7 if weekly else 1)
    top = height - marker_room
    y = top - bars_height
    drawing.add(_episode_bars(rows, axis, y, bars_height, "per week" if weekly else "per day"))
    for panel in panels:
        y -= gap + panel.height
        drawing.add(_panel_group(panel, rows, axis, y))
    if diary_start is not None:
        # The range began before the diary: the axis starts with the diary, and says so.
        mx = axis.x(max(diary_start, axis.start))
        drawing.add(Line(mx, y, mx, top + 2, strokeColor=theme.INK, strokeWidth=0.6))
        drawing.add(_text(mx + 3, top + 1, f"diary started {wording.day_text(diary_start)}", colour=theme.INK))
    for offset, label in date_ticks(axis.start, axis.days):
        tx = axis.x0 + offset * axis.day_width
        drawing.add(Line(tx, y, tx, y - 3, strokeColor=theme.MUTED, strokeWidth=0.4))
        drawing.add(_text(tx, y - 11, label, anchor="middle"))
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
    chart.x, chart.y, chart.width, chart.height = 34, 26, width - 40, 60
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
    y_label = String(0, 0, "episodes", fontName=theme.FONT, fontSize=6.5, fillColor=theme.MUTED, textAnchor="middle")
    rotated = Group(y_label)
    rotated.translate(8, 26 + 30)
    rotated.rotate(90)
    drawing.add(rotated)
    drawing.add(
        String(
            34 + (width - 40) / 2,
            3,
            "intensity as rated by the patient (1-10)",
            fontName=theme.FONT,
            fontSize=6.5,
            fillColor=theme.MUTED,
            textAnchor="middle",
        )
    )
    return drawing
