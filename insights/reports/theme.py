"""Typography, colours and small layout helpers (table styles, a number cell, escaping) for the report.

Dates, durations and counts are worded by ``insights.wording``, as on every other surface.

One muted palette and one set of paragraph styles keep the pages consistent; the
severity colours are the only strong colours, so a flag is the first thing the eye finds.
"""

from __future__ import annotations

from pathlib import Path

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import TableStyle

FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"
FONT_ITALIC = "Helvetica-Oblique"
# Helvetica is not embedded and its standard encoding has no "≥": viewers then draw a substitute
# glyph over the next digit. Bitstream Vera (shipped with ReportLab) is embedded for these signs.
SYMBOL_FONT = "Vera"
pdfmetrics.registerFont(TTFont(SYMBOL_FONT, str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")))
_SYMBOLS = ("≥", "≤")
BODY_SIZE = 9.5
SMALL_SIZE = 8

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#616E7C")
RULE = colors.HexColor("#CBD2D9")
ZEBRA = colors.HexColor("#F5F7FA")
HEADER_FILL = colors.HexColor("#E4E7EB")
ACCENT = colors.HexColor("#2F6690")  # episodes, bars, the hand shading
ACCENT_LIGHT = colors.HexColor("#D9E6F2")
CAFFEINE = colors.HexColor("#8D6E63")
SLEEP = colors.HexColor("#5C6BC0")
STRESS = colors.HexColor("#C2185B")
LOW = colors.HexColor("#B45309")  # a value below its reference range
HIGH = colors.HexColor("#9A3412")

# Severity -> (badge text, badge fill). Worded for a reader who is a clinician: how soon the
# rule's source says the pattern should be reviewed, not an instruction to the patient.
SEVERITY_BADGES: dict[str, tuple[str, colors.Color]] = {
    "info": ("NOTE", colors.HexColor("#7B8794")),
    "see_doctor": ("ROUTINE", colors.HexColor("#2F6690")),
    "see_doctor_soon": ("SOON", colors.HexColor("#C05621")),
    "urgent": ("URGENT", colors.HexColor("#C53030")),
    "emergency": ("EMERGENCY", colors.HexColor("#9B2C2C")),
}

BODY = ParagraphStyle("body", fontName=FONT, fontSize=BODY_SIZE, leading=12.5, textColor=INK, alignment=TA_LEFT)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=SMALL_SIZE, leading=10, textColor=MUTED)
H1 = ParagraphStyle("h1", parent=BODY, fontName=FONT_BOLD, fontSize=15, leading=19, spaceAfter=4)
H2 = ParagraphStyle("h2", parent=BODY, fontName=FONT_BOLD, fontSize=12, leading=15, spaceBefore=10, spaceAfter=5)
H3 = ParagraphStyle("h3", parent=BODY, fontName=FONT_BOLD, fontSize=10, leading=13, spaceBefore=6, spaceAfter=3)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=10.5)
CELL_SMALL = ParagraphStyle("cell_small", parent=BODY, fontSize=7.5, leading=9)
FOOT = ParagraphStyle("foot", parent=SMALL, fontSize=7, leading=8.5)
FACT_VALUE = ParagraphStyle("fact_value", parent=BODY, fontName=FONT_BOLD, fontSize=13, leading=16)
FACT_LABEL = ParagraphStyle("fact_label", parent=SMALL, fontSize=7.5, leading=9)


def table_style(*, header: bool = True, zebra: bool = True, font_size: float = 8.5) -> TableStyle:
    """The one look every data table shares: a grey header, light rules, optional zebra rows."""
    commands: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), FONT, font_size, font_size + 2),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]
    if header:
        commands += [
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, font_size, font_size + 2),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, MUTED),
        ]
    if zebra:
        # ROWBACKGROUNDS cycles per row, so one command covers any length and survives splits.
        commands.append(("ROWBACKGROUNDS", (0, 1 if header else 0), (-1, -1), [colors.white, ZEBRA]))
    return TableStyle(commands)


def format_number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def escape(text: str) -> str:
    """Escape user text for a Paragraph, whose markup is a small XML dialect, and set "≥" and "≤"
    in the embedded symbol font."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for sign in _SYMBOLS:
        text = text.replace(sign, f"<font face='{SYMBOL_FONT}'>{sign}</font>")
    return text
