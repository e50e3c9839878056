"""The FHIR export: the whole diary as an R4B Bundle of type "collection", on the standards.

- Episodes are the HL7 Symptoms IG's SymptomObservation: LOINC 75325-1 "Symptom", category
  symptom, the person's own words in valueCodeableConcept.text, performer the Patient,
  effectivePeriod, bodySite with its laterality, severity as the LOINC 64750-3 component, the
  activity at onset as the IG's "other events" component, and none of the elements the profile
  forbids (device, interpretation, referenceRange, dataAbsentReason, specimen).
- Labs by LOINC (the code chosen by what the unit measures) with UCUM units and reference ranges;
  sleep LOINC 93832-4 (hours asleep); exercise LOINC 55411-3 (category activity); caffeine the
  PHR IG's dietaryCaffeine in mg; stress a survey answer; medicines MedicationStatements with
  RxNorm where verified; each phone tremor test its own Observation (category exam) with its
  frequency and rhythm as components.

Codes come from diary.exports.fhir_codes, the one table of codes, and only when verified there;
otherwise a concept is sent as text. Each resource is built as a ``fhir.resources.R4B`` model,
so an invalid one fails here rather than in the receiving system. Records imported from Apple
Health or Health Connect say so in a note (the source app, whether a person entered them).

Resource ids are UUIDs derived from (user, table, record id), so exporting twice gives the
same ids and a receiver can recognise a record it already holds. Resources are built from
JSON-shaped dicts (ISO strings, nested dicts) passed as ``**values``: the models validate them.
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
from accounts.timezones import local_today
from diary import models as diary_models
from diary.catalogues.body_sites import BODY_SITES
from diary.catalogues.drinks import DRINKS
from diary.catalogues.episode_terms import CHARACTERS, CONTEXTS, LAB_ANALYTES, SYMPTOMS
from diary.catalogues.medicines import DRUG_CLASSES
from diary.exports.fhir_codes import (
    STRUCTURE_LATERALITY,
    SYMPTOM_OBSERVATION_PROFILE,
    UCUM,
    category,
    coding,
    concept,
    lab_key,
    ucum_quantity,
)
from diary.exports.rows import live_rows

# A fixed namespace for this service's resource ids (uuid5 of the user, table and record id).
ID_NAMESPACE = uuid.UUID("6f0c2a52-8f7e-4d0e-9a7c-3b1f2d5e4a10")
PLATFORM_NAMES = {"healthkit": "Apple Health", "health_connect": "Health Connect"}
IMPORT_FIELDS = ("import_platform", "import_source", "import_user_entered")


def _resource_id(user: User, table: str, client_id: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"{user.pk}:{table}:{client_id}"))


def _instant(value: datetime) -> str:
    return value.isoformat()


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _live(model: type[diary_models.DiaryRecord], user: User, *fields: str) -> Iterator[tuple[Any, ...]]:
    return live_rows(model, user, ("client_id", *fields))


def _imported_note(platform: str, source: str, user_entered: bool | None) -> list[dict[str, str]]:
    """A note naming where an imported record came from; nothing for one logged in the diary."""
    if not platform:
        return []
    how = "" if user_entered is None else "entered by the person" if user_entered else "recorded by a device"
    return [{"text": f"Imported from {PLATFORM_NAMES.get(platform, platform)} ({source}){', ' + how if how else ''}."}]


def patient_resource(user: User, patient_id: str) -> Patient:
    values: dict[str, Any] = {"id": patient_id}
    if user.display_name:
        values["name"] = [{"text": user.display_name}]
    if user.birth_year:
        values["birthDate"] = str(user.birth_year)  # FHIR dates may be a year alone
    return Patient(**values)


def body_site(codes: list[str]) -> dict[str, Any]:
    """The sites in words, with their side as the Extensions Pack's structure laterality."""
    sites = [BODY_SITES.get(code) for code in codes]
    site: dict[str, Any] = {"text": ", ".join(s.label if s else code for s, code in zip(sites, codes, strict=True))}
    sides = {s.side for s in sites if s is not None and s.side}
    key = {frozenset({"left"}): "left", frozenset({"right"}): "right"}.get(frozenset(sides), "both" if sides else "")
    if key:
        laterality = concept(f"laterality.{key}", {"left": "left", "right": "right", "both": "both sides"}[key])
        site["extension"] = [{"url": STRUCTURE_LATERALITY, "valueCodeableConcept": laterality}]
    return site


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
        components: list[dict[str, Any]] = [
            {
                "code": concept("severity", "Severity of symptoms"),
                "valueCodeableConcept": {
                    "text": f"{intensity} of 10 (self-rated: 1 barely noticeable, 10 the worst)",
                },
            },
            {"code": {"text": "Episode duration"}, "valueQuantity": _quantity(duration, "s")},
        ]
        if context:
            components.append(
                {
                    "code": concept("other_events", "Doing at onset"),
                    "valueCodeableConcept": {"text": CONTEXTS.get(context, context)},
                }
            )
        components += [
            {"code": {"text": "Accompanying symptom"}, "valueCodeableConcept": {"text": SYMPTOMS.get(s, s)}}
            for s in symptoms
        ]
        values: dict[str, Any] = {
            "id": _resource_id(user, "episodes", cid),
            "meta": {"profile": [SYMPTOM_OBSERVATION_PROFILE]},
            "status": "final",
            "category": [{"coding": coding("symptom_category"), "text": "Symptom"}],
            "code": concept("symptom", "Symptom"),
            "subject": subject,
            "performer": [subject],
            "effectivePeriod": {"start": _instant(started), "end": _instant(started + timedelta(seconds=duration))},
            # The person's own words: the kind of movement they chose, in the diary's words.
            "valueCodeableConcept": {"text": CHARACTERS.get(character, character)},
            "component": components,
        }
        if notes:
            values["note"] = [{"text": notes}]
        if sites:
            values["bodySite"] = body_site(list(sites))
        yield Observation(**values)


