"""The real WatermelonDB client against a live server: synchronize() with the LokiJS adapter.

Each test drives "devices" (WatermelonDB databases in a Node process, tests/e2e/watermelon/)
that sync through the app-side code docs/api.md shows, against Django's live server on the
test database. Skipped, with the reason, where Node or the project's node_modules are missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accounts.services import device_token_create
from diary import sync
from diary.tables import current_version, sync_tables, watermelon_schema
from tests.builders import now_ms
from tests.diary.registry_versions import NEW_COLUMN, NEW_TABLE, declare_next_version
from tests.diary.sync_records import every_column_records, expected_on_pull
from tests.e2e.watermelon_app import WatermelonDevices, missing_node, pulls, pushes, sync_errors

pytestmark = [
    pytest.mark.slow,  # the real WatermelonDB client under Node
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(missing_node() is not None, reason=str(missing_node())),
]


def registry_migrations(up_to: int, after: int = 1) -> list[dict[str, Any]]:
    """The app's WatermelonDB migrations from version ``after`` up to ``up_to``, newest first, as
    the registry declares each table and column: what a real app release ships beside its schema."""
    migrations = []
    for version in range(up_to, after, -1):
        steps: list[dict[str, Any]] = []
        for table in watermelon_schema(version)["tables"]:
            spec = sync_tables()[table["name"]]
            if spec.since == version:
                steps.append({"createTable": table})
                continue
            since = {c.name: c.since for c in spec.columns}
            added = [c for c in table["columns"] if since[c["name"]] == version]
            if added:
                steps.append({"addColumns": {"table": table["name"], "columns": added}})
        migrations.append({"toVersion": version, "steps": steps})
    return migrations


@pytest.fixture
def devices(live_server: Any) -> Iterator[WatermelonDevices]:
    driver = WatermelonDevices(live_server.url)
    yield driver
    driver.close()


@pytest.fixture
def account(make_user: Any) -> Any:
    return make_user(email="new.phone@example.org")


def token(user: Any, device: str) -> str:
    return device_token_create(user=user, device_name=device)[1]


def synced(devices: WatermelonDevices, device: str) -> dict[str, Any]:
    """Sync, and insist it went through without WatermelonDB logging any error or warning."""
    answer = devices.sync(device)
    assert answer["synced"], answer
    assert sync_errors(answer) == [], sync_errors(answer)
    return answer


def records(dump: dict[str, Any], table: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in dump["tables"][table]}


def server_records(user: Any) -> dict[str, dict[str, dict[str, Any]]]:
    # Everything the server holds, at its newest schema version.
    pulled = sync.pull(user=user, last_pulled_at=None, schema_version=current_version())["changes"]
    return {table: {r["id"]: r for r in changes["created"]} for table, changes in pulled.items()}


def create_all(devices: WatermelonDevices, device: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    for table, rows in tables.items():
        for raw in rows:
            devices.call("create", device=device, table=table, raw=raw)


def test_the_apps_committed_schema_is_the_servers_registry_at_its_version():
    driver = WatermelonDevices("http://unused")
    try:
        committed = driver.call("schema")
    finally:
        driver.close()

    assert committed["migrations"]["maxVersion"] == committed["version"]
    assert {"version": committed["version"], "tables": committed["tables"]} == watermelon_schema(committed["version"])
    # Every migration the app shipped is the registry's: each version's new tables and columns.
    shipped = {m["toVersion"]: sorted(map(str, m["steps"])) for m in committed["migrations"]["steps"]}
    declared = {
        m["toVersion"]: sorted(
            str(
                {"createTable": step["createTable"]["name"]}
                if "createTable" in step
                else {
                    "addColumns": {**step["addColumns"], "columns": [c["name"] for c in step["addColumns"]["columns"]]}
                }
            )
            for step in m["steps"]
        )
        for m in registry_migrations(committed["version"])
    }
    assert shipped == declared


def test_a_brand_new_accounts_first_sync_succeeds_on_two_devices(devices, account):
    for device in ("phone", "tablet"):
        devices.open(device, token(account, device))

    answers = [synced(devices, device) for device in ("phone", "tablet", "phone")]

    assert all(pushes(answer) == [] for answer in answers)  # nothing to push, nothing pushed
    assert devices.dump("phone")["unsynced"] is False


def test_every_column_of_every_table_created_on_one_device_arrives_unchanged_on_the_other(devices, account):
    devices.open("phone", token(account, "phone"))
    devices.open("tablet", token(account, "tablet"))
    synced(devices, "phone")
    pushed = every_column_records(now_ms())
    create_all(devices, "phone", pushed)

    first = synced(devices, "phone")
    synced(devices, "tablet")

    (push,) = pushes(first)
    assert push["status"] == 200
    assert push["counts"] == {name: (2 if name in pushed else 0) for name in sync_tables()}
    phone, tablet, server = devices.dump("phone"), devices.dump("tablet"), server_records(account)
    for table, rows in pushed.items():
        on_tablet = records(tablet, table)
        for raw in rows:
            # What the phone pushed, value for value, on the tablet...
            for column, value in expected_on_pull(table, raw).items():
                assert on_tablet[raw["id"]][column] == value, f"{table}.{column} of {raw['id']}"
            # ...and every column (also those the server fills) as the server has it.
            for column, value in server[table][raw["id"]].items():
                assert on_tablet[raw["id"]][column] == value, f"{table}.{column} of {raw['id']}"
            assert on_tablet[raw["id"]]["_status"] == "synced"
    assert phone["unsynced"] is False and tablet["unsynced"] is False


def test_the_servers_echo_of_a_push_makes_the_device_neither_push_again_nor_duplicate(devices, account):
    devices.open("phone", token(account, "phone"))
    synced(devices, "phone")
    create_all(devices, "phone", every_column_records(now_ms()))
    synced(devices, "phone")
    before = devices.dump("phone")

    again = synced(devices, "phone")  # pulls back the records it pushed: the server's echo
    twice = synced(devices, "phone")

    after = devices.dump("phone")
    assert pushes(again) == pushes(twice) == []
    assert {t: len(r) for t, r in after["tables"].items()} == {t: len(r) for t, r in before["tables"].items()}
    assert after["unsynced"] is False
    # The echo also brings what the server filled in (caffeine mg from the drink, the drug class).
    server = server_records(account)
    for table in after["tables"]:
        for record in after["tables"][table]:
            assert {k: v for k, v in record.items() if not k.startswith("_")} == server[table][record["id"]]


def test_updates_and_deletions_round_trip_between_devices(devices, account):
    devices.open("phone", token(account, "phone"))
    devices.open("tablet", token(account, "tablet"))
    create_all(devices, "phone", every_column_records(now_ms()))
    synced(devices, "phone")
    synced(devices, "tablet")

    devices.call(
        "update",
        device="tablet",
        table="episodes",
        id="rt-episodes-full",
        values={"notes": None, "intensity": 2, "body_sites": '["left_little","right_thumb"]'},
    )
    devices.call("update", device="tablet", table="sleep_logs", id="rt-sleep_logs-empty", values={"quality": 5})
    devices.call("update", device="tablet", table="lab_results", id="rt-lab_results-full", values={"value": 0.75})
    devices.call("delete", device="tablet", table="stress_logs", id="rt-stress_logs-full")
    devices.call("delete", device="tablet", table="medication_doses", id="rt-medication_doses-empty")
    synced(devices, "tablet")
    synced(devices, "phone")

    phone = devices.dump("phone")
    episode = records(phone, "episodes")["rt-episodes-full"]
    assert (episode["notes"], episode["intensity"], episode["body_sites"]) == (None, 2, '["left_little","right_thumb"]')
    assert records(phone, "sleep_logs")["rt-sleep_logs-empty"]["quality"] == 5
    assert records(phone, "lab_results")["rt-lab_results-full"]["value"] == 0.75
    assert "rt-stress_logs-full" not in records(phone, "stress_logs")
    assert "rt-medication_doses-empty" not in records(phone, "medication_doses")
    assert phone["tables"] == devices.dump("tablet")["tables"]


def test_a_conflicting_push_gets_409_and_the_retry_after_a_pull_keeps_both_devices_changes(devices, account):
    devices.open("phone", token(account, "phone"))
    devices.open("tablet", token(account, "tablet"))
    create_all(devices, "phone", {"episodes": every_column_records(now_ms())["episodes"]})
    synced(devices, "phone")
    synced(devices, "tablet")

    devices.call("update", device="tablet", table="episodes", id="rt-episodes-full", values={"intensity": 9})
    devices.call("update", device="phone", table="episodes", id="rt-episodes-full", values={"notes": "phone's"})
    # The tablet's change lands between the phone's pull and its push: the push meets it.
    retried = devices.sync("phone", interleave={"cmd": "sync", "device": "tablet"})

    assert retried["synced"], retried
    (tablet,) = [r["interleaved"] for r in retried["requests"] if "interleaved" in r]
    assert tablet["synced"] and [p["status"] for p in pushes(tablet)] == [200]
    # 409, then WatermelonDB's retry pulls the tablet's change and pushes the phone's again.
    assert [p["status"] for p in pushes(retried)] == [409, 200]
    assert len(pulls(retried)) == 2
    # The retry's pull met the tablet's intensity on a record the phone had changed: per column,
    # the phone's changed notes win and the rest is the server's.
    conflict = retried["resolvedConflicts"][-1]
    assert conflict["local"]["_changed"] == "notes" and conflict["remote"]["intensity"] == 9
    assert conflict["resolved"]["intensity"] == 9 and conflict["resolved"]["notes"] == "phone's"
    synced(devices, "tablet")
    for device in ("phone", "tablet"):
        episode = records(devices.dump(device), "episodes")["rt-episodes-full"]
        assert (episode["intensity"], episode["notes"], episode["_status"]) == (9, "phone's", "synced")
    stored = server_records(account)["episodes"]["rt-episodes-full"]
    assert (stored["intensity"], stored["notes"]) == (9, "phone's")


def test_an_app_upgraded_to_the_next_schema_version_gets_the_new_table_and_column_by_a_migration_sync(
    devices, account, monkeypatch
):
    old, new = declare_next_version(monkeypatch)
    # The app's next release: the new schema, and its migration (a new table, a new column).
    table, column = NEW_COLUMN
    new_schema = watermelon_schema(new)
    migrations = registry_migrations(new, after=old)
    assert {"createTable": next(t for t in new_schema["tables"] if t["name"] == NEW_TABLE)} in migrations[0]["steps"]
    # A device already on the new version writes into the new table and column.
    devices.open("new-phone", token(account, "new-phone"), schema=new_schema, migrations=migrations)
    rows = every_column_records(now_ms())
    create_all(devices, "new-phone", {"episodes": rows["episodes"], NEW_TABLE: rows[NEW_TABLE]})
    synced(devices, "new-phone")
    # The old app syncs: it must not be handed what its version lacks.
    devices.open(
        "old-phone",
        token(account, "old-phone"),
        schema=watermelon_schema(old),
        store="old-phone",
    )
    synced(devices, "old-phone")
    old_dump = devices.dump("old-phone")
    assert NEW_TABLE not in old_dump["tables"]
    assert all(NEW_COLUMN[1] not in r for r in old_dump["tables"]["episodes"])
    # The old app changes a record: the column it does not have keeps its value on the server.
    devices.call("update", device="old-phone", table="episodes", id="rt-episodes-full", values={"intensity": 1})
    synced(devices, "old-phone")
    stored = server_records(account)["episodes"]["rt-episodes-full"]
    assert (stored["intensity"], stored[NEW_COLUMN[1]]) == (1, rows["episodes"][0][NEW_COLUMN[1]])
    devices.call("close", device="old-phone")

    # The app is updated: the same local database opens with the new schema and migrates.
    devices.open("old-phone", token(account, "old-phone"), schema=new_schema, migrations=migrations, store="old-phone")
    answer = synced(devices, "old-phone")

    (pull,) = pulls(answer)
    assert f"schema_version={new}" in pull["url"] and "migration=%7B%22from%22" in pull["url"]
    upgraded, source = devices.dump("old-phone"), devices.dump("new-phone")
    assert (
        sorted(records(upgraded, NEW_TABLE))
        == sorted(records(source, NEW_TABLE))
        == [f"rt-{NEW_TABLE}-empty", f"rt-{NEW_TABLE}-full"]
    )
    assert records(upgraded, NEW_TABLE) == records(source, NEW_TABLE)
    assert {i: r[column] for i, r in records(upgraded, table).items()} == {
        i: r[column] for i, r in records(source, table).items()
    }
    assert {r[column] for r in upgraded["tables"][table]} == {"after two coffees, «café» at work", None}
    assert upgraded["unsynced"] is False


def test_an_app_upgraded_from_version_2_gets_check_ins_and_every_entrys_offset_by_a_migration_sync(devices, account):
    rows = every_column_records(now_ms())
    # A phone on the current app logs entries with their offsets, and day check-ins.
    devices.open("new-phone", token(account, "new-phone"))
    create_all(devices, "new-phone", {t: rows[t] for t in ("episodes", "caffeine_intakes", "day_checkins")})
    synced(devices, "new-phone")
    # A phone still on version 2 syncs: it is handed neither check-ins nor offsets.
    old_phone = token(account, "old-phone")  # the app keeps its login through the update
    devices.open("old-phone", old_phone, schema=watermelon_schema(2), store="old-phone")
    synced(devices, "old-phone")
    old = devices.dump("old-phone")
    assert "day_checkins" not in old["tables"]
    assert old["tables"]["episodes"] and all("utc_offset_min" not in r for r in old["tables"]["episodes"])
    # It logs an episode (no offset to send) and changes one: the offset it never saw is kept.
    old_episode = {k: v for k, v in rows["episodes"][0].items() if k != "utc_offset_min"} | {"id": "old-app-episode"}
    devices.call("create", device="old-phone", table="episodes", raw=old_episode)
    devices.call("update", device="old-phone", table="episodes", id="rt-episodes-full", values={"intensity": 2})
    synced(devices, "old-phone")
    stored = server_records(account)["episodes"]
    assert (stored["rt-episodes-full"]["intensity"], stored["rt-episodes-full"]["utc_offset_min"]) == (2, 60)
    assert stored["old-app-episode"]["utc_offset_min"] is None
    devices.call("close", device="old-phone")

    # The app is updated to version 3: the same local database migrates, then syncs.
    devices.open("old-phone", old_phone, store="old-phone")
    answer = synced(devices, "old-phone")

    (pull,) = pulls(answer)
    assert "schema_version=3" in pull["url"] and "%22from%22%3A2" in pull["url"]
    upgraded, server = devices.dump("old-phone"), server_records(account)
    checkins = records(upgraded, "day_checkins")
    assert sorted(checkins) == ["rt-day_checkins-empty", "rt-day_checkins-full"]
    for record_id, record in checkins.items():
        assert {k: v for k, v in record.items() if not k.startswith("_")} == server["day_checkins"][record_id]
    assert {i: r["utc_offset_min"] for i, r in records(upgraded, "episodes").items()} == {
        "rt-episodes-full": 60,
        "rt-episodes-empty": None,
        "old-app-episode": None,
    }
    assert records(upgraded, "caffeine_intakes")["rt-caffeine_intakes-full"]["utc_offset_min"] == -300
    assert upgraded["unsynced"] is False


def test_two_devices_that_check_in_for_the_same_day_agree_on_one_check_in(devices, account):
    day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    for device in ("phone", "tablet"):
        devices.open(device, token(account, device))
        synced(devices, device)
    devices.call(
        "create",
        device="phone",
        table="day_checkins",
        raw={"id": "phone-checkin", "day": day, "no_twitches": False, "kept_plan": True, "utc_offset_min": 60},
    )
    synced(devices, "phone")
    devices.call(
        "create",
        device="tablet",
        table="day_checkins",
        raw={"id": "tablet-checkin", "day": day, "no_twitches": True, "kept_plan": None, "utc_offset_min": 60},
    )

    synced(devices, "tablet")  # the newer check-in replaces the phone's
    synced(devices, "phone")
    synced(devices, "tablet")

    phone, tablet = records(devices.dump("phone"), "day_checkins"), records(devices.dump("tablet"), "day_checkins")
    assert list(phone) == list(tablet) == ["tablet-checkin"]
    # The newer says "no twitches"; what it left unsaid (kept_plan) comes from the one it replaced.
    for checkin in (phone["tablet-checkin"], tablet["tablet-checkin"]):
        assert (checkin["no_twitches"], checkin["kept_plan"], checkin["_status"]) == (True, True, "synced")
