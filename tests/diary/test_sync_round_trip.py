"""Sync values round-trip exactly, type for type, for every column of every table.

What one device pushes is what another device pulls: a nullable column keeps null, an empty
string stays empty, whole numbers stay whole and fractional ones fractional, lists keep their
order and times their milliseconds. Only the columns the server fills differ: a derived one
sent empty (caffeine mg from the drink, a medicine's class from the catalogue) and a tremor
recording's analysis.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from diary.catalogues import drinks, medicines
from diary.exports.account_json import account_export_chunks
from diary.exports.csv_zip import csv_zip
from diary.exports.fhir import fhir_bundle_json
from diary.tables import TABLES
from insights.reports.pdf import render_report_pdf
from insights.reports.presenters import report_content
from tests.builders import now_ms, wire
from tests.diary.sync_records import every_column_records, expected_on_pull
from tests.diary.wire import pull, push

pytestmark = pytest.mark.django_db


def _by_id(pulled: dict, table: str) -> dict[str, dict]:
    return {r["id"]: r for r in pulled["changes"][table]["created"]}


def test_every_column_of_every_table_comes_back_as_pushed_value_for_value_and_type_for_type(user, client_for):
    records = every_column_records(now_ms())
    body = {name: {"created": rows, "updated": [], "deleted": []} for name, rows in records.items()}
    response = push(client_for(user, "phone"), body)
    assert response.status_code == 200, response.json()

    pulled = pull(client_for(user, "tablet"))

    compared = 0
    for table, rows in records.items():
        got = _by_id(pulled, table)
        for pushed in rows:
            for column, value in expected_on_pull(table, pushed).items():
                answer = got[pushed["id"]][column]
                assert (answer, type(answer)) == (value, type(value)), f"{table}.{column} of {pushed['id']}"
                compared += 1
    writable = sum(len(spec.writable_columns) + 1 for spec in TABLES.values() if not spec.read_only)
    # Every column of both records of every table, less the one caffeine mg the server filled
    # from the drink (a medication's drug class is read-only now, so not among the writable).
    assert compared == 2 * writable - 1


def test_a_nullable_column_pushed_as_null_and_as_an_empty_string_keeps_each(auth_client):
    body = {
        "episodes": {"created": [wire("episodes", "null-note", notes=None), wire("episodes", "empty-note", notes="")]}
    }
    assert push(auth_client, body).status_code == 200

    got = _by_id(pull(auth_client), "episodes")

    assert got["null-note"]["notes"] is None
    assert got["empty-note"]["notes"] == ""


def test_a_non_nullable_optional_column_sent_as_null_reads_as_its_default(auth_client):
    # The app's schema declares these columns non-optional, so WatermelonDB never holds null in
    # them; a null from elsewhere is sanitised the way WatermelonDB itself would.
    body = {"episodes": {"created": [wire("episodes", "e1", context=None, symptoms=None)]}}
    assert push(auth_client, body).status_code == 200

    record = _by_id(pull(auth_client), "episodes")["e1"]

    assert (record["context"], record["symptoms"]) == ("", "[]")


def test_the_columns_the_server_fills_come_back_filled_when_sent_empty(user, client_for):
    records = every_column_records(now_ms())
    push(client_for(user), {name: {"created": rows} for name, rows in records.items()})

    pulled = pull(client_for(user, "tablet"))

    assert _by_id(pulled, "caffeine_intakes")["rt-caffeine_intakes-empty"]["mg"] == drinks.caffeine_mg("espresso", 1.5)
    assert _by_id(pulled, "medications")["rt-medications-empty"]["drug_class"] == medicines.drug_class_of("sertraline")


def test_every_column_is_pushed_with_a_value_and_every_nullable_one_also_as_null_every_optional_string_as_empty():
    # Guards the records the round-trip test relies on: no column escapes any of the cases.
    for table, rows in every_column_records(now_ms()).items():
        for column in TABLES[table].writable_columns:
            values = [row[column.name] for row in rows]
            assert any(v not in (None, "") for v in values), f"{table}.{column.name}"
            if column.nullable:
                assert None in values, f"{table}.{column.name}"
            elif column.kind == "str" and not column.required:
                assert "" in values, f"{table}.{column.name}"


def test_a_note_synced_as_null_leaves_the_report_and_the_exports_working(user, auth_client):
    # Episode notes became nullable for the round trip; every reader of them must take a null.
    body = {
        "episodes": {
            "created": [wire("episodes", "no-note", notes=None), wire("episodes", "a-note", notes="after coffee")]
        }
    }
    assert push(auth_client, body).status_code == 200
    today = timezone.localdate()

    content = report_content(user=user, start=today - timedelta(days=7), end=today)

    assert {row.notes for row in content.episodes} == {"", "after coffee"}
    assert render_report_pdf(content).startswith(b"%PDF")
    assert csv_zip(user=user).startswith(b"PK")
    assert json.loads(fhir_bundle_json(user=user))["resourceType"] == "Bundle"
    exported = json.loads("".join(account_export_chunks(user=user, now=timezone.now())))
    assert {e["id"]: e["notes"] for e in exported["tables"]["episodes"]} == {"no-note": None, "a-note": "after coffee"}
