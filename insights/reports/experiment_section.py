"""The physician report's short section on a self-experiment: design, adherence, result.

Kept apart from the report's other sections so the report can change around it: the report's
content carries an ``ExperimentReport`` (or None) and the PDF adds ``experiment_section``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.platypus import Flowable, KeepTogether, Paragraph

from accounts.models import User
from accounts.timezones import local_today
from insights import wording
from insights.analysis.experiment_designs import DESIGNS
from insights.experiments import presenters, selectors
from insights.reports import theme
from insights.reports.theme import escape


@dataclass(frozen=True)
class ExperimentReport:
    title: str
    design: str
    adherence: str
    result: str  # in a clinician's voice, or how far the experiment has got


def experiment_report(user: User, start: date, end: date) -> ExperimentReport | None:
    """The latest experiment that overlaps the report's range, if any."""
    experiment = next(
        (e for e in selectors.experiment_list(user=user) if e.start_date <= end and e.end_date >= start), None
    )
    if experiment is None:
        return None
    design = DESIGNS[experiment.trigger]
    plan = getattr(experiment, "plan", None)
    weeks = plan.weeks if plan else round(((experiment.end_date - experiment.start_date).days + 1) / 7)
    today = local_today(user=user)
    adherence = selectors.adherence_so_far(experiment=experiment, today=today)
    start_day = wording.day_month_text(experiment.start_date)
    end_day = wording.day_text(experiment.end_date)
    stopped = f", stopped early on {wording.day_text(experiment.stopped_on)}" if experiment.stopped_on else ""
    result = getattr(experiment, "result", None)
    return ExperimentReport(
        title=f"Self-experiment: {design.label.lower()} ({start_day} to {end_day}{stopped})",
        design=(
            f"Randomised N-of-1, {weeks} weeks: {design.with_days} against {design.without_days} in "
            f"{design.block_days}-day blocks, paired, order random within each pair; one pre-planned one-sided test."
        ),
        adherence=(
            f"{adherence.logged} of {adherence.days_so_far} days logged; {adherence.kept} kept their assignment, "
            f"{adherence.not_kept} did not, {adherence.unknown} cannot be told from the diary "
            f"({adherence.without_kept} of {adherence.without_days} {design.without_days} kept)."
        ),
        result=(
            presenters.clinician_sentence(experiment, result.payload)
            if result is not None
            else f"In progress: {adherence.days_so_far} of {(experiment.end_date - experiment.start_date).days + 1} "
            f"days so far; no result before its last day, {end_day}."
        ),
    )


def experiment_section(content: object, width: float) -> list[Flowable]:
    report: ExperimentReport | None = getattr(content, "experiment", None)
    if report is None:
        return []
    parts: list[Flowable] = [Paragraph(escape(report.title), theme.H2)]
    for label, text in (("Design", report.design), ("Adherence", report.adherence), ("Result", report.result)):
        parts.append(Paragraph(f"<b>{label}:</b> {escape(text)}", theme.BODY))
    parts.append(Paragraph(escape(presenters.METHOD), theme.SMALL))
    return [KeepTogether(parts)]
