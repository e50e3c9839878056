"""Report and share ranges inside the account's life, one build per range, and the report_build limit
(issue 23, findings 6 and 9)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from insights.reports.models import ReportJob, Share
from insights.reports.tasks import build_report_pdf
from insights.reports.throttles import ReportBuildThrottle
from insights.selectors import local_today
from tests.builders import store

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/pdf/"


def _range(start: date, end: date) -> dict[str, str]:
    return {"from": start.isoformat(), "to": end.isoformat()}


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (date(1, 1, 1), date(1, 1, 2), "from"),
        (date(1899, 12, 31), date(1900, 1, 1), "from"),
        (date(1950, 1, 1), date(1950, 12, 31), "to"),  # wholly before the account and its diary
    ],
)
def test_a_report_for_a_range_outside_the_accounts_life_is_a_400_naming_the_field(auth_client, start, end, field):
    response = auth_client.get(URL, _range(start, end))

    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize(("start", "end"), [(date(1, 1, 1), date(1, 1, 2)), (date(1950, 1, 1), date(1950, 1, 3))])
def test_a_share_for_a_range_outside_the_accounts_life_is_refused_and_not_created(auth_client, user, start, end):
    response = auth_client.post("/api/v1/shares/", _range(start, end), format="json")

    assert response.status_code == 400, response.content[:300]
    assert not Share.objects.filter(user=user).exists()


def test_a_range_before_joining_is_fine_when_the_diary_reaches_back_to_it(auth_client, user):
    # An entry typed in for last year, by someone who joined today.
    at = timezone.now() - timedelta(days=400)
    store(user, "stress_logs", at=at)
    start = at.date() - timedelta(days=2)

    response = auth_client.get(URL, _range(start, start + timedelta(days=30)))

    assert response.status_code == 200, response.content[:300]


def test_a_range_that_starts_before_joining_and_ends_after_it_is_fine(auth_client, user):
    # "The last 90 days" from an account a few days old.
    today = local_today(user)
    response = auth_client.get(URL, _range(today - timedelta(days=89), today))
    assert response.status_code == 200


def test_a_finished_build_of_the_same_range_is_reused_until_the_diary_changes(auth_client, user):
    today = local_today(user)
    params = _range(today - timedelta(days=120), today)
    first = auth_client.get(URL, params).json()
    build_report_pdf.apply(args=[first["id"]])

    again = auth_client.get(URL, params)
    assert again.status_code == 202
    assert again.json()["id"] == first["id"]
    assert again.json()["status"] == "done"
    assert ReportJob.objects.filter(user=user).count() == 1

    store(user, "stress_logs")  # the diary changed: the old build no longer shows it
    changed = auth_client.get(URL, params).json()
    assert changed["id"] != first["id"]
    assert ReportJob.objects.filter(user=user).count() == 2


def test_building_reports_has_its_own_per_account_limit_with_retry_after(auth_client, user, monkeypatch):
    monkeypatch.setattr(ReportBuildThrottle, "rate", "3/hour", raising=False)
    today = local_today(user)
    statuses = [auth_client.get(URL, _range(today - timedelta(days=days), today)).status_code for days in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = auth_client.get(URL, _range(today, today))
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    # Other endpoints are not touched by it.
    assert auth_client.get("/api/v1/episodes/").status_code == 200
