"""The summary's small chart: episodes per local day over the last four weeks, as a PNG.

It is read on a phone, where a 600 px wide image is shown at about 360 px, so the labels are
drawn large, the date under each Monday starts at its bar, and the y axis has no "0" label to
run into the first date (the bars stand on the axis line, which says zero well enough). Days
before the diary began get neither a bar nor a "not logged" mark, and a line says where it began.

Drawn with matplotlib's object API on an Agg canvas, never through pyplot, whose global
state is not safe when a worker renders on several threads. Building the axes costs more
than drawing them, and the dispatcher renders one chart per user, so each thread keeps one
figure and only the data, the labels and the scale change between charts.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from insights import wording
from insights.summaries.week_figures import ChartDay

WIDTH_PX, HEIGHT_PX, DPI = 600, 280, 100
LABEL_SIZE = 19  # about 11 px once the image is scaled to a phone's width
DAYS = 28
# The colours of the HTML part, so chart and text read as one.
BAR = "#5b8fa8"
THIS_WEEK = "#1d4e66"
NOT_LOGGED = "#c9cfd4"
TEXT = "#4a5560"
GRID = "#e8ecef"
BAR_HALF_WIDTH = 0.35


class _Canvas:
    """One figure with its artists, refilled for each chart."""

    def __init__(self) -> None:
        self.figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
        axes: Axes = self.figure.add_axes((0.075, 0.14, 0.905, 0.62))
        self.axes = axes
        # What a bar is, on the chart itself, so it cannot disagree with a caption.
        self.figure.text(0.01, 0.975, "Episodes per day", fontsize=LABEL_SIZE, color=TEXT, va="top")
        self.began = axes.axvline(-10, color=TEXT, linewidth=1, linestyle=(0, (2, 2)), zorder=1)
        self.began_label = axes.text(
            -10,
            1,
            "diary began",
            fontsize=LABEL_SIZE - 4,
            color=TEXT,
            va="top",
            ha="left",
            transform=axes.get_xaxis_transform(),
        )
        # One collection of rectangles rather than axes.bar(): 28 separate patches would cost
        # more than everything else in the drawing.
        self.bars = PolyCollection([], edgecolors="none")
        axes.add_collection(self.bars)
        self.missing: PathCollection = axes.scatter([], [], marker="_", s=40, color=NOT_LOGGED, linewidths=2)
        # Week boundaries and one label per Monday keep 28 bars readable at phone width.
        for index in range(7, DAYS, 7):
            axes.axvline(index - 0.5, color=GRID, linewidth=1, zorder=0)
        axes.set_xlim(-0.6, DAYS - 0.4)
        # Each week's total over its bars, so the totals line up with the weeks at any width.
        self.totals = [
            axes.text(
                first + 3,
                1.0,
                "",
                fontsize=LABEL_SIZE - 2,
                color=TEXT,
                ha="center",
                va="bottom",
                transform=axes.get_xaxis_transform(),
            )
            for first in range(0, DAYS, 7)
        ]
        # Whole episodes only, and no 0: the baseline needs no label and one there collides with the first date.
        axes.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True, min_n_ticks=1, prune="lower"))
        axes.tick_params(axis="y", labelsize=LABEL_SIZE, colors=TEXT, length=0, pad=4)
        axes.tick_params(axis="x", labelsize=LABEL_SIZE, colors=TEXT, length=0, pad=6)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        axes.spines["bottom"].set_color(NOT_LOGGED)
        axes.grid(axis="y", color=GRID, linewidth=0.8)
        axes.set_axisbelow(True)

    def render(self, days: Sequence[ChartDay]) -> bytes:
        heights = [day.episodes or 0 for day in days]
        top = max([*heights, 1])
        first_of_last_week = len(days) - 7
        self.bars.set_verts(
            [
                ((x - BAR_HALF_WIDTH, 0), (x - BAR_HALF_WIDTH, h), (x + BAR_HALF_WIDTH, h), (x + BAR_HALF_WIDTH, 0))
                for x, h in enumerate(heights)
            ]
        )
        self.bars.set_facecolor([THIS_WEEK if x >= first_of_last_week else BAR for x in range(len(days))])
        # Days with nothing logged get a small grey mark on the axis, not a bar of zero; days
        # before the diary began get nothing at all.
        self.missing.set_offsets(
            [(x, top * 0.02) for x, day in enumerate(days) if day.episodes is None and not day.before_diary]
            or [(-10.0, 0.0)]
        )
        began = next((x for x, day in enumerate(days) if not day.before_diary), 0)
        self.began.set_xdata([began - 0.5 if began > 0 else -10] * 2)
        # The label sits in the empty days before the line, clear of the bars: across them when
        # they have room, upright along the line when they are few.
        room = began >= 6
        self.began_label.set_x(began - 0.7 if began > 0 else -10)
        self.began_label.set_horizontalalignment("right")
        self.began_label.set_verticalalignment("center" if room else "bottom")
        self.began_label.set_rotation(0 if room else 90)
        self.began_label.set_y(0.45 if room else 0.03)
        for label, first in zip(self.totals, range(0, DAYS, 7), strict=True):
            week = [day for day in days[first : first + 7] if not day.before_diary]
            total = sum(day.episodes or 0 for day in week)
            label.set_text(f"{total} in total" if week else "")
        mondays = list(range(0, len(days), 7))
        self.axes.set_xticks(
            [x - BAR_HALF_WIDTH for x in mondays], [wording.day_month_text(days[i].day) for i in mondays], ha="left"
        )
        self.axes.set_ylim(0, top * 1.08)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        return buffer.getvalue()


_local = threading.local()


def episodes_chart_png(days: Sequence[ChartDay]) -> bytes:
    """A 600x280 PNG bar chart of ``days`` (four weeks, the last one darker)."""
    canvas: _Canvas | None = getattr(_local, "canvas", None)
    if canvas is None:
        canvas = _local.canvas = _Canvas()
    return canvas.render(days)
