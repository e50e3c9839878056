"""The diary's REST API: the from, to and updated_since filters of a list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.builders import store
from tests.diary.rest_calls import ALL_TABLES, url


@ALL_TABLES
def test_from_and_to_filter_on_the_tables_own_time(auth_client, user, table):
    # Noon UTC is the same day in London, so tables that keep a date and a time agree.
    today = timezone.now().date()
    for days in (3, 2, 1):
        store(
            user,
            table,
            client_id=f"days-{days}",
            at=datetime(*(today - timedelta(days=days)).timetuple()[:3], 12, tzinfo=UTC),
        )
    start, end = today - timedelta(days=2), today - timedelta(days=1)

    response = auth_client.get(url(table), {"from": start.isoformat(), "to": end.isoformat()})

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == ["days-2"]


def test_a_time_range_filter_on_a_date_table_keeps_days_that_overlap_it(auth_client, user):
    store(user, "lab_results", client_id="monday", at=datetime(2024, 7, 1, 12, tzinfo=UTC))
    store(user, "lab_results", client_id="tuesday", at=datetime(2024, 7, 2, 12, tzinfo=UTC))

    response = auth_client.get(
        url("lab_results"), {"from": "2024-07-01T18:00:00+01:00", "to": "2024-07-02T09:00:00+01:00"}
    )

    assert sorted(item["id"] for item in response.json()["results"]) == ["monday", "tuesday"]
    until_midnight = auth_client.get(url("lab_results"), {"from": "2024-07-01", "to": "2024-07-02"})
    assert [item["id"] for item in until_midnight.json()["results"]] == ["monday"]


def test_a_bare_date_filter_is_a_day_in_my_timezone(auth_client, user):
    # Ann lives in London: 23:30 UTC on 1 July is already 2 July there.
    store(user, "stress_logs", client_id="late", at=datetime(2024, 7, 1, 23, 30, tzinfo=UTC))
    store(user, "stress_logs", client_id="early", at=datetime(2024, 7, 1, 22, 30, tzinfo=UTC))

    response = auth_client.get(url("stress_logs"), {"from": "2024-07-02", "to": "2024-07-03"})

    assert [item["id"] for item in response.json()["results"]] == ["late"]


def test_updated_since_lists_only_records_changed_after_it(auth_client, user):
    store(user, "stress_logs", client_id="old")
    since = store(user, "stress_logs", client_id="untouched").updated_at
    auth_client.patch(url("stress_logs", "old"), {"level": 1}, format="json")

    response = auth_client.get(url("stress_logs"), {"updated_since": since.isoformat()})

    assert [item["id"] for item in response.json()["results"]] == ["old"]


@pytest.mark.parametrize("parameter", ["from", "to", "updated_since"])
@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "2024-05-01T25:00:00Z"])
def test_a_malformed_filter_is_a_400_naming_the_parameter(auth_client, parameter, value):
    response = auth_client.get(url("episodes"), {parameter: value})

    assert response.status_code == 400
    assert parameter in response.json()["error"]["fields"]


@pytest.mark.parametrize("parameter", ["from", "to", "updated_since"])
def test_a_filter_given_blank_is_a_400_not_ignored(auth_client, parameter):
    # schemathesis found "?updated_since=" answered with every record, as if it were absent.
    response = auth_client.get(url("episodes"), {parameter: ""})

    assert response.status_code == 400
    assert parameter in response.json()["error"]["fields"]


def test_a_filter_with_an_offset_postgresql_has_no_name_for_still_filters(auth_client, user):
    # ISO 8601 allows offsets up to 23:59; PostgreSQL refused anything past 15:59 with a 500.
    store(user, "stress_logs", client_id="recent", at=timezone.now() - timedelta(hours=1))

    response = auth_client.get(url("stress_logs"), {"from": "2000-01-01T10:00:00+18:30"})

    assert response.status_code == 200, response.json()
    assert [item["id"] for item in response.json()["results"]] == ["recent"]


def test_a_filter_with_no_utc_equivalent_is_a_400_naming_it(auth_client):
    # The first instant of the calendar, seen from five hours east, is before year 1 in UTC.
    response = auth_client.get(url("episodes"), {"updated_since": "0001-01-01T00:00:00+05:00"})

    assert response.status_code == 400
    rule = "must be a time between the years 1 and 9999 in UTC"
    assert response.json()["error"]["fields"] == {"updated_since": [rule]}


def test_a_range_that_ends_before_it_starts_is_a_400(auth_client):
    response = auth_client.get(url("episodes"), {"from": "2024-05-02", "to": "2024-05-01"})

    assert response.status_code == 400
    assert "to" in response.json()["error"]["fields"]
