"""Pull timestamps, schema versions and WatermelonDB migration syncs.

Every pull answers a non-zero timestamp (WatermelonDB refuses 0), also for an account that
never wrote. A pull answers for the app's schema_version: what a later version added stays
out, and a migration (the app's local schema was migrated since its last sync) brings every
live record of what was added. The registry's versions are declared per table and column;
the tests declare a next version in test code (tests/diary/registry_versions.py).
"""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import quote

import pytest

from diary.bulk_upsert import COPY_MIN_ROWS
from diary.models import Episode
from diary.tables import TABLES, current_version, sync_tables, tables_at, watermelon_schema
from tests.builders import now_ms, wire
from tests.diary.registry_versions import NEW_COLUMN, NEW_TABLE, declare_next_version
from tests.diary.wire import changes, pull, push

pytestmark = pytest.mark.django_db

LAB = {"taken_on": "2026-11-20", "analyte": "potassium", "value": 3.2, "unit": "mmol/L"}


def pull_at(client, version, last_pulled_at=None, migration=None):
    query = f"last_pulled_at={last_pulled_at if last_pulled_at else 'null'}&schema_version={version}"
    query += f"&migration={quote(json.dumps(migration))}"
    return client.get(f"/api/v1/sync/?{query}")


def test_a_new_accounts_first_pull_answers_a_non_zero_timestamp_and_later_ones_never_go_back(auth_client):
    first = pull(auth_client)["timestamp"]
    again = pull(auth_client, first)["timestamp"]

    assert first > 0
    assert again >= first


def test_after_every_record_was_deleted_a_pull_still_answers_a_non_zero_growing_timestamp(auth_client):
    push(auth_client, changes(episodes=[wire("episodes", "e1"), wire("episodes", "e2")]))
    before = pull(auth_client)["timestamp"]
    push(auth_client, {"episodes": {"created": [], "updated": [], "deleted": ["e1", "e2"]}}, last_pulled_at=before)

    after = pull(auth_client, before)

    assert after["timestamp"] > before > 0
    assert sorted(after["changes"]["episodes"]["deleted"]) == ["e1", "e2"]


def test_a_write_after_a_new_accounts_first_pull_is_in_the_next_pull(user, client_for):
    phone, tablet = client_for(user, "phone"), client_for(user, "tablet")
    first = pull(tablet)["timestamp"]
    push(phone, changes(episodes=[wire("episodes", "e1")]))

    assert [r["id"] for r in pull(tablet, first)["changes"]["episodes"]["created"]] == ["e1"]


def test_the_servers_version_is_the_newest_any_table_or_column_declares(monkeypatch):
    old = current_version()
    spec = TABLES[NEW_COLUMN[0]]
    monkeypatch.setitem(
        TABLES, NEW_COLUMN[0], replace(spec, columns=(*spec.columns[:-1], replace(spec.columns[-1], since=old + 3)))
    )

    assert current_version() == old + 3


@pytest.mark.parametrize("offset", [1, 50])
def test_a_schema_version_newer_than_the_server_knows_is_a_400_naming_it(auth_client, offset):
    response = pull_at(auth_client, current_version() + offset)

    assert response.status_code == 400
    error = response.json()["error"]
    assert list(error["fields"]) == ["schema_version"]
    assert f"1 to {current_version()}" in error["fields"]["schema_version"][0]


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        "[]",
        "5",
        '{"tables": []}',
        '{"from": 0, "tables": []}',
        '{"from": true, "tables": []}',
        '{"from": "1", "tables": []}',
        '{"from": 99999, "tables": []}',
        '{"from": 1, "tables": "episodes"}',
        '{"from": 1, "tables": ["moods"]}',
        '{"from": 1, "tables": [], "columns": {"episodes": ["notes"]}}',
        '{"from": 1, "tables": [], "columns": [{"table": "moods", "columns": ["x"]}]}',
        '{"from": 1, "tables": [], "columns": [{"table": "episodes", "columns": ["__proto__"]}]}',
        '{"from": 1, "tables": [], "columns": [{"table": "episodes", "columns": "notes"}]}',
        '{"from": 1, "tables": [{}], "columns": []}',
        '{"from": 1, "tables": ["\\ud800"], "columns": []}',
        '{"from": 1, "tables": [], "columns": [{"table": {}, "columns": []}]}',
        '{"from": 1, "tables": [], "columns": [7]}',
        "[" * 5000,
    ],
)
def test_a_malformed_migration_is_a_400_naming_it(auth_client, raw):
    query = f"last_pulled_at=5&schema_version={current_version()}&migration={quote(raw)}"
    response = auth_client.get(f"/api/v1/sync/?{query}")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["migration"]