def _caffeine(user: User, subject: dict[str, str]) -> Iterator[Observation]:
    for cid, consumed, drink, servings, mg, *imported in _live(
        diary_models.CaffeineIntake, user, "consumed_at", "drink", "servings", "mg", *IMPORT_FIELDS
    ):
        label = DRINKS[drink].label if drink in DRINKS else (drink or "")
        notes = [{"text": f"{servings:g} x {label}"}] if label else []
        values: dict[str, Any] = {
            "id": _resource_id(user, "caffeine_intakes", cid),
            "status": "final",
            "category": category("social-history"),
            "code": concept("caffeine", "Caffeine intake"),
            "subject": subject,
            "effectiveDateTime": _instant(consumed),
            "valueQuantity": _quantity(mg, "mg"),
        }
        if notes + _imported_note(*imported):
            values["note"] = notes + _imported_note(*imported)
        yield Observation(**values)


def _sleep(user: User, subject: dict[str, str]) -> Iterator[Observation]:
    for cid, bed, woke, quality, asleep_min, *imported in _live(
        diary_models.SleepLog, user, "bed_at", "woke_at", "quality", "asleep_min", *IMPORT_FIELDS
    ):
        hours = asleep_min / 60 if asleep_min is not None else (woke - bed).total_seconds() / 3600
        values: dict[str, Any] = {
            "id": _resource_id(user, "sleep_logs", cid),
            "status": "final",
            "category": category("activity"),
            "code": concept("sleep_duration", "Sleep duration"),
            "subject": subject,
            "effectivePeriod": {"start": _instant(bed), "end": _instant(woke)},
            "valueQuantity": _quantity(round(hours, 2), "h"),
        }
        if quality is not None:
            values["component"] = [
                {"code": {"text": "Sleep quality, self-rated 1 (poor) to 5 (excellent)"}, "valueInteger": quality}
            ]
        if imported[0]:
            values["note"] = [*_imported_note(*imported), {"text": "Hours asleep from the asleep stages only."}]
        yield Observation(**values)


def _stress(user: User, subject: dict[str, str]) -> Iterator[Observation]:
    for cid, recorded, level in _live(diary_models.StressLog, user, "recorded_at", "level"):
        values: dict[str, Any] = {
            "id": _resource_id(user, "stress_logs", cid),
            "status": "final",
            "category": category("survey"),
            "code": {"text": "Stress level, self-rated 0 (none) to 10 (worst)"},
            "subject": subject,
            "performer": [subject],
            "effectiveDateTime": _instant(recorded),
            "valueInteger": level,
        }
        yield Observation(**values)


def _exercise(user: User, subject: dict[str, str]) -> Iterator[Observation]:
    for cid, started, minutes, intensity, kind, *imported in _live(
        diary_models.ExerciseSession, user, "started_at", "duration_min", "intensity", "kind", *IMPORT_FIELDS
    ):
        components = [{"code": {"text": "Intensity"}, "valueCodeableConcept": {"text": intensity}}]
        if kind:
            components.append({"code": {"text": "Kind of exercise"}, "valueCodeableConcept": {"text": kind}})
        values: dict[str, Any] = {
            "id": _resource_id(user, "exercise_sessions", cid),
            "status": "final",
            "category": category("activity"),
            "code": concept("exercise_duration", "Exercise duration"),
            "subject": subject,
            "effectivePeriod": {"start": _instant(started), "end": _instant(started + timedelta(minutes=minutes))},
            "valueQuantity": _quantity(minutes, "min"),
            "component": components,
        }
        if imported[0]:
            values["note"] = _imported_note(*imported)
        yield Observation(**values)


