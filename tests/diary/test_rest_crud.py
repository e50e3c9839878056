"""The diary's REST API: create, read, list, replace, change and delete a record of every table."""

from __future__ import annotations

from datetime import datetime

from diary.tables import TABLES
from tests.builders import CHANGES, payload, store
from tests.diary.rest_calls import ALL_TABLES, assert_matches, rows, url


@ALL_TABLES
def test_creating_a_record_answers_201_with_it_and_stores_it(auth_client, user, table):
    body = payload(table, user=user, id="phone-made-id-1")

    response = auth_client.post(url(table), body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["id"] == "phone-made-id-1"
    assert_matches(response.json(), body)
    assert {"created_at", "updated_at"} <= set(response.json())
    assert rows(user, table).filter(client_id="phone-made-id-1", deleted_at__isnull=True).count() == 1


@ALL_TABLES
def test_a_record_created_without_an_id_gets_one_from_the_server(auth_client, user, table):
    response = auth_client.post(url(table), payload(table, user=user), format="json")

    assert response.status_code == 201, response.json()
    new_id = response.json()["id"]
    assert len(new_id) == 16
    assert rows(user, table).get(client_id=new_id)


@ALL_TABLES
def test_reading_a_record_gives_back_what_was_created(auth_client, user, table):
    created = auth_client.post(url(table), payload(table, user=user), format="json").json()

    response = auth_client.get(url(table, created["id"]))

    assert response.status_code == 200
    assert response.json() == created


@ALL_TABLES
def test_listing_gives_my_records_newest_first(auth_client, user, table):
    first = store(user, table, client_id="first").client_id
    second = store(user, table, client_id="second").client_id

    response = auth_client.get(url(table))

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [second, first]


@ALL_TABLES
def test_put_replaces_the_whole_record(auth_client, user, table):
    record_id = auth_client.post(url(table), payload(table, user=user), format="json").json()["id"]
    body = payload(table, user=user, **CHANGES[table])

    response = auth_client.put(url(table, record_id), body, format="json")

    assert response.status_code == 200, response.json()
    assert_matches(response.json(), body)
    assert rows(user, table).count() == 1


@ALL_TABLES
def test_put_leaves_out_optional_fields_at_their_defaults(auth_client, user, table):
    record_id = auth_client.post(url(table), payload(table, user=user), format="json").json()["id"]
    required = {c.name for c in TABLES[table].columns if c.required}
    body = {name: value for name, value in payload(table, user=user).items() if name in required}
    # Caffeine without a drink must say how much: the one optional field a minimal record needs.
    body.update({"mg": 50} if table == "caffeine_intakes" else {})

    response = auth_client.put(url(table, record_id), body, format="json")

    assert response.status_code == 200, response.json()
    for column in TABLES[table].columns:
        if not (column.required or column.read_only) and column.name not in body and column.name != "drug_class":
            expected = list(column.default or ()) if column.kind == "list" else column.default
            assert response.json()[column.name] == expected, column.name


@ALL_TABLES
def test_patch_changes_only_the_fields_sent(auth_client, user, table):
    created = auth_client.post(url(table), payload(table, user=user), format="json").json()

    response = auth_client.patch(url(table, created["id"]), CHANGES[table], format="json")

    assert response.status_code == 200, response.json()
    changed = response.json()
    for name, value in created.items():
        if name in CHANGES[table]:
            assert changed[name] == CHANGES[table][name]
        elif name not in ("updated_at", "mg"):
            assert changed[name] == value, name
    # Compared as instants: a time on the whole second is written without a fraction ("...:30Z"),
    # which as text sorts after "...:30.047000Z".
    assert datetime.fromisoformat(changed["updated_at"]) > datetime.fromisoformat(created["updated_at"])


@ALL_TABLES
def test_deleting_a_record_hides_it_but_keeps_a_tombstone_for_sync(auth_client, user, table):
    record_id = store(user, table).client_id

    response = auth_client.delete(url(table, record_id))

    assert response.status_code == 204
    assert rows(user, table).get(client_id=record_id).deleted_at is not None
    assert auth_client.get(url(table, record_id)).status_code == 404
    assert auth_client.get(url(table)).json()["results"] == []
    assert auth_client.patch(url(table, record_id), CHANGES[table], format="json").status_code == 404
    assert auth_client.delete(url(table, record_id)).status_code == 404


@ALL_TABLES
def test_a_missing_id_is_a_404_in_the_error_shape(auth_client, table):
    response = auth_client.get(url(table, "no-such-record"))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@ALL_TABLES
def test_creating_with_an_id_i_already_use_is_a_409_and_changes_nothing(auth_client, user, table):
    store(user, table, client_id="taken")
    before = list(rows(user, table).values())

    response = auth_client.post(url(table), payload(table, user=user, id="taken", **CHANGES[table]), format="json")

    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {"id": ["already exists"]}
    assert list(rows(user, table).values()) == before


def test_an_update_cannot_change_a_records_id(auth_client, user):
    store(user, "stress_logs", client_id="mine")

    response = auth_client.patch(url("stress_logs", "mine"), {"id": "other", "level": 2}, format="json")

    assert response.status_code == 400
    assert "id" in response.json()["error"]["fields"]
    assert rows(user, "stress_logs").get().level == 6


def test_an_id_outside_the_allowed_pattern_is_refused(auth_client, user):
    response = auth_client.post(url("stress_logs"), payload("stress_logs", user=user, id="has space"), format="json")

    assert response.status_code == 400
    assert "id" in response.json()["error"]["fields"]


def test_logged_out_requests_are_refused(api_client):
    assert api_client.get(url("episodes")).status_code == 401
