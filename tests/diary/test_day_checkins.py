"""Day check-ins and each entry's UTC offset: REST, sync at versions 2 and 3, the one-a-day rule
and whether today's check-in is due."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import pytest
import time_machine

from diary.models import DayCheckin, Episode
from diary.tables import TABLES
from tests.builders import payload, wire
from tests.diary.wire import changes, pull, push
from tests.query_counts import captured_queries

pytestmark = pytest.mark.django_db

URL = "/api/v1/day-checkins/"
TODAY_URL = "/api/v1/day-checkins/today/"
YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).date()
TIMED_TABLES = [name for name, spec in TABLES.items() if any(c.name == "utc_offset_min" for c in spec.columns)]


def checkin(client_id: str, day: date = YESTERDAY, **overrides: object) -> dict[str, object]:
    return {"id": client_id, "day": day.isoformat(), "no_twitches": False, "kept_plan": None, **overrides}


def live_checkins(user) -> dict[str, DayCheckin]:
    return {c.client_id: c for c in DayCheckin.objects.live().filter(user=user)}


# --- The offset on every timed table ------------------------------------------------------------


def test_every_timed_table_and_only_those_carry_the_offset_since_version_3():
    assert TIMED_TABLES == [
        "episodes",
        "caffeine_intakes",
        "sleep_logs",
        "stress_logs",
        "medication_doses",
        "exercise_sessions",
        "tremor_recordings",
        "day_checkins",
    ]
    for name in TIMED_TABLES:
        (column,) = [c for c in TABLES[name].columns if c.name == "utc_offset_min"]
        assert (column.since, column.nullable, column.required) == (3, True, False)


@pytest.mark.parametrize("table", TIMED_TABLES)
@pytest.mark.parametrize("offset", [-720, 0, 345, 840])
def test_rest_stores_and_returns_an_offset_in_range(auth_client, user, table, offset):
    response = auth_client.post(f"/api/v1/{TABLES[table].route}/", payload(table, user=user, utc_offset_min=offset))

    assert response.status_code == 201, response.json()
    assert response.json()["utc_offset_min"] == offset
    assert TABLES[table].model.objects.get(user=user, client_id=response.json()["id"]).utc_offset_min == offset


@pytest.mark.parametrize("table", TIMED_TABLES)
@pytest.mark.parametrize("offset", [-721, 841, 100_000])
def test_an_offset_out_of_range_is_a_400_naming_the_field_and_nothing_is_stored(auth_client, user, table, offset):
    response = auth_client.post(f"/api/v1/{TABLES[table].route}/", payload(table, user=user, utc_offset_min=offset))

    assert response.status_code == 400
    error = response.json()["error"]
    assert "-720" in error["fields"]["utc_offset_min"][0] and "840" in error["fields"]["utc_offset_min"][0]
    assert not TABLES[table].model.objects.filter(user=user).exists()


def test_an_offset_that_is_not_a_whole_number_is_a_400(auth_client, user):
    response = auth_client.post("/api/v1/episodes/", payload("episodes", user=user, utc_offset_min="+01:00"))

    assert response.status_code == 400
    assert "utc_offset_min" in response.json()["error"]["fields"]


def test_a_pushed_offset_out_of_range_refuses_the_whole_push(auth_client, user):
    response = push(
        auth_client,
        changes(episodes=[wire("episodes", "ok", utc_offset_min=60), wire("episodes", "far", utc_offset_min=-900)]),
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["episodes.created[1].utc_offset_min"]
    assert not Episode.objects.filter(user=user).exists()


def test_an_older_apps_record_has_no_offset_and_a_pull_at_version_2_carries_none(auth_client, user):
    push(auth_client, changes(episodes=[wire("episodes", "old")], day_checkins=[]))

    assert Episode.objects.get(user=user, client_id="old").utc_offset_min is None
    (record,) = pull(auth_client, schema_version=2)["changes"]["episodes"]["created"]
    assert "utc_offset_min" not in record
    assert "day_checkins" not in pull(auth_client, schema_version=2)["changes"]


def test_a_version_2_push_keeps_the_offset_a_version_3_app_stored(auth_client, user):
    push(auth_client, changes(episodes=[wire("episodes", "e1", utc_offset_min=-300)]))
    stamp = pull(auth_client)["timestamp"]

    old_app = {k: v for k, v in wire("episodes", "e1", intensity=9).items() if k != "utc_offset_min"}
    response = push(auth_client, {"episodes": {"created": [], "updated": [old_app], "deleted": []}}, stamp)

    assert response.status_code == 200, response.json()
    stored = Episode.objects.get(user=user, client_id="e1")
    assert (stored.intensity, stored.utc_offset_min) == (9, -300)


def test_a_migration_sync_from_2_to_3_brings_every_check_in_and_every_record_again_with_its_offset(auth_client):
    push(auth_client, changes(episodes=[wire("episodes", "e1", utc_offset_min=60)], day_checkins=[checkin("c1")]))
    stamp = pull(auth_client, schema_version=2)["timestamp"]

    migration = quote(json.dumps({"from": 2, "tables": [], "columns": []}))
    response = auth_client.get(f"/api/v1/sync/?last_pulled_at={stamp}&schema_version=3&migration={migration}")

    assert response.status_code == 200
    pulled = response.json()["changes"]
    assert [(r["id"], r["day"]) for r in pulled["day_checkins"]["created"]] == [("c1", YESTERDAY.isoformat())]
    assert [(r["id"], r["utc_offset_min"]) for r in pulled["episodes"]["updated"]] == [("e1", 60)]
    # Nothing the app already had in full comes again.
    assert pulled["lab_results"] == {"created": [], "updated": [], "deleted": []}


# --- Check-ins: one live check-in a day ---------------------------------------------------------


def test_a_check_in_round_trips_over_rest(auth_client, user):
    body = {"day": YESTERDAY.isoformat(), "no_twitches": True, "kept_plan": False, "utc_offset_min": 60}

    created = auth_client.post(URL, body, format="json").json()
    changed = auth_client.patch(f"{URL}{created['id']}/", {"kept_plan": None}, format="json").json()

    assert {k: created[k] for k in body} == body
    assert (changed["kept_plan"], changed["no_twitches"]) == (None, True)
    assert auth_client.delete(f"{URL}{created['id']}/").status_code == 204
    assert live_checkins(user) == {}


def test_a_check_in_for_a_day_that_has_not_begun_anywhere_is_a_400(auth_client, user):
    tomorrow_everywhere = (datetime.now(UTC) + timedelta(hours=14, days=1)).date()

    response = auth_client.post(URL, {"day": tomorrow_everywhere.isoformat()}, format="json")

    assert response.status_code == 400
    assert "day" in response.json()["error"]["fields"]
    assert not DayCheckin.objects.filter(user=user).exists()


@pytest.mark.parametrize("value", ["yes", 2, "2026-13-01"])
def test_a_malformed_check_in_is_a_400_naming_the_field(auth_client, value):
    field = "day" if value == "2026-13-01" else "kept_plan"
    body = {"day": YESTERDAY.isoformat(), field: value}

    response = auth_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_second_check_in_for_the_same_day_replaces_the_first_and_keeps_what_it_left_unsaid(auth_client, user):
    first = auth_client.post(URL, {"day": YESTERDAY.isoformat(), "kept_plan": True}, format="json").json()
    stamp = pull(auth_client)["timestamp"]

    second = auth_client.post(URL, {"day": YESTERDAY.isoformat(), "no_twitches": True}, format="json")

    assert second.status_code == 201
    assert (second.json()["no_twitches"], second.json()["kept_plan"]) == (True, True)
    assert list(live_checkins(user)) == [second.json()["id"]]
    # The first is a tombstone: every device that has it drops it on its next pull.
    pulled = pull(auth_client, stamp)["changes"]["day_checkins"]
    assert pulled["deleted"] == [first["id"]]
    assert [r["id"] for r in pulled["created"]] == [second.json()["id"]]


def test_a_push_with_two_check_ins_for_one_day_keeps_the_last_and_stores_the_first_as_a_tombstone(auth_client, user):
    response = push(
        auth_client,
        changes(
            day_checkins=[
                checkin("a", kept_plan=False),
                checkin("b", no_twitches=True),
                checkin("c", YESTERDAY - timedelta(days=1)),
            ]
        ),
    )

    assert response.status_code == 200, response.json()
    live = live_checkins(user)
    assert sorted(live) == ["b", "c"]
    assert (live["b"].no_twitches, live["b"].kept_plan) == (True, False)
    assert DayCheckin.objects.get(user=user, client_id="a").deleted_at is not None


def test_moving_a_check_in_onto_a_day_that_has_one_replaces_that_one(auth_client, user):
    push(auth_client, changes(day_checkins=[checkin("a"), checkin("b", YESTERDAY - timedelta(days=1))]))

    response = auth_client.patch(f"{URL}b/", {"day": YESTERDAY.isoformat()}, format="json")

    assert response.status_code == 200, response.json()
    assert list(live_checkins(user)) == ["b"]


def test_another_users_check_in_for_the_same_day_is_not_touched(client_for, user, make_user):
    other = make_user()
    push(client_for(other), changes(day_checkins=[checkin("theirs", kept_plan=True)]))

    push(client_for(user), changes(day_checkins=[checkin("mine")]))

    assert list(live_checkins(other)) == ["theirs"]
    assert live_checkins(user)["mine"].kept_plan is None


# --- Is today's check-in due? -------------------------------------------------------------------

# 23:30 UTC on 1 December is already 2 December in Tokyo: the day is the person's, not UTC's.
LATE_EVENING_UTC = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)


def test_todays_check_in_is_due_until_there_is_one_for_the_persons_local_today(auth_client, user):
    user.timezone = "Asia/Tokyo"
    user.save()
    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        before = auth_client.get(TODAY_URL).json()
        auth_client.post(URL, {"day": "2026-12-01"}, format="json")  # yesterday in Tokyo
        still = auth_client.get(TODAY_URL).json()
        auth_client.post(URL, {"day": "2026-12-02", "no_twitches": True}, format="json")
        after = auth_client.get(TODAY_URL).json()

    assert (before["day"], before["timezone"], before["due"], before["checkin"]) == (
        "2026-12-02",
        "Asia/Tokyo",
        True,
        None,
    )
    assert still["due"] is True
    assert after["due"] is False and after["checkin"]["day"] == "2026-12-02" and after["checkin"]["no_twitches"]
    assert after["plan"] is None


def test_today_follows_the_zone_the_phone_sent(auth_client):
    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        in_london = auth_client.get(TODAY_URL).json()["day"]
        auth_client.patch("/api/v1/me/", {"timezone": "Pacific/Auckland"}, format="json")
        in_auckland = auth_client.get(TODAY_URL).json()["day"]

    assert (in_london, in_auckland) == ("2026-12-01", "2026-12-02")


def test_during_an_experiment_today_says_the_plan_so_the_app_asks_whether_it_was_kept(auth_client):
    auth_client.post("/api/v1/experiments/", {"trigger": "caffeine", "weeks": 4}, format="json")

    today = auth_client.get(TODAY_URL).json()

    assert today["plan"]["assignment"] in ("with", "without")
    assert today["plan"]["label"] in ("a usual caffeine day", "a caffeine-free day")
    assert today["plan"]["instruction"]


def test_the_today_route_is_not_a_check_in_id_and_costs_three_queries(auth_client, user):
    auth_client.get(TODAY_URL)  # the token's first use refreshes its expiry

    with captured_queries(savepoints=False) as queries:
        response = auth_client.get(TODAY_URL)

    assert len(queries) == 3, str(queries)  # the token, today's check-in, today's plan
    assert response.status_code == 200
    assert set(response.json()) == {"day", "timezone", "due", "checkin", "plan"}


def test_the_schema_documents_the_today_route(auth_client):
    schema = auth_client.get("/api/schema/?format=json").json()

    operation = schema["paths"]["/api/v1/day-checkins/today/"]["get"]
    assert "due" in json.dumps(operation) or "CheckinToday" in json.dumps(operation)
    assert "utc_offset_min" in schema["components"]["schemas"]["Episode"]["properties"]
