"""The appendix: every episode in the range as one long table.

This is the only part of the report that grows with the data, so it avoids a Paragraph
per cell: text is wrapped once with ``simpleSplit`` into plain newline-joined strings,
which a Table draws directly, and the rows go into a ``LongTable`` (which sizes columns
without measuring every row) with the header repeated on every page.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.utils import simpleSplit
from reportlab.platypus import Flowable, LongTable, Paragraph, TableStyle

from insights import wording
from insights.reports import theme
from insights.reports.report_model import EpisodeRow

_FONT_SIZE = 7.5
_PADDING = 3  # left + right cell padding is twice this
# (header, share of the width); the notes get what is left.
_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Date", 0.1),
    ("Time", 0.055),
    ("Duration", 0.1),  # "10 min 29 s" fits at 7.5 pt with its padding
    ("Sites", 0.14),
    ("Character", 0.085),
    ("Int.", 0.035),
    ("Context", 0.14),  # "Holding a posture" on one line
    ("Symptoms", 0.105),
)


def _wrap(text: str, width: float) -> str:
    if not text:
        return ""
    if len(text) * _FONT_SIZE * 0.45 < width:  # a quick bound that spares measuring short text
        return text
    return "\n".join(simpleSplit(text, theme.FONT, _FONT_SIZE, width))


def column_widths(width: float) -> list[float]:
    widths = [round(width * share, 1) for _, share in _COLUMNS]
    return [*widths, width - sum(widths)]


def episode_rows(episodes: Sequence[EpisodeRow], width: float) -> list[list[str]]:
    """The table body including the header, every cell a plain string."""
    widths = column_widths(width)
    text_width = [w - 2 * _PADDING for w in widths]
    rows = [[name for name, _ in _COLUMNS] + ["Notes"]]
    ordered = sorted(episodes, key=lambda e: e.started_at_local)
    for e in ordered:
        rows.append(
            [
                # The report's one date format, with the year, so a log across New Year reads right.
                wording.day_text(e.started_at_local.date()),
                e.started_at_local.strftime("%H:%M"),
                wording.duration(e.duration_s),
                _wrap(e.sites, text_width[3]),
                _wrap(e.character, text_width[4]),
                str(e.intensity),
                _wrap(e.context, text_width[6]),
                _wrap(e.symptoms, text_width[7]),
                _wrap(e.notes, text_width[8]),
            ]
        )
    return rows


def episode_log_section(episodes: Sequence[EpisodeRow], width: float) -> list[Flowable]:
    heading = Paragraph("Appendix: episode log", theme.H2)
    if not episodes:
        return [heading, Paragraph("<i>No episodes in this range.</i>", theme.BODY)]
    table = LongTable(
        episode_rows(episodes, width),
        colWidths=column_widths(width),
        repeatRows=1,
        style=theme.table_style(font_size=_FONT_SIZE),
    )
    table.setStyle(
        TableStyle(
            [
                ("ALIGN", (5, 0), (5, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), _PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), _PADDING),
            ]
        )
    )
    note = Paragraph(
        f"{len(episodes)} episodes, oldest first, in the patient's local time. Int. = intensity (1-10).", theme.SMALL
    )
    return [heading, note, table]
