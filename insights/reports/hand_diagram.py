"""The hand diagram and the spread chart: where the twitching was, and how that changed.

Both hands are drawn palm side up as the patient sees their own palms (left hand on the
left, thumbs pointing outwards), the view patients use when they mark symptoms on a
hand chart. Each finger is shaded from pale to dark by its share of the most involved
finger, with its count written on it, so the picture reads without the legend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.lib import colors

from diary.catalogues.body_sites import FINGERS, SIDES
from insights import wording
from insights.reports import theme
from insights.reports.pdf_charts import date_ticks
from insights.reports.report_model import RegionRow

_UNUSED_FILL = colors.HexColor("#FBFCFD")
_PALE = colors.HexColor("#E3ECF5")

# Finger geometry for a left hand seen palm up (thumb on the left): x offset of the
# finger's left edge from the palm's left edge, width and length, in points.
_PALM_WIDTH, _PALM_HEIGHT = 72, 70
_FINGER_GEOMETRY: dict[str, tuple[float, float, float]] = {
    "index": (1, 16.5, 50),
    "middle": (19, 17, 56),
    "ring": (37.5, 16.5, 51),
    "little": (56, 15, 39),
}
_THUMB_WIDTH, _THUMB_LENGTH, _THUMB_ANGLE = 18, 54, 36  # degrees outwards from vertical
_THUMB_BASE = (9, 12)  # where the thumb's axis starts inside the palm


def shade_for(count: int, most: int) -> colors.Color:
    """Pale for a finger involved rarely, dark for the most involved one, near-white for none."""
    if count <= 0 or most <= 0:
        return _UNUSED_FILL
    return colors.linearlyInterpolatedColor(_PALE, theme.ACCENT, 0, 1, 0.15 + 0.85 * count / most)


def _count_label(x: float, y: float, count: int, most: int) -> String:
    dark_fill = most > 0 and count / most > 0.45
    return String(
        x,
        y,
        str(count),
        fontName=theme.FONT_BOLD,
        fontSize=8,
        textAnchor="middle",
        fillColor=colors.white if dark_fill else (theme.INK if count else theme.MUTED),
    )


def _hand(side: str, counts: Mapping[str, int], most: int) -> Group:
    """One hand in local coordinates, palm from (0, 0) to (_PALM_WIDTH, _PALM_HEIGHT).

    The geometry is that of the left hand; the right hand mirrors x by arithmetic rather
    than a mirroring transform, which would also mirror the count labels.
    """
    mirrored = side == "right"

    def left_edge(x: float, width: float) -> float:
        return _PALM_WIDTH - x - width if mirrored else x

    outline = {"strokeColor": theme.MUTED, "strokeWidth": 0.8}
    hand = Group()
    labels: list[String] = []
    # Digits first, then the palm over their bases, so each joins the palm without a seam.
    thumb_count = counts.get(f"{side}_thumb", 0)
    thumb = Group(
        Rect(
            -_THUMB_WIDTH / 2,
            0,
            _THUMB_WIDTH,
            _THUMB_LENGTH,
            rx=_THUMB_WIDTH / 2,
            ry=_THUMB_WIDTH / 2,
            fillColor=shade_for(thumb_count, most),
            **outline,
        ),
        _count_label(0, _THUMB_LENGTH - 16, thumb_count, most),
    )
    thumb.translate(left_edge(_THUMB_BASE[0], 0), _THUMB_BASE[1])
    thumb.rotate(-_THUMB_ANGLE if mirrored else _THUMB_ANGLE)
    hand.add(thumb)
    for finger, (x, width, length) in _FINGER_GEOMETRY.items():
        count = counts.get(f"{side}_{finger}", 0)
        x = left_edge(x, width)
        hand.add(
            Rect(
                x,
                _PALM_HEIGHT - 12,
                width,
                length + 12,
                rx=width / 2,
                ry=width / 2,
                fillColor=shade_for(count, most),
                **outline,
            )
        )
        labels.append(_count_label(x + width / 2, _PALM_HEIGHT + length - 16, count, most))
    hand.add(Rect(14, -22, _PALM_WIDTH - 28, 30, rx=4, ry=4, fillColor=_UNUSED_FILL, **outline))  # wrist
    hand.add(Rect(0, 0, _PALM_WIDTH, _PALM_HEIGHT, rx=12, ry=12, fillColor=_UNUSED_FILL, **outline))
    for label in labels:
        hand.add(label)
    return hand


def hands_drawing(finger_counts: Mapping[str, int], width: float = 300, scale: float = 1.2) -> Drawing:
    """Both hands, palm side up, each finger shaded and labelled with its episode count."""
    drawing = Drawing(width, 162 * scale + 14)
    most = max(finger_counts.values(), default=0)
    for index, side in enumerate(SIDES):
        centre = width * (0.27 if index == 0 else 0.73)
        hand = Group(_hand(side, finger_counts, most))
        hand.translate(centre - _PALM_WIDTH * scale / 2, 14 + 24 * scale)
        hand.scale(scale, scale)
        drawing.add(hand)
        drawing.add(
            String(
                centre,
                2,
                f"{side.capitalize()} hand",
                fontName=theme.FONT_BOLD,
                fontSize=9,
                fillColor=theme.INK,
                textAnchor="middle",
            )
        )
    return drawing


def finger_legend_rows(
    finger_counts: Mapping[str, int], episodes_by_side: Mapping[str, int] | None = None
) -> list[list[str]]:
    """A table body of finger, left count, right count: the diagram's numbers in reading order.

    The last row counts episodes with any finger of that hand, not the sum of the rows above
    (an episode in two fingers is one episode)."""
    rows = [["Finger", "Left", "Right"]]
    for finger in FINGERS:
        name = finger.capitalize() if finger == "thumb" else f"{finger.capitalize()} finger"
        rows.append([name] + [str(finger_counts.get(f"{side}_{finger}", 0)) for side in SIDES])
    if episodes_by_side:
        rows.append(["Episodes, any finger"] + [str(episodes_by_side.get(side, 0)) for side in SIDES])
    return rows


def shade_scale_drawing(most: int, width: float = 150) -> Drawing:
    """A five-step colour key from "none" to the largest finger count."""
    drawing = Drawing(width, 24)
    steps = [0] + [max(1, round(most * f)) for f in (0.25, 0.5, 0.75, 1.0)] if most else [0]
    box = (width - 10) / max(len(steps), 1)
    for i, value in enumerate(steps):
        drawing.add(
            Rect(i * box, 10, box - 2, 10, fillColor=shade_for(value, most), strokeColor=theme.RULE, strokeWidth=0.4)
        )
        drawing.add(
            String(
                i * box + (box - 2) / 2,
                1,
                "none" if value == 0 else str(value),
                fontName=theme.FONT,
                fontSize=6.5,
                fillColor=theme.MUTED,
                textAnchor="middle",
            )
        )
    return drawing


def spread_drawing(spans: Sequence[RegionRow], range_start: date, range_end: date, width: float) -> Drawing:
    """Gantt-like bars per body region, from its first to its last episode, on the range's date axis."""
    row_height, label_width, dates_width, axis_height = 15, 120, 120, 14
    days = (range_end - range_start).days + 1
    drawing = Drawing(width, row_height * len(spans) + axis_height)
    plot_width = width - label_width - dates_width
    day_width = plot_width / days
    top = axis_height + row_height * len(spans)
    for i, span in enumerate(spans):
        y = top - (i + 1) * row_height
        first = max((span.first_day - range_start).days, 0)
        last = min((span.last_day - range_start).days, days - 1)
        if i % 2 == 0:
            drawing.add(Rect(0, y, width, row_height, fillColor=theme.ZEBRA, strokeColor=None))
        drawing.add(
            String(
                4,
                y + 4.5,
                f"{span.region_label} ({span.episodes})",
                fontName=theme.FONT,
                fontSize=8,
                fillColor=theme.INK,
            )
        )
        # A single-day span still gets a visible mark.
        bar_width = max((last - first + 1) * day_width, 2.5)
        drawing.add(
            Rect(
                label_width + first * day_width,
                y + 3.5,
                bar_width,
                row_height - 7,
                rx=2,
                ry=2,
                fillColor=theme.ACCENT,
                strokeColor=None,
            )
        )
        period = (
            wording.day_text(span.first_day)
            if span.first_day == span.last_day
            else wording.period_text(span.first_day, span.last_day)
        )
        drawing.add(
            String(
                label_width + plot_width + 6, y + 4.5, period, fontName=theme.FONT, fontSize=7.5, fillColor=theme.MUTED
            )
        )
    drawing.add(
        Line(label_width, axis_height, label_width + plot_width, axis_height, strokeColor=theme.MUTED, strokeWidth=0.4)
    )
    for offset, label in date_ticks(range_start, days):
        tx = label_width + offset * day_width
        drawing.add(Line(tx, axis_height, tx, axis_height - 3, strokeColor=theme.MUTED, strokeWidth=0.4))
        drawing.add(
            String(
                tx,
                axis_height - 11,
                label,
                fontName=theme.FONT,
                fontSize=6.5,
                fillColor=theme.MUTED,
                textAnchor="middle",
            )
        )
    return drawing