@pytest.mark.parametrize("raw", ["null", ""])
def test_no_migration_is_null_or_empty(auth_client, raw):
    response = auth_client.get(f"/api/v1/sync/?last_pulled_at=null&schema_version=1&migration={raw}")

    assert response.status_code == 200


def test_an_app_at_the_old_version_never_gets_a_table_or_column_its_version_lacks(auth_client, monkeypatch):
    push(auth_client, changes(episodes=[wire("episodes", "e1", notes="new column")], lab_results=[{"id": "l1", **LAB}]))
    old, new = declare_next_version(monkeypatch)

    old_app = pull_at(auth_client, old).json()
    new_app = pull_at(auth_client, new).json()

    assert NEW_TABLE not in old_app["changes"]
    assert NEW_COLUMN[1] not in old_app["changes"]["episodes"]["created"][0]
    assert [r["id"] for r in new_app["changes"][NEW_TABLE]["created"]] == ["l1"]
    assert new_app["changes"]["episodes"]["created"][0]["notes"] == "new column"


def test_a_migration_sync_brings_every_live_record_of_the_new_table_and_column_whatever_last_pulled_at_says(
    auth_client, user, client_for, monkeypatch
):
    push(
        auth_client,
        changes(
            episodes=[
                wire("episodes", "e1", notes="first"),
                wire("episodes", "e2", notes=None),
                wire("episodes", "gone"),
            ],
            lab_results=[{"id": "l1", **LAB}, {"id": "l-gone", **LAB}],
            stress_logs=[wire("stress_logs", "s1")],
        ),
    )
    push(auth_client, {"episodes": {"deleted": ["gone"]}, "lab_results": {"deleted": ["l-gone"]}})
    old, new = declare_next_version(monkeypatch)
    synced = pull_at(auth_client, old).json()["timestamp"]  # the old app is up to date
    push(client_for(user, "another phone"), changes(episodes=[wire("episodes", "e3", notes="after")]))

    migration = {"from": old, "tables": [NEW_TABLE], "columns": [{"table": "episodes", "columns": ["notes"]}]}
    migrated = pull_at(auth_client, new, synced, migration).json()["changes"]

    # The new table: all of its live records, as new ones; nothing of it was ever deleted for the app.
    assert [r["id"] for r in migrated[NEW_TABLE]["created"]] == ["l1"]
    assert migrated[NEW_TABLE]["updated"] == migrated[NEW_TABLE]["deleted"] == []
    # The new column: every live record the app already has comes again with it; new ones as created.
    assert {r["id"]: r["notes"] for r in migrated["episodes"]["updated"]} == {"e1": "first", "e2": None}
    assert [r["id"] for r in migrated["episodes"]["created"]] == ["e3"]
    # Other tables: only what changed since the last pull, as ever.
    assert migrated["stress_logs"] == {"created": [], "updated": [], "deleted": []}


