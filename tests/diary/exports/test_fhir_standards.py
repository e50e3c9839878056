"""The FHIR export on the standards: every resource parses as R4B, episodes meet the HL7 Symptoms
IG's SymptomObservation rules we can check ourselves, and no unverified code is ever sent."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from fhir.resources.R4B.bundle import Bundle

from diary.demo import demo_user_seed
from diary.exports.fhir_codes import (
    CODES,
    OBSERVATION_CATEGORY,
    STRUCTURE_LATERALITY,
    SYMPTOM_OBSERVATION_PROFILE,
    SYMPTOMS_TEMPORARY,
    UCUM,
)
from diary.models import TremorRecording
from tests.builders import write
from tests.conftest import authenticated_client
from tests.diary.tremor_samples import axes

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
LOINC = "http://loinc.org"
# Elements the SymptomObservation profile sets to 0..0, on the resource and on each component.
FORBIDDEN = ("device", "interpretation", "referenceRange", "dataAbsentReason", "specimen")
FORBIDDEN_IN_COMPONENT = ("dataAbsentReason", "interpretation", "referenceRange")


def codings(node: Any) -> Iterator[dict[str, Any]]:
    """Every Coding anywhere in a JSON resource."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "coding":
                yield from value
            else:
                yield from codings(value)
    elif isinstance(node, list):
        for item in node:
            yield from codings(item)


def symptom_observation_problems(resource: dict[str, Any], patient_ref: str) -> list[str]:
    """The profile rules of hl7.fhir.uv.symptoms SymptomObservation that we can check without a validator."""
    problems = []
    if resource.get("meta", {}).get("profile") != [SYMPTOM_OBSERVATION_PROFILE]:
        problems.append("meta.profile")
    if resource.get("status") != "final":
        problems.append("status")
    category = [c for cat in resource.get("category", []) for c in cat.get("coding", [])]
    if {"system": SYMPTOMS_TEMPORARY, "code": "symptom", "display": "Symptom"} not in category:
        problems.append("category[symptomCode]")
    if resource["code"].get("coding") != [{"system": LOINC, "code": "75325-1", "display": "Symptom"}]:
        problems.append("code fixed to LOINC 75325-1")
    if resource.get("subject", {}).get("reference") != patient_ref:
        problems.append("subject")
    if [p.get("reference") for p in resource.get("performer", [])] != [patient_ref]:
        problems.append("performer 1..1 the Patient")
    if "effectivePeriod" not in resource and "effectiveDateTime" not in resource:
        problems.append("effective[x]")
    if not resource.get("valueCodeableConcept", {}).get("text"):
        problems.append("valueCodeableConcept with the person's words")
    problems += [f"{name} must be absent" for name in FORBIDDEN if name in resource]
    for i, component in enumerate(resource.get("component", [])):
        if "code" not in component or not any(k.startswith("value") for k in component):
            problems.append(f"component[{i}] needs code and value")
        problems += [f"component[{i}].{name}" for name in FORBIDDEN_IN_COMPONENT if name in component]
    severity = [c for c in resource.get("component", []) if c["code"].get("coding", [{}])[0].get("code") == "64750-3"]
    if len(severity) != 1 or "valueCodeableConcept" not in severity[0]:
        problems.append("severity component (LOINC 64750-3) with a CodeableConcept")
    return problems


