"""The causes of finger twitching the insights can name, as data with sources.

Facts come from docs/clinical.md; the wording is ours. Nothing here diagnoses: a cause lists the
diary signals that bear on it, the triggers a person can change and the flag rules that would
point away from it, never that the user has a disease.

Diary signals are written ``<kind>:<code>`` so they can be checked against the catalogues:
``character``, ``context`` and ``symptom`` codes come from ``episode_terms``, ``site`` codes are
body-site parts, ``series`` names a daily-series column, ``drug_class`` a medicines class,
``lab`` an analyte and ``tremor`` a tremor-recording posture.
"""

from __future__ import annotations

from dataclasses import dataclass

from diary.catalogues.medicines import J_NEUROL_SCI_2022, MORGAN_2017
from diary.catalogues.medicines import MORGAN_SETHI_2005 as MORGAN_SETHI
from insights.analysis.clinical_thresholds import AAN_2017, DSM_TD, NHS_TWITCHING


@dataclass(frozen=True)
class Cause:
    code: str
    name: str
    summary: str
    diary_signals: tuple[str, ...]
    modifiable_triggers: tuple[str, ...]
    red_flags: tuple[str, ...]
    sources: tuple[str, ...]


CAUSES: tuple[Cause, ...] = (
    Cause(
        code="benign_fasciculations",
        name="Benign fasciculations",
        summary=(
            "Small harmless twitches under the skin that about 7 in 10 healthy people have. They often come "
            "and go for months or years and are made worse by tiredness, stress, caffeine and hard exercise."
        ),
        diary_signals=("character:twitch", "symptom:cramp", "symptom:tingling", "series:episodes"),
        modifiable_triggers=("caffeine", "sleep", "stress", "exercise"),
        red_flags=("R1", "R2", "R3", "R4"),
        sources=(AAN_2017, NHS_TWITCHING),
    ),
    Cause(
        code="electrolyte_imbalance",
        name="Electrolyte imbalance",
        summary=(
            "Low levels of calcium, potassium, sodium or magnesium in the blood can make muscles twitch or "
            "cramp. A simple blood test checks them."
        ),
        diary_signals=(
            "lab:calcium",
            "lab:potassium",
            "lab:sodium",
            "lab:magnesium",
            "symptom:perioral_tingling",
            "symptom:cramp",
            "drug_class:diuretic",
            "drug_class:ppi",
        ),
        modifiable_triggers=("medicines that lower magnesium or potassium (discuss with a doctor)",),
        red_flags=("L1", "R15"),
        sources=(
            "MSD Manual, 'Muscle Cramps' (low potassium, magnesium or calcium)",
            "MSD Manual, 'Hyponatremia'",
            "Harrison's Principles of Internal Medicine, 21st ed. (2022), hypocalcaemia",
        ),
    ),
    Cause(
        code="peripheral_neuropathy",
        name="Peripheral neuropathy",
        summary=(
            "Damage to the nerves of the hands and feet, often showing as numbness, tingling or burning in "
            "both hands or feet ('glove and stocking'). Common causes such as diabetes or low B12 can be tested."
        ),
        diary_signals=(
            "symptom:numbness",
            "symptom:tingling",
            "symptom:balance_problem",
            "site:foot",
            "site:hand",
            "lab:vitamin_b12",
            "lab:glucose",
        ),
        modifiable_triggers=(),
        red_flags=("R18",),
        sources=("NHS Wales 111, peripheral neuropathy", "nidirect, peripheral neuropathy"),
    ),
    Cause(
        code="carpal_tunnel",
        name="Carpal tunnel syndrome",
        summary=(
            "Pressure on a nerve at the wrist, giving numbness or tingling in the thumb, index and middle "
            "fingers, often at night. It is common and treatable."
        ),
        diary_signals=(
            "symptom:numbness",
            "symptom:tingling",
            "site:thumb",
            "site:index",
            "site:middle",
            "context:during_sleep",
            "symptom:muscle_wasting",
        ),
        modifiable_triggers=("repetitive wrist movements",),
        red_flags=("R16", "R4"),
        sources=("Mayo Clinic, carpal tunnel syndrome", "NHS, carpal tunnel syndrome"),
    ),
    Cause(
        code="tardive_dyskinesia",
        name="Tardive dyskinesia",
        summary=(
            "Repetitive movements that can appear after months of taking an antipsychotic or metoclopramide. "
            "A doctor can review the medicine; it should not be stopped without advice."
        ),
        diary_signals=("character:repetitive_movement", "drug_class:dopamine_blocker"),
        modifiable_triggers=(),
        red_flags=("R14", "R7"),
        sources=(DSM_TD,),
    ),
    Cause(
        code="stress_anxiety",
        name="Stress and anxiety",
        summary="Stress and anxiety commonly bring on or worsen twitching; it usually eases as stress does.",
        diary_signals=("series:stress_mean", "series:stress_max", "series:sleep_hours"),
        modifiable_triggers=("stress", "sleep"),
        red_flags=(),
        sources=(NHS_TWITCHING,),
    ),
    Cause(
        code="essential_tremor",
        name="Essential tremor",
        summary=(
            "A rhythmic shake of both hands when using them or holding them out. Naming it takes years of "
            "observation by a doctor, so the app never does; tiredness and caffeine can make tremor worse."
        ),
        diary_signals=(
            "character:tremor",
            "context:during_action",
            "context:holding_posture",
            "tremor:postural",
            "tremor:action",
        ),
        modifiable_triggers=("caffeine", "sleep"),
        red_flags=("R9",),
        sources=("Bhatia et al., Mov Disord 2018 (tremor consensus)", "Mayo Clinic, essential tremor"),
    ),
    Cause(
        code="parkinsons_disease",
        name="Parkinson's disease",
        summary=(
            "A condition whose tremor usually starts in one hand while it is resting. Many other things cause "
            "tremor, so a rest tremor on one side is simply worth showing a doctor."
        ),
        diary_signals=("character:tremor", "context:at_rest", "tremor:rest", "symptom:stiffness"),
        modifiable_triggers=(),
        red_flags=("R8", "R3"),
        sources=("NHS, Parkinson's disease", "Farkas 2006 (tremor frequency by hand)"),
    ),
    Cause(
        code="dystonia",
        name="Dystonia",
        summary=(
            "Muscles tightening on their own, sometimes only during one task such as writing or typing "
            "(writer's cramp). A doctor can confirm it and treatments help."
        ),
        diary_signals=("character:spasm_cramp", "context:writing_typing"),
        modifiable_triggers=("the task that brings it on",),
        red_flags=("R10",),
        sources=("Torres-Russotto & Perlmutter 2008 (task-specific dystonia)",),
    ),
    Cause(
        code="als",
        name="Motor neurone disease (ALS)",
        summary=(
            "A rare condition. Twitching on its own is very rarely the sign; what doctors look for is weakness, "
            "muscles getting thinner, and trouble speaking or swallowing."
        ),
        diary_signals=(
            "symptom:weakness",
            "symptom:muscle_wasting",
            "symptom:speech_difficulty",
            "symptom:swallowing_difficulty",
            "site:tongue",
        ),
        modifiable_triggers=(),
        red_flags=("R2", "R3", "R4", "R5", "R6"),
        sources=("MSD Manual, amyotrophic lateral sclerosis", "Mayo Clinic, ALS early symptoms", AAN_2017),
    ),
    Cause(
        code="multiple_sclerosis",
        name="Multiple sclerosis",
        summary=(
            "A condition of the brain and spinal cord that can show as changes in vision, balance problems or "
            "numbness that spreads over days. These signs have many causes and are worth a prompt check."
        ),
        diary_signals=("symptom:vision_change", "symptom:balance_problem", "symptom:numbness"),
        modifiable_triggers=(),
        red_flags=("R19",),
        sources=("NHS, multiple sclerosis", "familydoctor.org, multiple sclerosis"),
    ),
    Cause(
        code="nerve_compression",
        name="Nerve compression or injury",
        summary=(
            "A pinched or injured nerve, for example at the elbow (little and ring fingers) or the wrist "
            "(thumb side), can cause numbness, tingling or twitching in the fingers it supplies."
        ),
        diary_signals=("symptom:numbness", "symptom:tingling", "site:little", "site:ring", "symptom:weakness"),
        modifiable_triggers=("leaning on the elbow", "long periods with the elbow bent"),
        red_flags=("R17", "R16", "R3"),
        sources=("ASSH, cubital tunnel syndrome", "Mayo Clinic, carpal tunnel syndrome"),
    ),
    Cause(
        code="medication_side_effects",
        name="Medication side effects",
        summary=(
            "Some medicines, asthma inhalers and stimulants best known among them, can cause tremor or "
            "twitching. A doctor or pharmacist can review them; do not stop a prescribed medicine without advice."
        ),
        diary_signals=(
            "drug_class:beta2_agonist",
            "drug_class:stimulant",
            "drug_class:lithium",
            "drug_class:valproate",
            "drug_class:ssri_snri",
            "drug_class:dopamine_blocker",
            "series:doses",
            "series:medications_active",
        ),
        modifiable_triggers=("medicines (only with a doctor's advice)", "caffeine"),
        red_flags=("R7", "R13", "R14"),
        sources=(MORGAN_SETHI, J_NEUROL_SCI_2022, MORGAN_2017),
    ),
)

CAUSES_BY_CODE: dict[str, Cause] = {cause.code: cause for cause in CAUSES}
