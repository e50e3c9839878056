"""The COPY path of diary.bulk_upsert.upsert_rows (PostgreSQL, COPY_MIN_ROWS rows or more) stores
what the one-INSERT path stores, value for value, in every table.

A large push goes through COPY in its binary format (times and numbers packed by the driver, JSON
sent as text); small pushes of the same records go through bulk_create. Odd values ride along:
text with tabs, newlines, backslashes and characters outside the BMP, strings at their column's
length limit, nulls where a column takes them, JSON lists, floats that need every digit. Values
the binary format could not carry as the text format did (an integer past its column's type, a
float column given integers) go through COPY's text format, for the server to read as before.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
import pytest
from django.db import DataError, connection, transaction

from diary.bulk_upsert import COPY_MIN_ROWS, upsert_rows
from diary.models import CaffeineIntake, Episode
from diary.tables import TABLES
from tests.builders import now_ms, payload, wire
from tests.diary.wire import pull, push
from tests.query_counts import captured_queries

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

ODD_TEXT = ["", "plain", "tab\there", "new\nline\r\n", "back\\slash \\N", "é ☃ 𝄞 中文", "'quoted' \"double\""]


def _odd(table: str, i: int) -> dict[str, Any]:
    """Record ``i`` of ``table``: the default one with odd but valid values in its free columns."""
    text = ODD_TEXT[i % len(ODD_TEXT)]
    record = wire(table, f"{table[:3]}-{i}", minutes_ago=30 + i * 7)
    if table == "episodes":
        record.update(
            notes=None if i % 5 == 0 else (text * 300)[:2000],
            symptoms=json.dumps(["tingling"] if i % 2 else []),
            body_sites=json.dumps(["left_index", "right_thumb"][: 1 + i % 2]),
            duration_s=[0, 3600, 1][i % 3],
            utc_offset_min=[None, -720, 840][i % 3],
        )
    elif table == "caffeine_intakes":
        record.update(servings=[0.1, 1 / 3, 20][i % 3], drink="" if i % 4 == 0 else "espresso")
        record["mg"] = 63.5 if i % 4 == 0 else None
    elif table == "medications":
        record.update(name=("Ventolin " + text)[:120], dose=(text * 50)[:120], as_needed=bool(i % 2))
        record.update(catalogue_key="" if i % 3 else "sertraline", stopped_on=None)
    elif table == "medication_doses":
        record.update(medication_id=f"med-{i}", amount=text[:60])
    elif table == "exercise_sessions":
        record.update(kind=(text * 20)[:60])
    elif table == "lab_results":
        record.update(value=[0.0, 1e6, 0.1 + 0.2][i % 3], reference_low=None, unit=("µmol/L " + text)[:20])
    elif table == "day_checkins":
        record.update(
            day=(date.today() - timedelta(days=2 + i)).isoformat(),
            kept_plan=[None, True, False][i % 3],
            no_twitches=bool(i % 2),
        )
    elif table == "sleep_logs":
        record.update(quality=None if i % 2 else 5)
    return record


def _records(count: int) -> dict[str, list[dict[str, Any]]]:
    return {table: [_odd(table, i) for i in range(count)] for table in TABLES}


def _stored(user, table: str) -> list[dict[str, Any]]:
    """Every stored column of the user's rows but the row ids and stamps (a reference by client id)."""
    model = TABLES[table].model
    fields = [
        f"{f.name}__client_id" if f.is_relation and f.name != "user" else f.attname
        for f in model._meta.concrete_fields
        if f.attname not in ("id", "user_id", "created_at", "updated_at")
    ]
    return list(model.objects.filter(user=user).order_by("client_id").values(*fields))


def _push_all(client, records: dict[str, list[dict[str, Any]]], batch: int) -> None:
    count = len(next(iter(records.values())))
    for start in range(0, count, batch):
        body = {table: {"created": rows[start : start + batch]} for table, rows in records.items()}
        response = push(client, body)
        assert response.status_code == 200, response.json()


def test_a_large_push_stores_every_value_of_every_table_as_small_pushes_do(user, make_user, client_for):
    records = _records(COPY_MIN_ROWS)
    other = make_user(email="bo@example.org")
    _push_all(client_for(user), records, batch=COPY_MIN_ROWS)  # COPY, binary
    _push_all(client_for(other), records, batch=10)  # one INSERT per table and push

    for table in TABLES:
        large, small = _stored(user, table), _stored(other, table)
        assert len(large) == COPY_MIN_ROWS, table
        assert large == small, table
    notes = dict(Episode.objects.filter(user=user).values_list("client_id", "notes"))
    assert notes["epi-4"] == (ODD_TEXT[4] * 300)[:2000] and notes["epi-0"] is None

    # Replayed, every record is one the server has: the merge (COPY into a staging table) keeps them.
    _push_all(client_for(user), records, batch=COPY_MIN_ROWS)
    for table in TABLES:
        assert _stored(user, table) == _stored(other, table), table


