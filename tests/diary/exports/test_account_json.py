"""The account export: one streamed JSON file with everything of the user's and nothing of anyone else's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.http import StreamingHttpResponse
from django.utils import timezone

from accounts.models import User
from diary.services import RecordWrite, TableChanges, changes_apply, record_delete, record_save
from diary.tables import TABLES
from tests.conftest import authenticated_client
from tests.query_counts import assert_same_query_count, captured_queries

pytestmark = pytest.mark.django_db

URL = "/api/v1/account/export/"


def one_of_each(user: User, *, note: str = "mine") -> None:
    """One record in every diary table, with the same client ids for every user."""
    now = timezone.now()
    records = {
        "episodes": {
            "started_at": now - timedelta(hours=2),
            "duration_s": 30,
            "body_sites": ["left_index"],
            "character": "twitch",
            "intensity": 4,
            "symptoms": ["tingling"],
            "notes": note,
        },
        "caffeine_intakes": {"consumed_at": now - timedelta(hours=3), "drink": "espresso", "servings": 2},
        "sleep_logs": {"bed_at": now - timedelta(hours=12), "woke_at": now - timedelta(hours=5), "quality": 3},
        "stress_logs": {"recorded_at": now - timedelta(hours=1), "level": 6},
        "medications": {
            "name": "Salbutamol inhaler",
            "catalogue_key": "salbutamol",
            "as_needed": True,
            "started_on": date(2025, 1, 2),
        },
        "medication_doses": {"medication_id": "x1", "taken_at": now - timedelta(hours=4), "amount": "2 puffs"},
        "exercise_sessions": {"started_at": now - timedelta(hours=6), "duration_min": 40, "kind": "running"},
        "lab_results": {
            "taken_on": date(2025, 3, 4),
            "analyte": "magnesium",
            "value": 0.68,
            "unit": "mmol/L",
            "reference_low": 0.7,
            "reference_high": 1.0,
        },
        "day_checkins": {"day": now.date() - timedelta(days=1), "no_twitches": True, "utc_offset_min": 60},
        "tremor_recordings": {
            "recorded_at": now - timedelta(hours=7),
            "hand": "left",
            "posture": "postural",
            "sample_rate_hz": 50,
            "samples": {axis: [0.01 * (i % 7) for i in range(600)] for axis in ("x", "y", "z")},
        },
    }
    for table, values in records.items():
        record_save(user=user, table=table, client_id="x1", values=values)


def add_episodes(user: User, count: int) -> None:
    started = timezone.now() - timedelta(days=30)
    writes = [
        RecordWrite(
            client_id=f"ep{i}",
            path=f"episodes[{i}]",
            values={
                "started_at": started + timedelta(minutes=i),
                "duration_s": 10,
                "body_sites": ["left_index"],
                "character": "twitch",
                "intensity": 3,
                "context": "",
                "symptoms": [],
                "notes": "",
                "utc_offset_min": None,
            },
        )
        for i in range(count)
    ]
    changes_apply(user=user, changes={"episodes": TableChanges(upserts=writes, deletions=[])}, since=None)


def export(user: User) -> tuple[StreamingHttpResponse, dict]:
    response = authenticated_client(user).get(URL)
    assert response.status_code == 200
    return response, json.loads(b"".join(response.streaming_content))


def test_the_export_is_valid_json_with_the_profile_and_every_table_in_order(user):
    one_of_each(user)
    _, document = export(user)
    assert (document["format"], document["version"]) == ("twitchlog-export", 1)
    assert list(document) == ["format", "version", "exported_at", "profile", "tables", "health_samples"]
    assert document["profile"] == {
        "email": "ann@example.org",
        "display_name": "Ann",
        "timezone": "Europe/London",
        "weekly_summary_enabled": True,
        "birth_year": None,
        "date_joined": document["profile"]["date_joined"],
        "timezone_history": [{"from": None, "timezone": "Europe/London"}],
    }
    assert list(document["tables"]) == list(TABLES)
    assert all(len(rows) == 1 for rows in document["tables"].values())


def test_it_holds_every_row_of_the_user_and_none_of_another_users(user, make_user):
    other = make_user()
    one_of_each(user)
    one_of_each(other, note="someone else's")
    add_episodes(user, 3)
    _, document = export(user)
    for name, spec in TABLES.items():
        stored = set(spec.model.objects.filter(user=user).values_list("client_id", flat=True))
        assert {row["id"] for row in document["tables"][name]} == stored, name
    assert [e["notes"] for e in document["tables"]["episodes"] if e["notes"]] == ["mine"]
    assert "someone else's" not in json.dumps(document)


def test_deleted_rows_are_left_out(user):
    one_of_each(user)
    add_episodes(user, 2)
    record_delete(user=user, table="episodes", client_id="ep0")
    record_delete(user=user, table="lab_results", client_id="x1")
    _, document = export(user)
    assert sorted(e["id"] for e in document["tables"]["episodes"]) == ["ep1", "x1"]
    assert document["tables"]["lab_results"] == []


def test_records_are_in_the_rest_representation(user):
    one_of_each(user)
    _, document = export(user)
    tables = document["tables"]
    episode = tables["episodes"][0]
    assert list(episode) == ["id", *TABLES["episodes"].column_names, "created_at", "updated_at"]
    assert episode["body_sites"] == ["left_index"] and episode["symptoms"] == ["tingling"]
    assert episode["started_at"].endswith("Z")
    assert datetime.fromisoformat(episode["started_at"]).tzinfo is not None
    assert tables["caffeine_intakes"][0]["mg"] == 126
    assert tables["medications"][0]["drug_class"] == "beta2_agonist"
    assert tables["medications"][0]["started_on"] == "2025-01-02"
    assert tables["medication_doses"][0]["medication_id"] == "x1"
    assert tables["lab_results"][0]["taken_on"] == "2025-03-04"


def test_it_is_a_streamed_download_named_by_the_users_own_date(user):
    # 00:30 on 16 June in London is still 15 June in UTC.
    with time_machine.travel(datetime(2025, 6, 15, 23, 30, tzinfo=UTC), tick=False):
        response, document = export(user)
    assert isinstance(response, StreamingHttpResponse)
    assert response.streaming
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="twitchlog-export-2025-06-16.json"'
    assert response["Cache-Control"] == "no-store"
    assert document["exported_at"] == "2025-06-15T23:30:00Z"


def test_a_user_with_an_empty_diary_gets_every_table_empty(user):
    _, document = export(user)
    assert document["tables"] == {name: [] for name in TABLES}


def test_the_number_of_queries_does_not_grow_with_the_number_of_rows(user, make_user):
    few, many = user, make_user()
    add_episodes(few, 10)
    add_episodes(many, 1000)
    counts = []
    for owner in (few, many):
        client = authenticated_client(owner)
        with captured_queries() as queries:
            response = client.get(URL)
            document = json.loads(b"".join(response.streaming_content))
        counts.append(queries)
        assert len(document["tables"]["episodes"]) == (10 if owner is few else 1000)
    assert_same_query_count(counts[0], counts[1], "10 rows against 1000")
    assert len(counts[1]) <= len(TABLES) + 5, str(counts[1])


def test_it_needs_a_token(api_client, user):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_profile_holds_the_zones_it_has_had_each_from_its_moment(user):
    with time_machine.travel(datetime(2026, 11, 2, 7, 0, tzinfo=UTC), tick=False):
        authenticated_client(user).patch("/api/v1/me/", {"timezone": "Asia/Tokyo"}, format="json")

    _, document = export(user)

    assert document["profile"]["timezone_history"] == [
        {"from": None, "timezone": "Europe/London"},
        {"from": "2026-11-02T07:00:00Z", "timezone": "Asia/Tokyo"},
    ]
