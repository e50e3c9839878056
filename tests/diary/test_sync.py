"""WatermelonDB sync: pull, push, its conflict rules, atomicity, limits and isolation between users."""

from __future__ import annotations

import json

import pytest

from diary.bulk_upsert import COPY_MIN_ROWS
from diary.models import CaffeineIntake, Episode, SleepLog
from diary.signals import diary_changed
from diary.tables import TABLES, sync_tables
from tests.builders import now_ms, wire
from tests.diary.wire import changes, pull, push
from tests.query_counts import Queries, assert_same_query_count, captured_queries

pytestmark = pytest.mark.django_db


def ids(pulled, table, kind):
    return sorted(r["id"] if isinstance(r, dict) else r for r in pulled["changes"][table][kind])


def test_a_first_pull_returns_every_table_and_a_timestamp(auth_client):
    pulled = pull(auth_client)
    assert set(pulled["changes"]) >= {
        "episodes",
        "caffeine_intakes",
        "sleep_logs",
        "stress_logs",
        "medications",
        "medication_doses",
        "exercise_sessions",
        "lab_results",
    }
    assert all(v == {"created": [], "updated": [], "deleted": []} for v in pulled["changes"].values())
    assert isinstance(pulled["timestamp"], int)


def test_pull_after_push_returns_the_records_in_wire_format(auth_client):
    pushed = wire("episodes", "ep1", symptoms=json.dumps(["tingling"]))
    assert (
        push(auth_client, changes(episodes=[pushed], caffeine_intakes=[wire("caffeine_intakes", "c1")])).status_code
        == 200
    )
    pulled = pull(auth_client)
    (record,) = pulled["changes"]["episodes"]["created"]
    assert record["id"] == "ep1"
    assert record["started_at"] == pushed["started_at"]
    assert json.loads(record["body_sites"]) == ["left_index"]
    assert json.loads(record["symptoms"]) == ["tingling"]
    assert "_status" not in record
    (coffee,) = pulled["changes"]["caffeine_intakes"]["created"]
    assert coffee["mg"] == 126.0  # two espressos from the catalogue, 63 mg each


def test_a_push_replayed_three_times_leaves_one_copy(auth_client, user):
    body = changes(episodes=[wire("episodes", "ep1"), wire("episodes", "ep2")], stress_logs=[wire("stress_logs", "s1")])
    for _ in range(3):
        assert push(auth_client, body).status_code == 200
    assert Episode.objects.filter(user=user).count() == 2
    assert sorted(ids(pull(auth_client), "episodes", "created")) == ["ep1", "ep2"]


def test_a_later_pull_returns_only_what_changed_split_into_created_updated_and_deleted(user, client_for):
    phone, tablet = client_for(user, "phone"), client_for(user, "tablet")
    push(phone, changes(episodes=[wire("episodes", "old1"), wire("episodes", "old2"), wire("episodes", "old3")]))
    first = pull(tablet)
    body = {
        "episodes": {
            "created": [wire("episodes", "new1")],
            "updated": [wire("episodes", "old1", intensity=7)],
            "deleted": ["old2"],
        }
    }
    assert push(phone, body, last_pulled_at=first["timestamp"]).status_code == 200
    second = pull(tablet, first["timestamp"])
    assert ids(second, "episodes", "created") == ["new1"]
    assert ids(second, "episodes", "updated") == ["old1"]
    assert second["changes"]["episodes"]["updated"][0]["intensity"] == 7
    assert ids(second, "episodes", "deleted") == ["old2"]
    assert pull(tablet, second["timestamp"])["changes"]["episodes"] == {
        "created": [],
        "updated": [],
        "deleted": [],
    }


def test_a_created_record_that_exists_is_updated_and_an_updated_missing_one_is_created(auth_client, user):
    push(auth_client, changes(episodes=[wire("episodes", "ep1", intensity=2)]))
    body = {
        "episodes": {
            "created": [wire("episodes", "ep1", intensity=5)],
            "updated": [wire("episodes", "ep9")],
            "deleted": [],
        }
    }
    assert push(auth_client, body).status_code == 200
    assert Episode.objects.get(user=user, client_id="ep1").intensity == 5
    assert Episode.objects.filter(user=user, client_id="ep9").exists()


