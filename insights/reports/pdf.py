"""Render the physician report (a ``ReportContent``) as an A4 PDF with ReportLab.

``render_report_pdf`` is pure: content in, bytes out, no Django and no I/O, so a Celery
task can call it and store the result. Every page carries the patient, the range, the
generation date, "Page N of M" and the disclaimer; the total page count is only known at
the end, so a canvas subclass holds the pages back and stamps the count on save.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, SimpleDocTemplate

from insights import wording
from insights.reports import theme
from insights.reports.episode_log import episode_log_section
from insights.reports.experiment_section import experiment_section
from insights.reports.page_one import TITLE, flags_in_full, page_one_flowables, page_one_is_crowded
from insights.reports.report_model import ReportContent
from insights.reports.sections import (
    associations_section,
    characteristics_section,
    hands_section,
    labs_section,
    medications_section,
    timeline_section,
    tremors_section,
)

DISCLAIMER = (
    "This report summarises what the patient logged in the Twitchlog app. It is not a diagnosis and has not been "
    "reviewed by a clinician; entries are self-reported and may be incomplete."
)
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 22 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
# The frame SimpleDocTemplate lays out into has 6 pt of padding on each edge.
CONTENT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM - 12


# Footer lines, measured down from the rule above the footer.
_FOOTER_RULE_Y = MARGIN_BOTTOM - 10
_FOOTER_LINE_1 = _FOOTER_RULE_Y - 9
_FOOTER_LINE_2 = _FOOTER_RULE_Y - 17.5
_FOOTER_RIGHT_COLUMN = 165  # room for the generation time and the page count


class _NumberedCanvas(Canvas):
    """A canvas that defers every page so it can write "Page N of M" once M is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._page_states: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._page_states)
        for state in self._page_states:
            self.__dict__.update(state)
            self._draw_page_number(total)
            super().showPage()
        super().save()

    def _draw_page_number(self, total: int) -> None:
        self.setFont(theme.FONT_BOLD, 7)
        self.setFillColor(theme.INK)
        self.drawRightString(PAGE_WIDTH - MARGIN_X, _FOOTER_LINE_2, f"Page {self._pageNumber} of {total}")


def _header_footer(content: ReportContent) -> Callable[[Canvas, Any], None]:
    """The page decoration for every page: who, which range, when generated, and the disclaimer."""
    who = content.patient_display_name + (f" (born {content.birth_year})" if content.birth_year else "")
    period = wording.period_text(content.range_start, content.range_end)
    generated = f"Generated {wording.moment_text(content.generated_at)} ({content.timezone})"
    disclaimer_lines = simpleSplit(DISCLAIMER, theme.FONT, 7, CONTENT_WIDTH - _FOOTER_RIGHT_COLUMN)
    right = PAGE_WIDTH - MARGIN_X

    def draw(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        header_rule = PAGE_HEIGHT - MARGIN_TOP + 12
        canvas.setFont(theme.FONT_BOLD, 8)
        canvas.setFillColor(theme.INK)
        canvas.drawString(MARGIN_X, header_rule + 4, who)
        canvas.setFont(theme.FONT, 8)
        canvas.setFillColor(theme.MUTED)
        canvas.drawRightString(right, header_rule + 4, f"Twitchlog diary report  |  {period}")
        canvas.setStrokeColor(theme.RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, header_rule, right, header_rule)
        canvas.line(MARGIN_X, _FOOTER_RULE_Y, right, _FOOTER_RULE_Y)
        canvas.setFont(theme.FONT, 7)
        for i, line in enumerate(disclaimer_lines):
            canvas.drawString(MARGIN_X, _FOOTER_LINE_1 - 8.5 * i, line)
        canvas.drawRightString(right, _FOOTER_LINE_1, generated)
        canvas.restoreState()

    return draw


# Up to this many episodes the log is short enough not to need a page of its own.
SHORT_LOG_EPISODES = 30


def report_story(content: ReportContent, width: float = CONTENT_WIDTH) -> list[Flowable]:
    """All flowables in reading order: page 1 alone on its page, then the sections.

    An empty range keeps only page 1 and the lists that exist: medicines are on page 1 already,
    labs and tremor recordings can still matter; charts of nothing do not.
    """
    crowded = page_one_is_crowded(content, width, CONTENT_HEIGHT)
    story = [*page_one_flowables(content, width, CONTENT_HEIGHT, crowded)]
    if content.episode_count == 0:
        rest = [*labs_section(content, width)] if content.labs else []
        rest += tremors_section(content, width)
        return [*story, PageBreak(), *rest] if rest else story
    story.append(PageBreak())
    if crowded:
        story += flags_in_full(content, width)
    for section in (
        timeline_section,
        hands_section,
        characteristics_section,
        medications_section,
        associations_section,
        experiment_section,
        labs_section,
        tremors_section,
    ):
        story += section(content, width)
    # A short log follows the sections on the same page; a long one starts its own appendix page.
    if len(content.episodes) > SHORT_LOG_EPISODES:
        story.append(PageBreak())
    story += episode_log_section(content.episodes, width)
    return story


def render_report_pdf(content: ReportContent) -> bytes:
    """The physician report for ``content`` as PDF bytes."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{TITLE}: {content.patient_display_name}",
        author="Twitchlog",
        subject=wording.period_text(content.range_start, content.range_end),
        creator="Twitchlog",
    )
    decorate = _header_footer(content)
    doc.build(report_story(content), onFirstPage=decorate, onLaterPages=decorate, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