@pytest.fixture
def year_of_diary(db: Any) -> tuple[Any, dict[str, Any]]:
    """The demo diary over a year, with an analysed tremor test, labs in both kinds of unit and a
    night and a drink imported from Apple Health."""
    with time_machine.travel(NOW, tick=False):
        seed = demo_user_seed(days=365)
        user = seed.user
        write(
            user,
            "lab_results",
            [
                {
                    "id": "lab-ck",
                    "taken_on": NOW.date() - timedelta(days=30),
                    "analyte": "creatine_kinase",
                    "value": 180.0,
                    "unit": "U/L",
                    "reference_low": 40.0,
                    "reference_high": 320.0,
                },
                {
                    "id": "lab-vitd",
                    "taken_on": NOW.date() - timedelta(days=30),
                    "analyte": "vitamin_d",
                    "value": 48.0,
                    "unit": "nmol/L",
                    "reference_low": 50.0,
                    "reference_high": 200.0,
                },
                {
                    "id": "lab-mg-mass",
                    "taken_on": NOW.date() - timedelta(days=20),
                    "analyte": "magnesium",
                    "value": 1.9,
                    "unit": "mg/dL",
                    "reference_low": 1.7,
                    "reference_high": 2.2,
                },
                {
                    "id": "lab-b12",
                    "taken_on": NOW.date() - timedelta(days=20),
                    "analyte": "vitamin_b12",
                    "value": 320.0,
                    "unit": "pg/mL",
                    "reference_low": 200.0,
                    "reference_high": 900.0,
                },
            ],
        )
        write(
            user,
            "tremor_recordings",
            [
                {
                    "id": "tremor-1",
                    "recorded_at": NOW - timedelta(days=3),
                    "hand": "right",
                    "posture": "postural",
                    "sample_rate_hz": 100.0,
                    "samples": axes(9.0),
                }
            ],
        )
        TremorRecording.objects.filter(user=user).update(
            analysed_at=NOW,
            dominant_hz=9.1,
            rhythmic=True,
            rhythmicity=0.82,
            amplitude=0.05,
            description="A rhythmic 9 Hz tremor.",
        )
        client = authenticated_client(user)
        client.post(
            "/api/v1/health/samples/",
            {
                "platform": "healthkit",
                "samples": [
                    {
                        "uuid": "IMP-1",
                        "type": "HKQuantityTypeIdentifierDietaryCaffeine",
                        "startDate": (NOW - timedelta(days=2, hours=5)).isoformat(),
                        "endDate": (NOW - timedelta(days=2, hours=5)).isoformat(),
                        "sourceRevision": {"source": {"bundleIdentifier": "com.example.nutrition"}},
                        "quantity": {"value": 95, "unit": "mg"},
                        "metadata": {"HKWasUserEntered": True},
                    }
                ],
            },
            format="json",
        )
        response = client.get("/api/v1/exports/fhir/")
    assert response.status_code == 200
    return user, json.loads(response.content)


@pytest.mark.slow
def test_every_resource_parses_as_r4b_and_episodes_meet_the_symptom_observation_profile(year_of_diary):
    user, body = year_of_diary

    bundle = Bundle.model_validate(body)
    patient_ref = body["entry"][0]["fullUrl"]
    resources = [entry["resource"] for entry in body["entry"]]
    episodes = [r for r in resources if r.get("meta", {}).get("profile") == [SYMPTOM_OBSERVATION_PROFILE]]

    assert len(bundle.entry) == len(resources)
    assert len(episodes) == user_count(user, "episodes") > 300
    assert {p for r in episodes for p in symptom_observation_problems(r, patient_ref)} == set()
    sided = [r for r in episodes if "extension" in r.get("bodySite", {})]
    assert sided and all(r["bodySite"]["extension"][0]["url"] == STRUCTURE_LATERALITY for r in sided)
    assert {r["bodySite"]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] for r in sided} <= {
        "7771000",
        "24028007",
        "51440002",
    }


@pytest.mark.slow
def test_no_unverified_code_is_ever_sent(year_of_diary):
    _, body = year_of_diary
    verified = {(c.system, c.code) for c in CODES.values() if c.verified}
    unverified = {(c.system, c.code) for c in CODES.values() if not c.verified}

    sent = {(c["system"], c["code"]) for c in codings(body)}

    assert (
        sent - verified
        == {(OBSERVATION_CATEGORY, code) for code in ("social-history", "activity", "survey", "exam", "laboratory")}
        & sent
    )
    assert not sent & unverified
    assert ("http://loinc.org", "1989-3") not in sent and ("http://loinc.org", "62292-8") not in sent


def user_count(user: Any, table: str) -> int:
    from diary.tables import TABLES

    return TABLES[table].model.objects.live().filter(user=user).count()


def by_code(resources: list[dict[str, Any]], code: str) -> list[dict[str, Any]]:
    return [r for r in resources if any(c.get("code") == code for c in r.get("code", {}).get("coding", []))]