def test_a_large_push_pulls_back_as_it_was_pushed(auth_client):
    records = _records(COPY_MIN_ROWS)
    _push_all(auth_client, {"episodes": records["episodes"], "lab_results": records["lab_results"]}, COPY_MIN_ROWS)

    pulled = pull(auth_client)["changes"]
    for table in ("episodes", "lab_results"):
        by_id = {r["id"]: r for r in pulled[table]["created"]}
        for sent in records[table]:
            got = by_id[sent["id"]]
            for name, value in sent.items():
                if name == "id" or name.startswith("_"):  # WatermelonDB's own _status and _changed
                    continue
                if name in ("body_sites", "symptoms"):
                    assert json.loads(got[name]) == json.loads(value), (sent["id"], name)
                else:
                    assert got[name] == value, (sent["id"], name)


def _rows(count: int, **values: Any) -> list[dict[str, Any]]:
    at = datetime.fromtimestamp(now_ms() / 1000, tz=UTC) - timedelta(hours=1)
    return [{"client_id": f"row-{i}", "consumed_at": at, "drink": "espresso", **values} for i in range(count)]


def test_a_float_column_given_whole_numbers_is_copied_as_text_and_stored_as_floats(user):
    stamp = datetime.now(UTC)
    with transaction.atomic():
        upsert_rows(CaffeineIntake, user.pk, _rows(COPY_MIN_ROWS, servings=2, mg=190, utc_offset_min=None), stamp)
    assert set(CaffeineIntake.objects.filter(user=user).values_list("servings", "mg")) == {(2.0, 190.0)}


def test_an_integer_past_its_columns_type_is_refused_by_the_database_never_wrapped_around(user):
    # Packed as a 16-bit integer, 40,000 would arrive as -25,536; read from text it is refused.
    rows = _rows(COPY_MIN_ROWS, servings=1.0, mg=63.0, utc_offset_min=40_000)
    with pytest.raises(DataError, match="smallint") as refused, transaction.atomic():
        upsert_rows(CaffeineIntake, user.pk, rows, datetime.now(UTC))
    assert isinstance(refused.value.__cause__, psycopg.errors.NumericValueOutOfRange)
    assert not CaffeineIntake.objects.filter(user=user).exists()


def test_ids_of_any_text_are_found_stored_and_merged(user):
    """The stored ids are looked up with the pushed ids as one JSON text: quotes, commas, braces
    and backslashes in an id (a health-store key, say) are ids like any other."""
    odd_ids = ['a"b', "c,d", "{e}", "f\\g", "h'i", "é𝄞", "j k"]
    rows = _rows(COPY_MIN_ROWS, servings=1.0, mg=63.0, utc_offset_min=None)
    for row, odd_id in zip(rows, odd_ids, strict=False):
        row["client_id"] = odd_id
    with transaction.atomic():
        upsert_rows(CaffeineIntake, user.pk, rows, datetime.now(UTC))
    with transaction.atomic():
        upsert_rows(CaffeineIntake, user.pk, [{**row, "servings": 3.0} for row in rows], datetime.now(UTC))
    stored = dict(CaffeineIntake.objects.filter(user=user).values_list("client_id", "servings"))
    assert len(stored) == COPY_MIN_ROWS and set(stored.values()) == {3.0}
    assert set(odd_ids) <= set(stored)


def test_a_large_push_of_new_records_asks_nothing_and_its_replay_asks_once_for_all_its_tables(auth_client):
    """New records are COPYed straight, without asking which ids the user has. Replayed, the COPY
    meets the stored ids, the attempt is rolled back whole, and the push is applied again with one
    lookup for every table it COPYs into, taken after that attempt's tick; a push of small batches
    asks nothing (its one INSERT per table merges by itself)."""
    records = _records(COPY_MIN_ROWS)
    tables = ("episodes", "stress_logs", "medications", "medication_doses")
    with captured_queries() as new:
        _push_all(auth_client, {table: records[table] for table in tables}, COPY_MIN_ROWS)
    assert not [sql for sql in new.sql if "jsonb_array_elements_text" in sql], str(new)

    with captured_queries() as replay:
        _push_all(auth_client, {table: records[table] for table in tables}, COPY_MIN_ROWS)
    lookups = [n for n, sql in enumerate(replay.sql) if "jsonb_array_elements_text" in sql]
    ticks = [n for n, sql in enumerate(replay.sql) if "last_stamp_ms" in sql]
    assert len(lookups) == 1 and len(ticks) == 2 and ticks[0] < ticks[1] < lookups[0], str(replay)
    assert all(TABLES[table].model._meta.db_table in replay.sql[lookups[0]] for table in tables)

    with captured_queries() as small:
        _push_all(auth_client, {table: records[table][:5] for table in tables}, 5)
    assert not [sql for sql in small.sql if "jsonb_array_elements_text" in sql], str(small)