@pytest.mark.parametrize("size", [1, COPY_MIN_ROWS], ids=["one INSERT", "COPY and merge"])
def test_a_small_and_a_large_push_merge_alike_keeping_when_the_server_first_saw_each_record(auth_client, user, size):
    first = [wire("episodes", f"ep{i}", intensity=2) for i in range(size)]
    assert push(auth_client, changes(episodes=first)).status_code == 200
    created = dict(Episode.objects.filter(user=user).values_list("client_id", "created_at"))
    again = [wire("episodes", f"ep{i}", intensity=7, body_sites=json.dumps(["right_thumb"])) for i in range(size)]
    assert push(auth_client, changes(episodes=again)).status_code == 200
    rows = Episode.objects.filter(user=user)
    assert rows.count() == size
    assert {(r.intensity, tuple(r.body_sites)) for r in rows} == {(7, ("right_thumb",))}
    assert all(r.created_at == created[r.client_id] < r.updated_at for r in rows)


def test_deleting_a_missing_record_is_fine(auth_client):
    body = {"episodes": {"created": [], "updated": [], "deleted": ["never-existed"]}}
    assert push(auth_client, body).status_code == 200


def test_a_record_changed_on_the_server_after_the_last_pull_fails_the_push_with_409(user, client_for):
    phone, tablet = client_for(user, "phone"), client_for(user, "tablet")
    push(phone, changes(episodes=[wire("episodes", "ep1", intensity=2)]))
    phone_pull = pull(phone)
    tablet_pull = pull(tablet)
    push(
        tablet,
        {"episodes": {"created": [], "updated": [wire("episodes", "ep1", intensity=9)], "deleted": []}},
        last_pulled_at=tablet_pull["timestamp"],
    )
    body = {
        "episodes": {
            "created": [wire("episodes", "ep2")],
            "updated": [wire("episodes", "ep1", intensity=4)],
            "deleted": [],
        }
    }
    conflict = push(phone, body, last_pulled_at=phone_pull["timestamp"])
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "sync_conflict"
    assert Episode.objects.get(user=user, client_id="ep1").intensity == 9
    assert not Episode.objects.filter(user=user, client_id="ep2").exists()
    # After pulling again the same change goes through.
    again = pull(phone, phone_pull["timestamp"])
    assert push(phone, body, last_pulled_at=again["timestamp"]).status_code == 200


def test_a_deletion_of_a_record_changed_since_the_last_pull_also_conflicts(user, client_for):
    phone, tablet = client_for(user, "phone"), client_for(user, "tablet")
    push(phone, changes(episodes=[wire("episodes", "ep1")]))
    seen = pull(phone)["timestamp"]
    push(tablet, {"episodes": {"created": [], "updated": [wire("episodes", "ep1", intensity=8)], "deleted": []}})
    response = push(phone, {"episodes": {"created": [], "updated": [], "deleted": ["ep1"]}}, last_pulled_at=seen)
    assert response.status_code == 409


def test_one_bad_record_stores_nothing_and_names_the_record_field_and_rule(auth_client, user):
    body = changes(
        episodes=[wire("episodes", "good1"), wire("episodes", "bad", duration_s=5000)],
        caffeine_intakes=[wire("caffeine_intakes", "c1")],
    )
    response = push(auth_client, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"] == {"episodes.created[1].duration_s": ["must be between 0 and 3600"]}
    assert "episodes.created[1].duration_s" in error["message"]
    assert not Episode.objects.filter(user=user).exists()
    assert not CaffeineIntake.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("table", "record", "field", "expected"),
    [
        ("episodes", wire("episodes", "e", started_at=None), "started_at", "10 minutes in the future"),
        ("episodes", wire("episodes", "e", duration_s=-1), "duration_s", "between 0 and 3600"),
        ("episodes", wire("episodes", "e", body_sites=json.dumps(["left_pinky"])), "body_sites", "left_index"),
        ("episodes", wire("episodes", "e", intensity=11), "intensity", "between 1 and 10"),
        ("episodes", wire("episodes", "e", body_sites="not json"), "body_sites", "JSON-encoded list"),
        ("episodes", wire("episodes", "e", started_at="yesterday"), "started_at", "epoch milliseconds"),
        ("caffeine_intakes", wire("caffeine_intakes", "c", drink="mate"), "drink", "brewed_coffee"),
        (
            "sleep_logs",
            wire("sleep_logs", "s", bed_at=now_ms() - ((25 + 1) * 3_600_000)),
            "woke_at",
            "longer than 24 hours",
        ),
        ("stress_logs", wire("stress_logs", "s", level=11), "level", "between 0 and 10"),
    ],
)
def test_each_input_rule_is_refused_with_the_rule_named(auth_client, table, record, field, expected):
    if record.get("started_at", 0) is None:
        record = {**record, "started_at": now_ms() + 11 * 60_000}  # the future as of this test, not of collection
    response = push(auth_client, changes(**{table: [record]}))
    assert response.status_code == 400
    messages = response.json()["error"]["fields"][f"{table}.created[0].{field}"]
    assert any(expected in message for message in messages), messages


