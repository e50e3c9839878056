"""The FHIR export: the whole diary as an R4B Bundle of type "collection".

A Patient, an Observation per episode and per caffeine, sleep and stress entry, and a
MedicationStatement per medication, each built as a ``fhir.resources.R4B`` model, so an
invalid resource fails here rather than in the receiving system. Codes are used only where
we are sure of them: LOINC 93832-4 "Sleep duration" for sleep. Twitching episodes, caffeine
and stress ratings are coded by text, since we found no code we could cite with confidence
for a patient-logged twitch episode or a 0-10 stress self-rating.

Resource ids are UUIDs derived from (user, table, record id), so exporting twice gives the
same ids and a receiver can recognise a record it already holds.

Resources are built from JSON-shaped dicts (ISO strings, nested dicts) passed as ``**values``:
the models validate and parse them, while their type hints name only the parsed types.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient

from accounts.models import User
from diary import models as diary_models
from diary.catalogues.body_sites import BODY_SITES
from diary.catalogues.drinks import DRINKS
from diary.catalogues.episode_terms import CHARACTERS, CONTEXTS, SYMPTOMS
from diary.catalogues.medicines import DRUG_CLASSES
from diary.exports.rows import live_rows, local_date

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# A fixed namespace for this service's resource ids (uuid5 of the user, table and record id).
ID_NAMESPACE = uuid.UUID("6f0c2a52-8f7e-4d0e-9a7c-3b1f2d5e4a10")


def _resource_id(user: User, table: str, client_id: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"{user.pk}:{table}:{client_id}"))


def _instant(value: datetime) -> str:
    return value.isoformat()


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _category(code: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": OBSERVATION_CATEGORY, "code": code}]}]


def _live(model: type[diary_models.DiaryRecord], user: User, *fields: str) -> Iterator[tuple[Any, ...]]:
    return live_rows(model, user, ("client_id", *fields))


def patient_resource(user: User, patient_id: str) -> Patient:
    values: dict[str, Any] = {"id": patient_id}
    if user.display_name:
        values["name"] = [{"text": user.display_name}]
    if user.birth_year:
        values["birthDate"] = str(user.birth_year)  # FHIR dates may be a year alone
    return Patient(**values)


def _episodes(user: User, subject: dict[str, str]) -> Iterator[Observation]:
    for cid, started, duration, sites, character, intensity, context, symptoms, notes in _live(
        diary_models.Episode,
        user,
        "started_at",
        "duration_s",
        "body_sites",
        "character",
        "intensity",
        "context",
        "symptoms",
        "notes",
    ):
        components = [
            {"code": {"text": "Episode duration"}, "valueQuantity": _quantity(duration, "s")},
            {"code": {"text": "Character"}, "valueString": CHARACTERS.get(character, character)},
        ]
        if context:
            components.append({"code": {"text": "Context"}, "valueString": CONTEXTS.get(context, context)})
        components += [{"code": {"text": "Accompanying symptom"}, "valueString": SYMPTOMS.get(s, s)} for s in symptoms]
        note = [{"text": "Value: self-rated intensity, 1 (barely noticeable) to 10 (worst)."}]
        if notes:
            note.append({"text": notes})
        values: dict[str, Any] = {
            "id": _resource_id(user, "episodes", cid),
            "status": "final",
            "category": _category("survey"),
            "code": {"text": "Finger twitching episode"},
            "subject": subject,
            "effectivePeriod": {"start": _instant(started), "end": _instant(started + timedelta(seconds=duration))},
            "valueInteger": intensity,
            "component": components,
            "note": note,
        }
        if sites:
            values["bodySite"] = {"text": ", ".join(BODY_SITES[s].label if s in BODY_SITES else s for s in sites)}
        yield Observation(**values)


def _caffeine(user: User, subject: dict[str, str]) -> Iterator[Observation]:
    for cid, consumed, drink, servings, mg in _live(
        diary_models.CaffeineIntake, user, "consumed_at", "drink", "servings", "mg"
    ):
        label = DRINKS[drink].label if drink in DRINKS else (drink or "unspecified drink")
        values: dict[str, Any] = {
            "id": _resource_id(user, "caffeine_intakes", cid),
            "status": "final",
            "category": _category("social-history"),
            "code": {"text": "Caffeine intake"},
            "subject": subject,
            "effectiveDateTime": _instant(consumed),
            "valueQuantity": _quantity(mg, "mg"),
            "note": [{"text": f"{servings:g} x {label}"}],
        }
        yield Observation(**values)


def _sleep(user: User, subject: dict[str, str]) -> Iterator[Observation]:
    for cid, bed, woke, quality in _live(diary_models.SleepLog, user, "bed_at", "woke_at", "quality"):
        values: dict[str, Any] = {
            "id": _resource_id(user, "sleep_logs", cid),
            "status": "final",
            "category": _category("activity"),
            "code": {
                "coding": [{"system": LOINC, "code": "93832-4", "display": "Sleep duration"}],
                "text": "Sleep duration",
            },
            "subject": subject,
            "effectivePeriod": {"start": _instant(bed), "end": _instant(woke)},
            "valueQuantity": _quantity(round((woke - bed).total_seconds() / 3600, 2), "h"),
        }
        if quality is not None:
            values["component"] = [
                {"code": {"text": "Sleep quality, self-rated 1 (poor) to 5 (excellent)"}, "valueInteger": quality}
            ]
        yield Observation(**values)


def _stress(user: User, subject: dict[str, str]) -> Iterator[Observation]:
    for cid, recorded, level in _live(diary_models.StressLog, user, "recorded_at", "level"):
        values: dict[str, Any] = {
            "id": _resource_id(user, "stress_logs", cid),
            "status": "final",
            "category": _category("survey"),
            "code": {"text": "Stress level, self-rated 0 (none) to 10 (worst)"},
            "subject": subject,
            "effectiveDateTime": _instant(recorded),
            "valueInteger": level,
        }
        yield Observation(**values)


def _medications(user: User, subject: dict[str, str]) -> Iterator[MedicationStatement]:
    today = local_date(user, timezone.now())
    for cid, name, drug_class, dose, started, stopped, as_needed in _live(
        diary_models.Medication, user, "name", "drug_class", "dose", "started_on", "stopped_on", "as_needed"
    ):
        period = {key: day.isoformat() for key, day in (("start", started), ("end", stopped)) if day}
        dosage: dict[str, Any] = {"asNeededBoolean": as_needed}
        if dose:
            dosage["text"] = dose
        values: dict[str, Any] = {
            "id": _resource_id(user, "medications", cid),
            "status": "completed" if stopped and stopped <= today else "active",
            "medicationCodeableConcept": {"text": name},
            "subject": subject,
            "dateAsserted": _instant(timezone.now()),
            "dosage": [dosage],
            "note": [{"text": f"Drug class: {DRUG_CLASSES.get(drug_class, DRUG_CLASSES['other']).label}"}],
        }
        if period:
            values["effectivePeriod"] = period
        yield MedicationStatement(**values)


def fhir_bundle(*, user: User, now: datetime | None = None) -> Bundle:
    """The user's diary as a validated FHIR R4B collection Bundle."""
    patient_id = _resource_id(user, "patient", "patient")
    subject = {"reference": f"urn:uuid:{patient_id}"}
    entries = [BundleEntry(fullUrl=f"urn:uuid:{patient_id}", resource=patient_resource(user, patient_id))]
    for builder in (_episodes, _caffeine, _sleep, _stress, _medications):
        for resource in builder(user, subject):
            entries.append(BundleEntry(fullUrl=f"urn:uuid:{resource.id}", resource=resource))
    values: dict[str, Any] = {"type": "collection", "timestamp": _instant(now or timezone.now()), "entry": entries}
    return Bundle(**values)


def fhir_bundle_json(*, user: User, now: datetime | None = None) -> str:
    return fhir_bundle(user=user, now=now).model_dump_json(exclude_none=True)
