"""The summary's small chart: episodes per local day over the last four weeks, as a PNG.

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

from insights.summaries.figures import ChartDay

WIDTH_PX, HEIGHT_PX, DPI = 600, 200, 100
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
        axes: Axes = self.figure.add_axes((0.07, 0.16, 0.91, 0.8))
        self.axes = axes
        # One collection of rectangles rather than axes.bar(): 28 separate patches would cost
        # more than everything else in the drawing.
        self.bars = PolyCollection([], edgecolors="none")
        axes.add_collection(self.bars)
        self.missing: PathCollection = axes.scatter([], [], marker="_", s=40, color=NOT_LOGGED, linewidths=2)
        # Week boundaries and one label per Monday keep 28 bars readable at phone width.
        for index in range(7, DAYS, 7):
            axes.axvline(index - 0.5, color=GRID, linewidth=1, zorder=0)
        axes.set_xlim(-0.6, DAYS - 0.4)
        axes.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
        axes.tick_params(axis="y", labelsize=13, colors=TEXT, length=0)
        axes.tick_params(axis="x", labelsize=13, colors=TEXT, length=0)
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
        # Days with nothing logged get a small grey mark on the axis, not a bar of zero.
        self.missing.set_offsets(
            [(x, top * 0.02) for x, day in enumerate(days) if day.episodes is None] or [(-10.0, 0.0)]
        )
        mondays = list(range(0, len(days), 7))
        self.axes.set_xticks(mondays, [f"{days[i].day.day} {days[i].day:%b}" for i in mondays])
        self.axes.set_ylim(0, top * 1.15)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        return buffer.getvalue()


_local = threading.local()


def episodes_chart_png(days: Sequence[ChartDay]) -> bytes:
    """A 600x200 PNG bar chart of ``days`` (four weeks, the last one darker)."""
    canvas: _Canvas | None = getattr(_local, "canvas", None)
    if canvas is None:
        canvas = _local.canvas = _Canvas()
    return canvas.render(days)