def test_a_future_time_within_ten_minutes_is_accepted(auth_client):
    assert (
        push(auth_client, changes(episodes=[wire("episodes", "e", started_at=now_ms() + 9 * 60_000)])).status_code
        == 200
    )


def test_an_unknown_body_site_message_lists_the_valid_codes(auth_client):
    response = push(auth_client, changes(episodes=[wire("episodes", "e", body_sites=json.dumps(["elbow"]))]))
    (message,) = response.json()["error"]["fields"]["episodes.created[0].body_sites"]
    assert "'elbow' is not a known body site" in message
    assert "right_little" in message and "tongue" in message


def test_unknown_tables_are_refused_and_unknown_columns_ignored(auth_client, user):
    refused = push(auth_client, {"moods": {"created": [{"id": "m1"}], "updated": [], "deleted": []}})
    assert refused.status_code == 400
    assert "moods" in refused.json()["error"]["fields"]["changes"][0]
    accepted = push(auth_client, changes(episodes=[wire("episodes", "e1", mood="grumpy", _changed="intensity")]))
    assert accepted.status_code == 200
    assert Episode.objects.filter(user=user, client_id="e1").exists()


@pytest.mark.parametrize("bad_id", ["", "has space", "x" * 65, "semi;colon", 42, None])
def test_a_bad_record_id_is_refused(auth_client, bad_id):
    response = push(auth_client, changes(episodes=[wire("episodes", "placeholder", id=bad_id)]))
    assert response.status_code == 400
    assert "episodes.created[0].id" in response.json()["error"]["fields"]


def test_the_same_id_twice_in_one_push_is_refused(auth_client):
    response = push(auth_client, changes(episodes=[wire("episodes", "dup"), wire("episodes", "dup")]))
    assert response.status_code == 400
    assert "episodes.created[1].id" in response.json()["error"]["fields"]


def test_more_than_two_thousand_records_in_one_push_gets_413(auth_client, user):
    records = [wire("stress_logs", f"s{i}") for i in range(2001)]
    response = push(auth_client, changes(stress_logs=records))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_many_records"
    assert not SleepLog.objects.filter(user=user).exists()


def test_a_body_over_five_megabytes_gets_413(auth_client):
    notes = "x" * 2800
    records = [wire("episodes", f"e{i}", notes=notes) for i in range(1900)]  # about 5.8 MB of JSON
    response = push(auth_client, changes(episodes=records))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_malformed_json_and_a_bad_last_pulled_at_get_400(auth_client):
    response = auth_client.generic("POST", "/api/v1/sync/", "{broken", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    bad = auth_client.get("/api/v1/sync/?last_pulled_at=yesterday")
    assert bad.status_code == 400
    assert "last_pulled_at" in bad.json()["error"]["fields"]


@pytest.mark.parametrize("value", ["1000000000000000", "253402300800000", "-5", "1.5", "\u0661\u0662"])
def test_a_last_pulled_at_that_is_no_time_is_a_400_naming_it(auth_client, value):
    # schemathesis found a stamp past the year 9999 answered with a 500: it cannot be a datetime.
    for response in (
        auth_client.get("/api/v1/sync/", {"last_pulled_at": value}),
        auth_client.post(f"/api/v1/sync/?last_pulled_at={value}", {}, format="json"),
    ):
        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == ["last_pulled_at"]


@pytest.mark.parametrize("value", ["null", "", "one", "-1"])
def test_a_schema_version_that_is_not_a_whole_number_is_a_400_naming_it(auth_client, value):
    response = auth_client.get("/api/v1/sync/", {"last_pulled_at": "null", "schema_version": value})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["schema_version"]


def test_a_pushed_string_with_a_null_character_is_refused_and_names_the_field(auth_client, user):
    # PostgreSQL text cannot hold NUL: it was a 500 from the database.
    response = push(auth_client, changes(episodes=[wire("episodes", "e1", notes="after\x00coffee")]))

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"episodes.created[0].notes": ["must not contain null characters"]}
    assert not Episode.objects.filter(user=user).exists()