@pytest.mark.slow
def test_a_years_diary_exports_every_field_a_clinician_reads(year_of_diary):
    user, body = year_of_diary
    resources = [entry["resource"] for entry in body["entry"]]
    kinds = Counter(r["resourceType"] for r in resources)

    sleep = by_code(resources, "93832-4")
    exercise = by_code(resources, "55411-3")
    caffeine = by_code(resources, "dietaryCaffeine")
    stress = [r for r in resources if r.get("code", {}).get("text", "").startswith("Stress level")]
    labs = [r for r in resources if r.get("category", [{}])[0].get("coding", [{}])[0].get("code") == "laboratory"]
    tremors = [r for r in resources if r.get("category", [{}])[0].get("coding", [{}])[0].get("code") == "exam"]
    statements = {
        r["medicationCodeableConcept"]["text"]: r for r in resources if r["resourceType"] == "MedicationStatement"
    }

    assert kinds["Patient"] == 1
    assert len(sleep) == user_count(user, "sleep_logs") > 300
    assert all(s["valueQuantity"]["unit"] == "h" and s["valueQuantity"]["system"] == UCUM for s in sleep)
    assert len(exercise) == user_count(user, "exercise_sessions")
    assert all(
        e["category"][0]["coding"][0]["code"] == "activity" and e["valueQuantity"]["code"] == "min" for e in exercise
    )
    assert len(caffeine) == user_count(user, "caffeine_intakes")
    assert all(c["valueQuantity"]["code"] == "mg" for c in caffeine)
    imported = [c for c in caffeine if "Imported from Apple Health" in json.dumps(c.get("note", []))]
    assert len(imported) == 1 and "entered by the person" in imported[0]["note"][0]["text"]
    assert len(stress) == user_count(user, "stress_logs")
    assert all(s["category"][0]["coding"][0]["code"] == "survey" and "valueInteger" in s for s in stress)

    lab_codes = {
        (lab["code"]["text"], lab["valueQuantity"]["unit"]): lab["code"].get("coding", [{}])[0].get("code")
        for lab in labs
    }
    assert lab_codes[("Magnesium", "mmol/L")] == "2601-3"
    assert lab_codes[("Magnesium", "mg/dL")] == "19123-9"
    assert lab_codes[("Potassium", "mmol/L")] == "2823-3"
    assert lab_codes[("Calcium", "mmol/L")] == "2000-8"
    assert lab_codes[("Thyroid-stimulating hormone (TSH)", "mU/L")] == "3016-3"
    assert lab_codes[("Vitamin B12", "pg/mL")] == "2132-9"
    assert lab_codes[("Creatine kinase (CK)", "U/L")] == "2157-6"
    assert lab_codes[("Vitamin D (25-hydroxy)", "nmol/L")] is None  # unverified: text only
    assert all(lab["referenceRange"][0]["low"]["unit"] == lab["valueQuantity"]["unit"] for lab in labs)
    assert {lab["valueQuantity"].get("system") for lab in labs} == {UCUM}

    assert len(tremors) == 1
    components = {c["code"]["text"]: c for c in tremors[0]["component"]}
    assert components["Dominant tremor frequency"]["valueQuantity"] == {
        "value": 9.1,
        "unit": "Hz",
        "system": UCUM,
        "code": "Hz",
    }
    assert components["Tremor rhythm"]["valueCodeableConcept"]["text"].startswith("rhythmic")
    assert tremors[0]["bodySite"]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "24028007"

    assert statements["Omeprazole"]["medicationCodeableConcept"]["coding"][0] == {
        "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
        "code": "7646",
        "display": "Omeprazole",
    }
    assert "coding" not in statements["Salbutamol inhaler"]["medicationCodeableConcept"]  # unverified
    assert statements["Salbutamol inhaler"]["effectivePeriod"]["start"]


def test_the_code_table_names_a_source_for_every_code():
    assert all(code.source and code.display for code in CODES.values())
    assert {key for key, code in CODES.items() if not code.verified} == {
        "lab.vitamin_d.mass",
        "lab.vitamin_d.moles",
        "medicine.salbutamol",
        "medicine.albuterol",
        "medicine.sertraline",
    }