def _labs(user: User, subject: dict[str, str]) -> Iterator[Observation]:
    for cid, taken, analyte, value, unit, low, high in _live(
        diary_models.LabResult, user, "taken_on", "analyte", "value", "unit", "reference_low", "reference_high"
    ):
        values: dict[str, Any] = {
            "id": _resource_id(user, "lab_results", cid),
            "status": "final",
            "category": category("laboratory"),
            "code": concept(lab_key(analyte, unit), LAB_ANALYTES.get(analyte, analyte)),
            "subject": subject,
            "effectiveDateTime": taken.isoformat(),
            "valueQuantity": ucum_quantity(value, unit),
        }
        limits = {key: ucum_quantity(v, unit) for key, v in (("low", low), ("high", high)) if v is not None}
        if limits:
            values["referenceRange"] = [{**limits, "text": "The laboratory's reference range"}]
        yield Observation(**values)


def _tremors(user: User, subject: dict[str, str]) -> Iterator[Observation]:
    rows = _live(
        diary_models.TremorRecording,
        user,
        "recorded_at",
        "hand",
        "posture",
        "dominant_hz",
        "rhythmic",
        "rhythmicity",
        "amplitude",
        "description",
        "analysed_at",
    )
    for cid, recorded, hand, posture, hz, rhythmic, rhythmicity, amplitude, description, analysed in rows:
        if analysed is None:
            continue  # not analysed yet: nothing a clinician could read
        components: list[dict[str, Any]] = []
        if hz is not None:
            components.append(
                {"code": {"text": "Dominant tremor frequency"}, "valueQuantity": _quantity(round(hz, 2), "Hz")}
            )
        rhythm = "not determined" if rhythmic is None else "rhythmic" if rhythmic else "not rhythmic"
        detail = f" (rhythmicity {rhythmicity:.2f} on a 0-1 scale)" if rhythmicity is not None else ""
        components.append({"code": {"text": "Tremor rhythm"}, "valueCodeableConcept": {"text": rhythm + detail}})
        if amplitude is not None:
            components.append(
                {
                    "code": {"text": "Tremor amplitude (acceleration)"},
                    "valueQuantity": _quantity(round(amplitude, 4), "m/s2"),
                }
            )
        values: dict[str, Any] = {
            "id": _resource_id(user, "tremor_recordings", cid),
            "status": "final",
            "category": category("exam"),
            "code": {"text": f"Phone accelerometer tremor test, {hand} hand, {posture} posture"},
            "subject": subject,
            "performer": [subject],
            "effectiveDateTime": _instant(recorded),
            "bodySite": body_site([f"{hand}_hand"]) if f"{hand}_hand" in BODY_SITES else {"text": f"{hand} hand"},
            "component": components,
            "device": {"display": "The person's phone (accelerometer)"},
        }
        if description:
            values["note"] = [{"text": description}]
        yield Observation(**values)


def _medications(user: User, subject: dict[str, str]) -> Iterator[MedicationStatement]:
    today = local_today(user)
    for cid, name, drug_class, matched, dose, started, stopped, as_needed in _live(
        diary_models.Medication,
        user,
        "name",
        "drug_class",
        "matched_key",
        "dose",
        "started_on",
        "stopped_on",
        "as_needed",
    ):
        period = {key: day.isoformat() for key, day in (("start", started), ("end", stopped)) if day}
        dosage: dict[str, Any] = {"asNeededBoolean": as_needed}
        if dose:
            dosage["text"] = dose
        values: dict[str, Any] = {
            "id": _resource_id(user, "medications", cid),
            "status": "completed" if stopped and stopped <= today else "active",
            "medicationCodeableConcept": concept(f"medicine.{matched}", name),
            "subject": subject,
            "dateAsserted": _instant(timezone.now()),
            "dosage": [dosage],
            "note": [{"text": f"Drug class: {DRUG_CLASSES.get(drug_class, DRUG_CLASSES['other']).label}"}],
        }
        if period:
            values["effectivePeriod"] = period
        yield MedicationStatement(**values)


BUILDERS = (_episodes, _caffeine, _sleep, _stress, _exercise, _labs, _tremors, _medications)


def fhir_bundle(*, user: User, now: datetime | None = None) -> Bundle:
    """The user's diary as a validated FHIR R4B collection Bundle."""
    patient_id = _resource_id(user, "patient", "patient")
    subject = {"reference": f"urn:uuid:{patient_id}"}
    entries = [BundleEntry(fullUrl=f"urn:uuid:{patient_id}", resource=patient_resource(user, patient_id))]
    for builder in BUILDERS:
        for resource in builder(user, subject):
            entries.append(BundleEntry(fullUrl=f"urn:uuid:{resource.id}", resource=resource))
    values: dict[str, Any] = {"type": "collection", "timestamp": _instant(now or timezone.now()), "entry": entries}
    return Bundle(**values)


def fhir_bundle_json(*, user: User, now: datetime | None = None) -> str:
    return fhir_bundle(user=user, now=now).model_dump_json(exclude_none=True)
