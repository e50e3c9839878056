"""The experiment in the Monday email (one line) and in the physician report (a short section)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import time_machine
from pypdf import PdfReader

from diary.models import Experiment
from insights.experiments import services
from insights.reports.pdf import render_report_pdf
from insights.reports.presenters import report_content
from insights.summaries.email_message import render_summary
from insights.summaries.weeks import Week
from tests.insights.experiments.experiment_days import START, START_MOMENT, log_day, schedule, start_body

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 12, 14)  # the email after the experiment's second week


@pytest.fixture
def experiment(auth_client, user):
    with time_machine.travel(START_MOMENT, tick=False):
        created = auth_client.post("/api/v1/experiments/", start_body(), format="json").json()
    return Experiment.objects.get(user=user, client_id=created["id"])


def _log_until(user, experiment, last: date) -> list[str]:
    kinds = []
    for day, assignment in schedule(experiment):
        if day > last:
            break
        log_day(user, day, episodes=2 if assignment == "with" else 1, caffeine_mg=90 if assignment == "with" else 0)
        kinds.append(assignment)
    return kinds


def test_the_monday_email_carries_the_experiments_progress_in_one_line(user, experiment):
    with time_machine.travel(START_MOMENT.replace(day=14, hour=9), tick=False):
        kinds = _log_until(user, experiment, MONDAY - timedelta(days=1))
        rendered = render_summary(user, Week(MONDAY - timedelta(days=7)))

    line = (
        f"Your caffeine experiment: day 13 of 28; you kept {kinds.count('without')} of {kinds.count('without')} "
        "caffeine-free days so far."
    )
    assert line in rendered.text
    assert line in rendered.html


def test_without_an_experiment_the_email_has_no_experiment_part(user):
    with time_machine.travel(START_MOMENT.replace(day=14, hour=9), tick=False):
        rendered = render_summary(user, Week(MONDAY - timedelta(days=7)))

    assert "YOUR EXPERIMENT" not in rendered.text and "Your experiment" not in rendered.html


def test_the_report_has_a_section_with_design_adherence_and_result(user, experiment):
    with time_machine.travel(START_MOMENT + timedelta(days=29), tick=False):
        _log_until(user, experiment, START + timedelta(days=27))
        services.experiment_result_compute(experiment_id=experiment.pk)
        content = report_content(user=user, start=START - timedelta(days=30), end=START + timedelta(days=28))
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(render_report_pdf(content))).pages)

    flat = " ".join(text.split())
    assert "Self-experiment: caffeine" in flat
    assert "Randomised N-of-1, 4 weeks" in flat
    assert "28 of 28 days logged" in flat
    assert "rate ratio 2.00" in flat and "one-sided permutation" in flat
