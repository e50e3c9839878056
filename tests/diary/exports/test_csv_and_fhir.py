"""The CSV zip and the FHIR R4B Bundle: every live row, nothing of anyone else, valid FHIR."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from diary.exports.csv_zip import COLUMN_DOCS, header
from diary.tables import TABLES
from tests.insights.reports.diary_rows import write_known_diary


def read_zip(body: bytes) -> dict[str, list[dict[str, str]]]:
    archive = zipfile.ZipFile(io.BytesIO(body))
    return {
        name[:-4]: list(csv.DictReader(io.StringIO(archive.read(name).decode())))
        for name in archive.namelist()
        if name.endswith(".csv")
    }


@pytest.mark.django_db
def test_the_csv_zip_has_every_live_row_of_every_table_and_nothing_of_another_user(auth_client, user, make_user):
    write_known_diary(user, days=12)
    write_known_diary(make_user(email="other@example.org", timezone="Asia/Tokyo"), days=5)
    TABLES["stress_logs"].model.objects.filter(user=user, client_id="st-0").update(deleted_at=timezone.now())

    response = auth_client.get("/api/v1/exports/csv/")

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    tables = read_zip(response.content)
    assert set(tables) == set(TABLES)
    for name, spec in TABLES.items():
        live = spec.model.objects.live().filter(user=user)
        assert sorted(row["id"] for row in tables[name]) == sorted(live.values_list("client_id", flat=True)), name
    assert "st-0" not in {row["id"] for row in tables["stress_logs"]}
    first = next(row for row in tables["episodes"] if row["id"] == "ep-0-0")
    assert first["body_sites"] == "left_index;left_middle"
    assert first["notes"] == "after coffee"
    assert first["started_at"].endswith("Z")
    assert {row["medication_id"] for row in tables["medication_doses"]} == {"med-salb"}


@pytest.mark.django_db
def test_every_csv_column_is_documented_in_the_readme(auth_client):
    archive = zipfile.ZipFile(io.BytesIO(auth_client.get("/api/v1/exports/csv/").content))
    readme = archive.read("README.txt").decode()

    for name, spec in TABLES.items():
        assert set(COLUMN_DOCS[name]) == {column.name for column in spec.columns}, name
        file_header = archive.read(f"{name}.csv").decode().splitlines()[0].split(",")
        assert file_header == header(spec)
        for column in spec.column_names:
            assert f"  {column}: {COLUMN_DOCS[name][column]}" in readme


@pytest.mark.django_db
def test_the_fhir_bundle_validates_and_round_trips(auth_client, user):
    write_known_diary(user, days=12)

    response = auth_client.get("/api/v1/exports/fhir/")

    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    bundle = Bundle.model_validate_json(response.content)
    again = Bundle.model_validate_json(bundle.model_dump_json(exclude_none=True))
    assert json.loads(again.model_dump_json(exclude_none=True)) == json.loads(response.content)
    assert bundle.type == "collection"

    resources = [entry.resource for entry in bundle.entry]
    kinds = [r.get_resource_type() for r in resources]
    live = {name: spec.model.objects.live().filter(user=user).count() for name, spec in TABLES.items()}
    assert kinds.count("Patient") == 1
    assert kinds.count("MedicationStatement") == live["medications"]
    observations = [r for r in resources if r.get_resource_type() == "Observation"]
    observed = ("episodes", "caffeine_intakes", "sleep_logs", "stress_logs", "exercise_sessions", "lab_results")
    assert len(observations) == sum(live[table] for table in observed)

    patient = resources[kinds.index("Patient")]
    assert patient.name[0].text == "Ann"
    assert all(o.subject.reference == bundle.entry[0].fullUrl for o in observations)
    sleep = [o for o in observations if o.code.coding and o.code.coding[0].code == "93832-4"]
    assert len(sleep) == live["sleep_logs"]
    assert sleep[0].code.coding[0].system == "http://loinc.org"
    assert float(sleep[0].valueQuantity.value) == 7.5 and sleep[0].valueQuantity.unit == "h"
    episodes = [o for o in observations if o.code.coding and o.code.coding[0].code == "75325-1"]
    assert len(episodes) == live["episodes"]
    assert {o.component[0].valueCodeableConcept.text[:7] for o in episodes} == {"4 of 10"}
    assert episodes[0].bodySite.text == "left index finger, left middle finger"
    statements = {
        r.medicationCodeableConcept.text: r for r in resources if r.get_resource_type() == "MedicationStatement"
    }
    assert set(statements) == {"Salbutamol inhaler", "Sertraline"}
    assert statements["Sertraline"].status == "active"


@pytest.mark.django_db
def test_exporting_twice_gives_the_same_resource_ids(auth_client, user):
    write_known_diary(user, days=3)

    def ids() -> list[str]:
        return [entry["fullUrl"] for entry in auth_client.get("/api/v1/exports/fhir/").json()["entry"]]

    assert ids() == ids()


@pytest.mark.django_db
def test_an_empty_diary_exports_a_patient_alone_and_empty_csv_files(auth_client):
    bundle = Bundle.model_validate_json(auth_client.get("/api/v1/exports/fhir/").content)
    tables = read_zip(auth_client.get("/api/v1/exports/csv/").content)

    assert [entry.resource.get_resource_type() for entry in bundle.entry] == ["Patient"]
    assert all(rows == [] for rows in tables.values())