@pytest.mark.parametrize("bad_id", ["a\x00b", "", "x" * 65, "caf\u00e9"])
def test_a_deletion_of_an_id_no_record_can_have_is_refused(auth_client, bad_id):
    # The ids went into the query unchecked: one with NUL was a 500 from the database.
    response = push(auth_client, {"episodes": {"created": [], "updated": [], "deleted": [bad_id]}})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["episodes.deleted"]


@pytest.mark.parametrize("kind", ["created", "updated", "deleted"])
def test_a_kind_of_change_sent_as_a_number_is_refused_naming_it(auth_client, kind):
    # schemathesis found {"updated": 9.3e70} a 500: the record count took its len().
    response = push(auth_client, {"episodes": {"created": [], "updated": [], "deleted": [], kind: 9.3e70}})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [f"episodes.{kind}"]


@pytest.mark.parametrize("kind", ["created", "updated", "deleted"])
def test_a_kind_of_change_sent_as_null_is_refused_but_one_left_out_is_none(auth_client, kind):
    # schemathesis found null (and 0, false, "") read as an empty list; the schema says list.
    table = {"created": [], "updated": [], "deleted": [], kind: None}
    refused = push(auth_client, {"episodes": table})
    left_out = push(auth_client, {"episodes": {k: v for k, v in table.items() if k != kind}})

    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == [f"episodes.{kind}"]
    assert left_out.status_code == 200, left_out.json()


def test_pushing_an_id_another_user_has_leaves_their_row_untouched(user, make_user, client_for):
    ann, mallory = client_for(user), client_for(make_user(email="mallory@example.org"))
    push(ann, changes(episodes=[wire("episodes", "shared-id", intensity=2, notes="ann's")]))
    assert (
        push(mallory, changes(episodes=[wire("episodes", "shared-id", intensity=9, notes="mallory's")])).status_code
        == 200
    )
    rows = {row.user_id: row for row in Episode.objects.filter(client_id="shared-id")}
    assert len(rows) == 2
    assert (rows[user.pk].intensity, rows[user.pk].notes) == (2, "ann's")
    deleted = push(mallory, {"episodes": {"created": [], "updated": [], "deleted": ["shared-id"]}})
    assert deleted.status_code == 200
    assert Episode.objects.get(user=user, client_id="shared-id").deleted_at is None
    assert ids(pull(ann), "episodes", "created") == ["shared-id"]
    assert pull(ann)["changes"]["episodes"]["created"][0]["notes"] == "ann's"


def test_a_pull_never_shows_another_users_records(user, make_user, client_for):
    ann, bob = client_for(user), client_for(make_user(email="bob@example.org"))
    push(bob, changes(episodes=[wire("episodes", "bob1")], sleep_logs=[wire("sleep_logs", "bobsleep")]))
    pulled = pull(ann)
    assert all(not (v["created"] or v["updated"] or v["deleted"]) for v in pulled["changes"].values())


def test_a_dose_may_refer_to_a_medication_in_the_same_push_but_not_to_a_missing_one(auth_client):
    medication = {"id": "m1", "name": "Salbutamol inhaler", "catalogue_key": "salbutamol", "as_needed": True}
    dose = {"id": "d1", "medication_id": "m1", "taken_at": now_ms() - 60_000, "amount": "2 puffs"}
    ok = push(auth_client, changes(medications=[medication], medication_doses=[dose]))
    assert ok.status_code == 200
    pulled = pull(auth_client)
    assert pulled["changes"]["medications"]["created"][0]["drug_class"] == "beta2_agonist"
    assert pulled["changes"]["medication_doses"]["created"][0]["medication_id"] == "m1"
    missing = push(auth_client, changes(medication_doses=[{**dose, "id": "d2", "medication_id": "nope"}]))
    assert missing.status_code == 400
    assert "medication_doses.created[0].medication_id" in missing.json()["error"]["fields"]


def test_a_dose_cannot_refer_to_another_users_medication(user, make_user, client_for):
    bob = client_for(make_user(email="bob@example.org"))
    push(bob, changes(medications=[{"id": "bobmed", "name": "Lithium", "catalogue_key": "lithium"}]))
    dose = {"id": "d1", "medication_id": "bobmed", "taken_at": now_ms() - 60_000}
    response = push(client_for(user), changes(medication_doses=[dose]))
    assert response.status_code == 400