def test_a_migration_naming_only_its_starting_version_gets_what_the_registry_says_was_added(auth_client, monkeypatch):
    push(auth_client, changes(episodes=[wire("episodes", "e1", notes="n")], lab_results=[{"id": "l1", **LAB}]))
    old, new = declare_next_version(monkeypatch)
    synced = pull_at(auth_client, old).json()["timestamp"]

    migrated = pull_at(auth_client, new, synced, {"from": old, "tables": [], "columns": []}).json()["changes"]

    assert [r["id"] for r in migrated[NEW_TABLE]["created"]] == ["l1"]
    assert [(r["id"], r["notes"]) for r in migrated["episodes"]["updated"]] == [("e1", "n")]


def test_a_migration_may_not_name_a_table_beyond_the_apps_version(auth_client, monkeypatch):
    old, _ = declare_next_version(monkeypatch)

    response = pull_at(auth_client, old, 5, {"from": 1, "tables": [NEW_TABLE], "columns": []})

    assert response.status_code == 400
    assert NEW_TABLE in response.json()["error"]["fields"]["migration"][0]


def test_a_read_only_table_is_pulled_but_a_push_of_its_records_is_a_400_naming_it(auth_client, monkeypatch):
    push(auth_client, changes(stress_logs=[wire("stress_logs", "s1", level=4)]))
    monkeypatch.setitem(TABLES, "stress_logs", replace(TABLES["stress_logs"], read_only=True))

    refused = push(
        auth_client, {"stress_logs": {"created": [], "updated": [wire("stress_logs", "s1", level=9)], "deleted": []}}
    )
    every_table_empty = push(
        auth_client, {name: {"created": [], "updated": [], "deleted": []} for name in sync_tables()}
    )

    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["stress_logs"]
    assert "read-only" in refused.json()["error"]["fields"]["stress_logs"][0]
    assert every_table_empty.status_code == 200
    assert [r["level"] for r in pull(auth_client)["changes"]["stress_logs"]["created"]] == [4]


def test_the_app_schema_at_a_version_has_exactly_that_versions_tables_and_columns(monkeypatch):
    old, new = declare_next_version(monkeypatch)

    at_old, at_new = watermelon_schema(old), watermelon_schema(new)

    assert (at_old["version"], at_new["version"]) == (old, new)
    assert [t["name"] for t in at_old["tables"]] == list(tables_at(old)) == [n for n in sync_tables() if n != NEW_TABLE]
    episodes_old = next(t for t in at_old["tables"] if t["name"] == "episodes")
    assert NEW_COLUMN[1] not in [c["name"] for c in episodes_old["columns"]]
    assert len(at_new["tables"]) == len(sync_tables())


def test_a_pull_for_an_app_without_the_newest_tables_never_answers_them_even_on_a_first_sync(auth_client, monkeypatch):
    old, _ = declare_next_version(monkeypatch)

    first = pull_at(auth_client, old).json()

    assert set(first["changes"]) == set(sync_tables()) - {NEW_TABLE}
    assert now_ms() + 1000 > first["timestamp"] > 0


@pytest.mark.parametrize("size", [1, COPY_MIN_ROWS], ids=["one INSERT", "COPY and merge"])
def test_an_older_apps_update_keeps_the_columns_it_does_not_have(auth_client, user, monkeypatch, size):
    ids = [f"e{i}" for i in range(size)]
    push(auth_client, changes(episodes=[wire("episodes", i, notes="written on the new app") for i in ids]))
    declare_next_version(monkeypatch)
    without_notes = [{k: v for k, v in wire("episodes", i, intensity=9).items() if k != "notes"} for i in ids]

    assert (
        push(auth_client, {"episodes": {"updated": [*without_notes, wire("episodes", "new", notes=None)]}}).status_code
        == 200
    )

    stored = dict(Episode.objects.filter(user=user).values_list("client_id", "notes"))
    assert {stored[i] for i in ids} == {"written on the new app"}
    assert stored["new"] is None
    assert set(Episode.objects.filter(user=user, client_id__in=ids).values_list("intensity", flat=True)) == {9}
