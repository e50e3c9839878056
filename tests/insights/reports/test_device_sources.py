"""The report says which sleep, caffeine and exercise figures came from the phone's health store."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pypdf
import pytest
import time_machine

from insights.analysis.records import CaffeineRecord, Diary, SleepRecord
from insights.reports.device_sources import device_sources_sentence
from insights.reports.pdf import render_report_pdf
from insights.reports.presenters import report_content
from insights.selectors import local_today
from tests.insights.reports.diary_rows import write_known_diary

NIGHT = datetime(2026, 2, 1, 23, tzinfo=UTC)


def test_the_sentence_counts_imported_records_against_all_and_is_empty_without_any():
    diary = Diary(
        timezone="UTC",
        today=date(2026, 2, 5),
        sleep=(
            SleepRecord("hs-sleep-20260202", NIGHT, NIGHT + timedelta(hours=8), asleep_min=420),
            SleepRecord("manual-night", NIGHT + timedelta(days=1), NIGHT + timedelta(days=1, hours=7)),
        ),
        caffeine=(CaffeineRecord("manual-coffee", NIGHT, 95.0),),
    )

    sentence = device_sources_sentence(diary)

    assert "1 of 2 nights of sleep" in sentence
    assert "caffeine" not in sentence  # none of the drinks was imported
    assert device_sources_sentence(Diary(timezone="UTC", today=date(2026, 2, 5), sleep=diary.sleep[1:])) == ""


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False)
def test_the_pdf_timeline_says_which_nights_came_from_apple_health(auth_client, user):
    known = write_known_diary(user, days=20)
    # This morning: the known diary's own nights end yesterday, so this imported night is the only one today.
    woke = datetime.combine(local_today(user), datetime.min.time(), UTC) + timedelta(hours=6)
    night = {
        "uuid": "N-1",
        "type": "HKCategoryTypeIdentifierSleepAnalysis",
        "value": "HKCategoryValueSleepAnalysisAsleepCore",
        "startDate": (woke - timedelta(hours=5)).isoformat(),
        "endDate": woke.isoformat(),
        "sourceRevision": {"source": {"bundleIdentifier": "com.apple.health.watch"}},
    }
    assert (
        auth_client.post(
            "/api/v1/health/samples/", {"platform": "healthkit", "samples": [night]}, format="json"
        ).status_code
        == 200
    )

    content = report_content(user=user, start=known.start, end=known.end + timedelta(days=1))
    text = " ".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(render_report_pdf(content))).pages)

    assert "1 of 21 nights of sleep" in content.device_sources
    assert "From the phone's health store" in re.sub(r"\s+", " ", text)
