"""The report endpoints on a real database: the PDF's numbers against the diary, ranges, jobs."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pypdf
import pytest
from django.utils import timezone

from config.celery_app import app as celery_app
from insights.models import Flag
from insights.reports.models import ReportJob
from insights.reports.presenters import report_content
from insights.reports.tasks import build_report_pdf, expire_old_reports
from insights.selectors import local_today
from tests.insights.reports.diary_rows import write_known_diary
from tests.query_counts import assert_max_queries

URL = "/api/v1/reports/pdf/"


def pdf_text(body: bytes) -> tuple[int, str]:
    """Page count and all text with whitespace collapsed, so wrapped lines still match."""
    reader = pypdf.PdfReader(io.BytesIO(body))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.django_db
def test_the_pdf_opens_has_every_section_and_its_numbers_equal_the_diary(auth_client, user):
    known = write_known_diary(user, days=20)

    response = auth_client.get(URL, {"from": known.start.isoformat(), "to": known.end.isoformat()})

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    pages, text = pdf_text(response.content)
    assert pages >= 3
    for heading in (
        "Twitching and tremor diary: report for a doctor",
        "Timeline",
        "Where: fingers and other body sites",
        "Characteristics",
        "Medications",
        "Associations",
        "Lab results",
        "Appendix: episode log",
    ):
        assert heading in text, heading
    assert f"{known.episodes} episodes on {known.days_affected} of 20 known days" in text
    assert f"Index finger {known.finger_counts['left_index']} 0" in text
    assert f"Middle finger {known.finger_counts['left_middle']} 0" in text
    assert f"Thumb 0 {known.finger_counts['right_thumb']}" in text
    for name in known.medication_names:
        assert name in text
    flags = list(Flag.objects.filter(user=user, active=True))
    assert flags, "the known diary must raise flags (spread to the right hand, a low magnesium)"
    shown = {row.rule_id: row for row in report_content(user=user, start=known.start, end=known.end).flags}
    for flag in flags:
        # In a doctor's words, with its dates; the app's patient-voice wording stays out of the PDF.
        assert squash(shown[flag.rule_id].headline) in text
        assert squash(shown[flag.rule_id].dates) in text
        assert squash(flag.wording) not in text
    assert "Magnesium" in text and "LOW" in text


@pytest.mark.django_db
def test_the_report_content_counts_the_range_in_the_users_timezone_with_constant_queries(user):
    known = write_known_diary(user, days=20)

    # One query per diary table and the day check-ins, plus notes, dose texts, flags, insight state
    # and the self-experiment.
    with assert_max_queries(15):
        content = report_content(user=user, start=known.start, end=known.end)

    assert content.episode_count == known.episodes
    assert content.days_affected == known.days_affected
    assert dict(content.finger_counts) == known.finger_counts
    assert [e.started_at_local.hour for e in content.episodes[:3]] == [9, 14, 9]  # local, not UTC
    assert content.episodes[0].notes == "after coffee"
    assert sum(day.episodes for day in content.daily) == known.episodes
    assert {m.name for m in content.medications} == set(known.medication_names)
    assert next(m for m in content.medications if m.name == "Salbutamol inhaler").doses_in_range == 4


@pytest.mark.django_db
def test_an_empty_range_gives_a_short_valid_pdf_saying_nothing_was_logged(auth_client, user):
    today = local_today(user)

    response = auth_client.get(URL, {"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat()})

    assert response.status_code == 200
    pages, text = pdf_text(response.content)
    assert pages == 1
    assert "Nothing was logged in this range." in text


@pytest.mark.django_db
def test_a_365_day_range_is_built_by_a_job_on_the_reports_queue(auth_client, user):
    known = write_known_diary(user, days=20)
    start = known.end - timedelta(days=364)

    response = auth_client.get(URL, {"from": start.isoformat(), "to": known.end.isoformat()})

    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] == "queued" and job["download_url"] is None
    assert response["Location"] == job["status_url"]
    assert celery_app.amqp.router.route({}, "reports.build_report_pdf")["queue"].name == "reports"

    assert build_report_pdf.apply(args=[job["id"]]).get() == "done"

    status = auth_client.get(f"/api/v1/reports/jobs/{job['id']}/").json()
    assert status["status"] == "done"
    assert status["download_url"].endswith(f"/api/v1/reports/jobs/{job['id']}/pdf/")
    download = auth_client.get(f"/api/v1/reports/jobs/{job['id']}/pdf/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    _pages, text = pdf_text(download.content)
    # A 20-day diary in a 365-day report: every share is over the 20 diary days, never the 365.
    assert f"{known.episodes} episodes on {known.days_affected} of 20 known days" in text
    assert "figures cover 20 of the 365 days in range" in text
    assert "against 0" not in text
    stored = ReportJob.objects.get(pk=job["id"])
    assert stored.expires_at - stored.created_at == timedelta(days=7)


@pytest.mark.django_db
def test_running_the_job_twice_builds_it_once_and_a_repeated_request_reuses_the_pending_job(auth_client, user):
    end = local_today(user)
    params = {"from": (end - timedelta(days=120)).isoformat(), "to": end.isoformat()}
    first = auth_client.get(URL, params).json()
    assert auth_client.get(URL, params).json()["id"] == first["id"]

    build_report_pdf.apply(args=[first["id"]])
    finished = ReportJob.objects.get(pk=first["id"]).finished_at
    build_report_pdf.apply(args=[first["id"]])

    assert ReportJob.objects.get(pk=first["id"]).finished_at == finished
    assert ReportJob.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_an_unfinished_job_cannot_be_downloaded_yet(auth_client, user):
    end = local_today(user)
    job = auth_client.get(URL, {"from": (end - timedelta(days=100)).isoformat(), "to": end.isoformat()}).json()

    response = auth_client.get(f"/api/v1/reports/jobs/{job['id']}/pdf/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_ready"


@pytest.mark.django_db
def test_finished_reports_expire_after_seven_days_and_the_cleanup_deletes_them(auth_client, user):
    end = local_today(user)
    job = auth_client.get(URL, {"from": (end - timedelta(days=100)).isoformat(), "to": end.isoformat()}).json()
    build_report_pdf.apply(args=[job["id"]])
    ReportJob.objects.filter(pk=job["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert auth_client.get(f"/api/v1/reports/jobs/{job['id']}/pdf/").status_code == 410
    assert expire_old_reports.apply().get() == 1
    assert auth_client.get(f"/api/v1/reports/jobs/{job['id']}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days_before_end", "end_offset", "field"),
    [
        (-3, 0, "from"),  # from after to
        (10, 2, "to"),  # the day after tomorrow
        (366, 0, "from"),  # 367 days
    ],
)
def test_a_bad_range_is_a_400_naming_the_field(auth_client, user, days_before_end, end_offset, field):
    end = local_today(user) + timedelta(days=end_offset)

    response = auth_client.get(
        URL, {"from": (end - timedelta(days=days_before_end)).isoformat(), "to": end.isoformat()}
    )

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_a_missing_or_malformed_date_is_a_400_naming_it(auth_client):
    response = auth_client.get(URL, {"from": "2026-13-01"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"from", "to"}


@pytest.mark.django_db
def test_tomorrow_is_accepted_as_the_end_of_a_range(auth_client, user):
    tomorrow = local_today(user) + timedelta(days=1)

    response = auth_client.get(URL, {"from": (tomorrow - timedelta(days=3)).isoformat(), "to": tomorrow.isoformat()})

    assert response.status_code == 200


@pytest.mark.django_db
def test_the_report_needs_a_login(api_client):
    assert api_client.get(URL, {"from": "2026-01-01", "to": "2026-01-31"}).status_code == 401
