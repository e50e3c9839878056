"""A REST create outside a transaction: the sync clock's tick and the row in one statement.

On PostgreSQL a create of a table without references runs as one autocommit statement
(diary.bulk_upsert.insert_stamped); these tests run with real commits (transaction=True),
as a request does, since inside a test's transaction the service takes the transactional
path instead. The answers must be those of that path: same stamps, same 409, same revival
of a tombstone, the same announcement for the recompute.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection

from diary.models import SyncClock
from diary.signals import diary_changed
from diary.tables import TABLES
from tests.builders import CHANGES, payload, store

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement create is PostgreSQL's"),
]
TABLES_WITHOUT_REFERENCES = pytest.mark.parametrize("table", ["episodes", "caffeine_intakes", "medications"])


def url(table: str) -> str:
    return f"/api/v1/{TABLES[table].route}/"


def clock_stamp(user) -> datetime:
    stamp_ms = SyncClock.objects.get(user=user).last_stamp_ms
    return datetime.fromtimestamp(stamp_ms / 1000, tz=UTC)


@TABLES_WITHOUT_REFERENCES
def test_a_create_carries_the_clocks_new_stamp_and_answers_the_stored_row(auth_client, user, table):
    store(user, table, client_id="first")  # the user's clock exists from here on
    before = clock_stamp(user)

    response = auth_client.post(url(table), payload(table, user=user, id="second"), format="json")

    assert response.status_code == 201, response.json()
    stored = TABLES[table].model.objects.get(user=user, client_id="second")
    assert clock_stamp(user) > before
    assert stored.created_at == stored.updated_at == clock_stamp(user)
    assert datetime.fromisoformat(response.json()["updated_at"]) == stored.updated_at
    assert auth_client.get(f"{url(table)}second/").json() == response.json()


@TABLES_WITHOUT_REFERENCES
def test_an_id_in_use_is_a_409_and_the_record_is_unchanged(auth_client, user, table):
    store(user, table, client_id="taken")
    before = list(TABLES[table].model.objects.filter(user=user).values())

    response = auth_client.post(url(table), payload(table, user=user, id="taken", **CHANGES[table]), format="json")

    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {"id": ["already exists"]}
    assert list(TABLES[table].model.objects.filter(user=user).values()) == before


def test_a_deleted_id_is_created_anew_over_its_tombstone(auth_client, user):
    store(user, "stress_logs", client_id="again")
    assert auth_client.delete(f"{url('stress_logs')}again/").status_code == 204

    response = auth_client.post(
        url("stress_logs"), payload("stress_logs", user=user, id="again", level=2), format="json"
    )

    assert response.status_code == 201, response.json()
    record = TABLES["stress_logs"].model.objects.get(user=user, client_id="again")
    assert record.deleted_at is None
    assert record.level == 2
    assert record.updated_at == clock_stamp(user)


def test_a_users_first_write_creates_the_clock_and_is_stored(auth_client, user):
    assert not SyncClock.objects.filter(user=user).exists()

    response = auth_client.post(url("episodes"), payload("episodes", user=user, id="very-first"), format="json")

    assert response.status_code == 201, response.json()
    assert TABLES["episodes"].model.objects.get(user=user, client_id="very-first").updated_at == clock_stamp(user)


def test_a_create_announces_the_change_once_for_the_recompute(auth_client, user):
    store(user, "episodes", client_id="first")
    heard: list[dict] = []

    def listen(sender, **kwargs):
        heard.append(kwargs)

    diary_changed.connect(listen, dispatch_uid="test_rest_create_one_statement")
    try:
        response = auth_client.post(url("episodes"), payload("episodes", user=user, id="second"), format="json")
        refused = auth_client.post(url("episodes"), payload("episodes", user=user, id="second"), format="json")
    finally:
        diary_changed.disconnect(dispatch_uid="test_rest_create_one_statement")

    assert (response.status_code, refused.status_code) == (201, 409)
    assert [(h["user_id"], h["tables"]) for h in heard] == [(user.pk, ["episodes"])]


def test_a_record_with_a_reference_takes_the_transactional_path_and_is_stored(auth_client, user):
    body = payload("medication_doses", user=user, id="dose-1")  # gives the user the medication it names

    response = auth_client.post(url("medication_doses"), body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["medication_id"] == body["medication_id"]
    dose = TABLES["medication_doses"].model.objects.get(user=user, client_id="dose-1")
    assert dose.updated_at == clock_stamp(user)