def test_a_push_of_new_and_stored_records_stores_each_as_a_push_that_asked_first(
    user, make_user, client_for, django_capture_on_commit_callbacks
):
    """Half the records stored before, half new, in every table: the first attempt (COPY as if all
    were new) breaks the unique constraint and is rolled back whole, references and check-ins
    included; the second stores exactly what an account pushed the same records in small batches
    (no COPY, no assumption) holds, and the change is announced once."""
    first = _records(COPY_MIN_ROWS)
    half = COPY_MIN_ROWS // 2
    second = {
        table: [{**record, "notes": "again"} if table == "episodes" else record for record in rows[half:]]
        + [_odd(table, i) for i in range(COPY_MIN_ROWS, COPY_MIN_ROWS + half)]
        for table, rows in first.items()
    }
    other = make_user(email="bo@example.org")
    _push_all(client_for(user), {t: rows[: half + 10] for t, rows in first.items()}, COPY_MIN_ROWS)
    _push_all(client_for(other), {t: rows[: half + 10] for t, rows in first.items()}, 10)

    with django_capture_on_commit_callbacks() as announced, captured_queries() as queries:
        _push_all(client_for(user), second, batch=COPY_MIN_ROWS)
    ticks = [sql for sql in queries.sql if "last_stamp_ms" in sql]  # read before the next request clears them
    _push_all(client_for(other), second, batch=10)

    assert len(ticks) == 2, str(queries)  # the second attempt ticked again
    assert len(announced) == 1
    for table in TABLES:
        assert _stored(user, table) == _stored(other, table), table
    notes = dict(Episode.objects.filter(user=user).values_list("client_id", "notes"))
    assert notes["epi-30"] == "again" and notes["epi-5"] != "again" and "epi-74" in notes


def test_a_refused_write_leaves_the_surrounding_transaction_usable(user, client_for):
    """A change refused inside changes_apply (a dose moved to a medication the user does not have)
    rolls back its own savepoint: a caller's transaction around it (here the test's) goes on. A sync
    push joins its own transaction without one; refused, that transaction ends with it."""
    client = client_for(user)
    created = client.post("/api/v1/medication-doses/", payload("medication_doses", user=user, id="dose-1"))
    assert created.status_code == 201, created.json()
    refused = client.patch("/api/v1/medication-doses/dose-1/", {"medication_id": "no-such-medication"})
    assert refused.status_code in (400, 404), refused.json()
    assert not Episode.objects.filter(user=user).exists()  # the connection still answers

    dose = wire("medication_doses", "dose-2", medication_id="no-such-medication")
    assert push(client, {"medication_doses": {"created": [dose]}}).status_code in (400, 404)
    assert push(client, {"episodes": {"created": [wire("episodes", "after")]}}).status_code == 200
    assert Episode.objects.filter(user=user, client_id="after").exists()


def test_a_large_push_of_edits_asks_which_are_stored_and_applies_in_one_attempt(auth_client, user):
    """Records sent as "updated" are edits of records the app synced before: their table is looked
    up first rather than taken for new, so the push is not tried, refused and tried again."""
    records = _records(COPY_MIN_ROWS)["episodes"]
    _push_all(auth_client, {"episodes": records}, COPY_MIN_ROWS)
    edited = [{**record, "notes": "edited"} for record in records]
    with captured_queries() as queries:
        response = push(auth_client, {"episodes": {"created": [], "updated": edited, "deleted": []}})
    ticks = [sql for sql in queries.sql if "last_stamp_ms" in sql]
    lookups = [sql for sql in queries.sql if "jsonb_array_elements_text" in sql]
    assert response.status_code == 200, response.json()
    assert (len(ticks), len(lookups)) == (1, 1), str(queries)
    assert set(Episode.objects.filter(user=user).values_list("notes", flat=True)) == {"edited"}
