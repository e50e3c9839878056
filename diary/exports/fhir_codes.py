"""The one table of codes the FHIR export may send, each with where we checked it.

A code goes out only when ``verified`` is True: we read it, with its meaning, in the source
named beside it. Everything else travels as text alone (``concept`` drops the coding), so a
receiving system never files an entry under a code we guessed. docs/clinical.md, "FHIR export",
says what is coded and what is not; the codes themselves live here only.

Sources, in short:
- SYMPTOMS_IG: HL7 Symptoms IG (hl7.fhir.uv.symptoms, STU1), profile SymptomObservation and its
  code system SymptomTemporary (github.com/HL7/fhir-symptoms-ig, input/fsh/SymptomObservation.fsh
  and Terminology.fsh).
- PHR_IG: HL7 Personal Health Record IG, ValueSet observation-nutrition-codes (code system
  observation-pghd-codes), build.fhir.org/ig/HL7/personal-health-record-format-ig.
- LOINC_TABLE: rows of the LOINC table (code, long common name, short name) as shipped in public
  lab-mapping repositories; each code's long name was read there.
- FHIR_EXT: HL7 FHIR Extensions Pack, observation-structureLaterality (context Observation.bodySite).
- PDDI_IG: HL7 PDDI CDS IG, ValueSet valueset-omeprazole (RxNorm 7646 "Omeprazole").
- SNOMED_LATERALITY: SNOMED CT laterality qualifiers 7771000 Left, 24028007 Right, 51440002 Right
  and left, as listed in the Belgian core-clinical FHIR IG's laterality value set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
SYMPTOMS_TEMPORARY = "http://hl7.org/fhir/uv/symptoms/CodeSystem/SymptomTemporary"
PHR_PGHD = "http://hl7.org/fhir/uv/phr/CodeSystem/observation-pghd-codes"
SYMPTOM_OBSERVATION_PROFILE = "http://hl7.org/fhir/uv/symptoms/StructureDefinition/SymptomObservation"
STRUCTURE_LATERALITY = "http://hl7.org/fhir/StructureDefinition/observation-structureLaterality"

SYMPTOMS_IG = "HL7 Symptoms IG STU1, SymptomObservation.fsh / Terminology.fsh"
PHR_IG = "HL7 PHR IG, ValueSet observation-nutrition-codes"
LOINC_TABLE = "LOINC table rows (long common name read)"
PDDI_IG = "HL7 PDDI CDS IG, ValueSet valueset-omeprazole"
SNOMED_LATERALITY = "SNOMED CT laterality qualifiers (be-vs-laterality value set)"
NOT_FOUND = "not found in a source we could read: sent as text only"


@dataclass(frozen=True)
class Code:
    system: str
    code: str
    display: str
    source: str
    verified: bool


def _loinc(code: str, display: str, *, verified: bool = True, source: str = LOINC_TABLE) -> Code:
    return Code(LOINC, code, display, source, verified)


CODES: dict[str, Code] = {
    # Episodes: the Symptoms IG's fixed code, category slice, severity and other-events components.
    "symptom": _loinc("75325-1", "Symptom", source=SYMPTOMS_IG),
    "symptom_category": Code(SYMPTOMS_TEMPORARY, "symptom", "Symptom", SYMPTOMS_IG, True),
    "severity": _loinc("64750-3", "Severity of symptoms", source=SYMPTOMS_IG),
    "other_events": Code(SYMPTOMS_TEMPORARY, "OTHEREVENT", "Other Events", SYMPTOMS_IG, True),
    "laterality.left": Code(SNOMED, "7771000", "Left", SNOMED_LATERALITY, True),
    "laterality.right": Code(SNOMED, "24028007", "Right", SNOMED_LATERALITY, True),
    "laterality.both": Code(SNOMED, "51440002", "Right and left", SNOMED_LATERALITY, True),
    # Exposures.
    "sleep_duration": _loinc("93832-4", "Sleep duration"),
    "exercise_duration": _loinc("55411-3", "Exercise duration"),
    "caffeine": Code(PHR_PGHD, "dietaryCaffeine", "Caffeine", PHR_IG, True),
    # Labs, by analyte and by what the unit measures (mass, moles, units) per volume.
    "lab.potassium.moles": _loinc("2823-3", "Potassium [Moles/volume] in Serum or Plasma"),
    "lab.sodium.moles": _loinc("2951-2", "Sodium [Moles/volume] in Serum or Plasma"),
    "lab.magnesium.mass": _loinc("19123-9", "Magnesium [Mass/volume] in Serum or Plasma"),
    "lab.magnesium.moles": _loinc("2601-3", "Magnesium [Moles/volume] in Serum or Plasma"),
    "lab.calcium.mass": _loinc("17861-6", "Calcium [Mass/volume] in Serum or Plasma"),
    "lab.calcium.moles": _loinc("2000-8", "Calcium [Moles/volume] in Serum or Plasma"),
    "lab.glucose.mass": _loinc("2345-7", "Glucose [Mass/volume] in Serum or Plasma"),
    "lab.glucose.moles": _loinc("14749-6", "Glucose [Moles/volume] in Serum or Plasma"),
    "lab.tsh.units": _loinc("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma"),
    "lab.vitamin_b12.mass": _loinc("2132-9", "Cobalamin (Vitamin B12) [Mass/volume] in Serum or Plasma"),
    "lab.vitamin_b12.moles": _loinc("14685-2", "Cobalamin (Vitamin B12) [Moles/volume] in Serum or Plasma"),
    "lab.creatine_kinase.units": _loinc("2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma"),
    # Vitamin D: sources disagree on which code carries which unit (1989-3 and 62292-8 are each
    # given for ng/mL and for nmol/L), and we found no LOINC table row for either.
    "lab.vitamin_d.mass": _loinc(
        "1989-3", "25-Hydroxyvitamin D3+25-Hydroxyvitamin D2", verified=False, source=NOT_FOUND
    ),
    "lab.vitamin_d.moles": _loinc("62292-8", "25-Hydroxyvitamin D2+D3", verified=False, source=NOT_FOUND),
    # Medicines (RxNorm ingredients); only those read in a source are verified.
    "medicine.omeprazole": Code(RXNORM, "7646", "Omeprazole", PDDI_IG, True),
    "medicine.salbutamol": Code(RXNORM, "435", "Albuterol", NOT_FOUND, False),
    "medicine.albuterol": Code(RXNORM, "435", "Albuterol", NOT_FOUND, False),
    "medicine.sertraline": Code(RXNORM, "36437", "Sertraline", NOT_FOUND, False),
}

# What a lab unit measures, for choosing between an analyte's mass and moles codes, and its UCUM code.
UNITS: dict[str, tuple[str, str]] = {
    "mmol/L": ("moles", "mmol/L"),
    "umol/L": ("moles", "umol/L"),
    "µmol/L": ("moles", "umol/L"),
    "nmol/L": ("moles", "nmol/L"),
    "pmol/L": ("moles", "pmol/L"),
    "mg/dL": ("mass", "mg/dL"),
    "mg/L": ("mass", "mg/L"),
    "ng/mL": ("mass", "ng/mL"),
    "ng/L": ("mass", "ng/L"),
    "pg/mL": ("mass", "pg/mL"),
    "mU/L": ("units", "m[IU]/L"),
    "mIU/L": ("units", "m[IU]/L"),
    "uIU/mL": ("units", "u[IU]/mL"),
    "µIU/mL": ("units", "u[IU]/mL"),
    "U/L": ("units", "U/L"),
    "IU/L": ("units", "U/L"),
}


def coding(key: str) -> list[dict[str, Any]]:
    """The coding of ``key`` when verified; nothing otherwise (the caller sends text)."""
    code = CODES.get(key)
    if code is None or not code.verified:
        return []
    return [{"system": code.system, "code": code.code, "display": code.display}]


def concept(key: str, text: str) -> dict[str, Any]:
    """A CodeableConcept: the verified coding of ``key`` (if any) and always the text."""
    found = coding(key)
    return {"coding": found, "text": text} if found else {"text": text}


def category(code: str) -> list[dict[str, Any]]:
    """An observation category from FHIR's own code system (survey, exam, activity, laboratory...)."""
    return [{"coding": [{"system": OBSERVATION_CATEGORY, "code": code}]}]


def lab_key(analyte: str, unit: str) -> str:
    """The table key of an analyte in a unit ("lab.magnesium.moles"), whether or not it exists."""
    measures = UNITS.get(unit.strip(), ("", ""))[0]
    return f"lab.{analyte}.{measures}"


def ucum_quantity(value: float, unit: str) -> dict[str, Any]:
    """A Quantity with its UCUM code where the unit is one we know, the unit as written otherwise."""
    known = UNITS.get(unit.strip())
    quantity: dict[str, Any] = {"value": value, "unit": unit}
    if known is not None:
        quantity.update(system=UCUM, code=known[1])
    return quantity