def test_requests_without_a_token_get_401(api_client):
    assert api_client.get("/api/v1/sync/").status_code == 401
    assert api_client.post("/api/v1/sync/", {}, format="json").status_code == 401


def test_a_pull_makes_the_same_number_of_queries_for_ten_and_a_thousand_rows(auth_client, user):
    def count_pull_queries() -> Queries:
        # Savepoints are the test's transaction wrapping the pull's own; they are not queries.
        with captured_queries(savepoints=False) as captured:
            pull(auth_client)
        return captured

    push(auth_client, changes(episodes=[wire("episodes", f"e{i}") for i in range(10)]))
    small = count_pull_queries()
    for batch in range(2):
        push(
            auth_client,
            changes(
                episodes=[wire("episodes", f"b{batch}-{i}") for i in range(500)],
                caffeine_intakes=[wire("caffeine_intakes", f"c{batch}-{i}") for i in range(500)],
            ),
        )
    large = count_pull_queries()
    assert_same_query_count(small, large, "10 rows against 1,000")
    # The token lookup, the clock's lock and one query per table (the sweep of expired
    # tokens runs only when a token's expiry is refreshed, not on every request).
    assert len(large) == 1 + 1 + len(sync_tables()), str(large)


def test_a_push_listing_every_table_as_the_app_does_announces_only_the_tables_with_records(
    auth_client, django_capture_on_commit_callbacks
):
    # WatermelonDB lists every table in every push. An empty tremor_recordings entry once
    # made each push look like a tremor recording: a tremor analysis task per push instead
    # of the one debounced recompute.
    announced: list[list[str]] = []

    def listen(sender, user_id, tables, **kwargs):
        announced.append(tables)

    every_table_empty = {name: {"created": [], "updated": [], "deleted": []} for name in TABLES}
    diary_changed.connect(listen, dispatch_uid="test_sync.listen")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                push(auth_client, {**every_table_empty, **changes(episodes=[wire("episodes", "e1")])}).status_code
                == 200
            )
            assert push(auth_client, every_table_empty).status_code == 200
    finally:
        diary_changed.disconnect(dispatch_uid="test_sync.listen")
    assert announced == [["episodes"]]


def test_a_devices_own_new_records_come_back_to_it_as_updated_and_to_other_devices_as_created(user, client_for):
    # WatermelonDB logs "create, but it already exists locally" for every record the server
    # sends as created to the device that pushed it: that device gets its echo as updated.
    phone, tablet = client_for(user, "phone"), client_for(user, "tablet")
    before = pull(phone)["timestamp"]
    push(phone, changes(episodes=[wire("episodes", "mine")]), last_pulled_at=before)
    push(tablet, changes(episodes=[wire("episodes", "theirs")]))

    on_phone, on_tablet = pull(phone, before), pull(tablet, before)

    assert (ids(on_phone, "episodes", "created"), ids(on_phone, "episodes", "updated")) == (["theirs"], ["mine"])
    assert (ids(on_tablet, "episodes", "created"), ids(on_tablet, "episodes", "updated")) == (["mine"], ["theirs"])


_TEXT_LIMITS = [
    (table, column.name, column.max_length)
    for table, spec in sorted(TABLES.items())
    for column in spec.writable_columns
    if column.kind == "str" and column.max_length is not None
]


@pytest.mark.parametrize(("table", "column", "limit"), _TEXT_LIMITS)
def test_a_text_longer_than_its_column_takes_is_refused_by_name_not_a_500(auth_client, user, table, column, limit):
    # REST's serializer refuses these lengths; a push used to reach the database with them (a 500
    # for a varchar column, a 100,000-character note stored for a text one).
    records = [wire(table, "long", **{column: "x" * (limit + 1)}), wire(table, "fits", **{column: "x" * limit})]
    response = push(auth_client, changes(**{table: records}))

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert f"must be at most {limit:,} characters" in fields[f"{table}.created[0].{column}"]
    assert all(f"must be at most {limit:,} characters" not in m for m in fields.get(f"{table}.created[1].{column}", []))
    assert not TABLES[table].model.objects.filter(user=user).exists()


def test_a_long_medication_name_in_a_large_push_is_refused_by_name(auth_client, user):
    records = [wire("medications", f"m{n}") for n in range(COPY_MIN_ROWS + 10)]
    records[COPY_MIN_ROWS]["name"] = "x" * 121

    response = push(auth_client, changes(medications=records))

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        f"medications.created[{COPY_MIN_ROWS}].name": ["must be at most 120 characters"]
    }
