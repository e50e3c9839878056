"""The flag rule table: what each rule says and where it comes from, as data with sources.

The rules' logic lives in ``flag_rules``; this module only holds their texts, so the API, the
weekly summary and the physician report can all quote one text: ``wording`` speaks to the user
(app and email), ``clinician_wording`` to the doctor reading the report, and ``source`` is a
citation a doctor can look up. Thresholds come from ``clinical_thresholds`` (wording that states a
number is built from its constant). A rule says what the diary shows and why that is worth a
doctor's look, never that the user has a disease.
"""

from __future__ import annotations

from dataclasses import dataclass

from diary.catalogues.medicines import J_NEUROL_SCI_2022
from diary.catalogues.medicines import MORGAN_SETHI_2005 as MORGAN_SETHI
from insights.analysis.clinical_thresholds import (
    AAN_2017,
    DSM_TD,
    METOCLOPRAMIDE_LABEL,
    MIN_REGIONS,
    NERVE_PATTERN_MIN_SHARE,
    NHS_TWITCHING,
    NUMBNESS_SPREAD_DAYS,
    PERSISTENCE_DAYS,
    RECURRING_EPISODES,
    REST_TREMOR_MIN_DAYS,
    SUDDEN_WINDOW_HOURS,
    TASK_SPECIFIC_MIN_SHARE,
    TD_EXPOSURE_MONTHS,
    TD_EXPOSURE_MONTHS_OLDER,
    TD_MIN_SPAN_DAYS,
    TD_OLDER_AGE,
)


@dataclass(frozen=True)
class FlagRule:
    id: str
    title: str
    severity: str
    threshold: str
    wording: str
    source: str
    # One line for the physician report, in a clinician's terms; the evidence (counts, dates,
    # values) comes with each flag as its ``detail``.
    clinician_wording: str
    # Rules R2 and R16 escalate when a second sign joins the first; these say to what and why.
    escalated_severity: str | None = None
    escalated_wording: str | None = None
    escalated_clinician_wording: str | None = None


FLAG_RULES_LIST: tuple[FlagRule, ...] = (
    FlagRule(
        id="R1",
        title="Twitching in the same place for more than two weeks",
        severity="see_doctor",
        threshold=f"episodes in one body region, first to last more than {PERSISTENCE_DAYS} days apart",
        wording=(
            f"Your diary shows twitching in the same area for more than {PERSISTENCE_DAYS} days. The NHS suggests "
            "seeing a GP when a twitch lasts that long, mainly to check common causes such as stress, tiredness, "
            "caffeine, medicines or blood salts."
        ),
        source=f"{NHS_TWITCHING}: see a GP if a twitch lasts more than 2 weeks",
        clinician_wording=(
            f"Self-reported twitching in the same region, first to last entry > {PERSISTENCE_DAYS} days apart"
        ),
    ),
    FlagRule(
        id="R2",
        title="Twitching in more than one area",
        severity="see_doctor",
        threshold=f">= {MIN_REGIONS} distinct body regions",
        wording=(
            "Your diary shows twitching in more than one area of the body. Twitches that move around are common "
            "and usually harmless, but the NHS suggests mentioning it to a GP."
        ),
        source=f"{NHS_TWITCHING}: see a GP if you have a twitch in more than one place; {AAN_2017}",
        escalated_severity="see_doctor_soon",
        escalated_wording=(
            "Your diary shows twitching that has reached a new area, and weakness logged there. Weakness together "
            "with spreading twitches is worth a doctor's look soon, so they can examine the muscles."
        ),
        clinician_wording="Twitching in more than one body region; no weakness logged in the regions added later",
        escalated_clinician_wording="Twitching spreading to new regions, with self-reported weakness in a new region",
    ),
    FlagRule(
        id="R3",
        title="Weakness or stiffness with the twitching",
        severity="see_doctor_soon",
        threshold="any episode with weakness or stiffness",
        wording=(
            "You logged weakness or stiffness together with twitching. The NHS advises seeing a GP about this, "
            "so they can examine the muscles and nerves; please book an appointment soon."
        ),
        source=f"{NHS_TWITCHING}: see a GP if the affected area feels weak or stiff",
        clinician_wording="Self-reported weakness or stiffness accompanying twitching",
    ),
    FlagRule(
        id="R4",
        title="A muscle looks thinner",
        severity="see_doctor_soon",
        threshold="any episode with muscle_wasting",
        wording=(
            "You logged that a muscle looks thinner than before (for example at the base of the thumb). A muscle "
            "getting smaller has several causes, many of them treatable, and is worth a doctor's look soon so they "
            "can examine it."
        ),
        source=(
            "MSD Manual, 'Amyotrophic Lateral Sclerosis (ALS)' (hand muscles may shrink); Mayo Clinic, "
            "'Carpal tunnel syndrome: symptoms and causes' (thumb-base muscles may shrink)"
        ),
        clinician_wording="Self-reported muscle wasting (e.g. thenar eminence)",
    ),
    FlagRule(
        id="R5",
        title="Trouble speaking or swallowing, or a twitching tongue",
        severity="see_doctor_soon",
        threshold="any speech_difficulty, swallowing_difficulty or tongue twitching; sudden onset is R20",
        wording=(
            "You logged trouble speaking or swallowing, or twitching of the tongue. These are worth a doctor's "
            "look soon. If speech trouble came on suddenly, treat it as an emergency."
        ),
        source=(
            "Mayo Clinic, 'Amyotrophic lateral sclerosis (ALS): symptoms and causes'; "
            "MSD Manual, 'Amyotrophic Lateral Sclerosis (ALS)'"
        ),
        clinician_wording="Self-reported difficulty speaking or swallowing, or twitching of the tongue",
    ),
    FlagRule(
        id="R6",
        title="Cramps together with weakness or a thinner muscle",
        severity="see_doctor_soon",
        threshold="cramp alone: no flag; cramp with R3 or R4",
        wording=(
            "You logged cramps as well as weakness or a muscle that looks thinner. Cramps on their own are common "
            "and usually harmless; together with those signs they are worth a doctor's look soon."
        ),
        source=f"{AAN_2017} (cramps are common in the benign form); {NHS_TWITCHING}",
        clinician_wording="Cramps accompanied by self-reported weakness or wasting",
    ),
    FlagRule(
        id="R7",
        title="A medicine known to cause twitching or tremor",
        severity="see_doctor",
        threshold=(
            "a medicine of a twitch-linked class (matched by generic or brand name) started before the first episode"
        ),
        wording=(
            "You started a medicine that is known to cause twitching or tremor in some people before your first "
            "logged episode. Mention it to your doctor or pharmacist; don't stop a prescribed medicine without "
            "advice."
        ),
        source=(
            f"{NHS_TWITCHING}: see a GP if you think a prescribed medicine might be causing your twitch; "
            f"{MORGAN_SETHI}; {J_NEUROL_SCI_2022}"
        ),
        clinician_wording="Medicine with a recognised tremor/twitch side effect started before symptom onset",
    ),
    FlagRule(
        id="R8",
        title="Shaking at rest on one side",
        severity="see_doctor",
        threshold=(
            f"tremor at rest on one side, >= {RECURRING_EPISODES} episodes (or rhythmic rest recordings) "
            f"on >= {REST_TREMOR_MIN_DAYS} days, the other side on fewer than half as many days"
        ),
        wording=(
            "Your diary shows a shake on one side while the hand is resting, on several days. A tremor at rest "
            "has many causes and is worth showing a doctor, who can examine it."
        ),
        source="NHS, 'Parkinson's disease: symptoms' (a tremor usually begins in one hand or arm, at rest)",
        clinician_wording="Recurrent unilateral rest tremor (self-reported and/or phone recording)",
    ),
    FlagRule(
        id="R9",
        title="Shaking of both hands when using them",
        severity="see_doctor",
        threshold=(
            f"tremor during action or holding a posture on both sides, >= {RECURRING_EPISODES} episodes or recordings"
        ),
        wording=(
            "Your diary shows shaking of both sides when using or holding out the hands. A GP can check simple "
            "causes such as thyroid, blood salts, caffeine and medicines."
        ),
        source=(
            "Bhatia et al., 'Consensus statement on the classification of tremors', Mov Disord 2018;33(1):75-87; "
            "NHS, 'Essential tremor'"
        ),
        clinician_wording="Bilateral postural/kinetic tremor, recurrent (self-reported and/or phone recording)",
    ),
    FlagRule(
        id="R10",
        title="Cramp or spasm when writing or typing",
        severity="see_doctor",
        threshold=(
            f"cramp or spasm while writing_typing, >= {RECURRING_EPISODES} episodes and at least "
            f"{TASK_SPECIFIC_MIN_SHARE:.0%} of all cramp or spasm episodes"
        ),
        wording=(
            "Your diary shows cramps or spasms that come on while writing or typing, again and again, and mostly "
            "then rather than at other times. A pattern tied to one task is worth showing a doctor; there are "
            "treatments that help."
        ),
        source=(
            "Torres-Russotto & Perlmutter, 'Task-specific dystonias', Ann N Y Acad Sci 2008;1142:179-199 "
            "(writing is the commonest task)"
        ),
        clinician_wording="Recurrent cramp/spasm confined mostly to writing or typing (task-specific pattern)",
    ),
    FlagRule(
        id="R13",
        title="Shaking with unsteadiness while taking lithium",
        severity="urgent",
        threshold="on lithium + tremor with unsteadiness (balance_problem)",
        wording=(
            "You take lithium and logged shaking together with unsteadiness. With lithium this combination can "
            "mean the level in the blood is too high, so contact your doctor or urgent care today. Seek help the "
            "same way for sickness, diarrhoea or drowsiness, which the diary does not record."
        ),
        source="Lithium prescribing information (warning: lithium toxicity); NHS, 'Lithium' (side effects)",
        clinician_wording="On lithium: tremor with unsteadiness; consider serum lithium level",
    ),
    FlagRule(
        id="R14",
        title="Repetitive movements while taking a dopamine-blocking medicine",
        severity="see_doctor",
        threshold=(
            f"repetitive_movement after >= {TD_EXPOSURE_MONTHS} months on the medicine "
            f"(>= {TD_EXPOSURE_MONTHS_OLDER} month from age {TD_OLDER_AGE}), over >= {TD_MIN_SPAN_DAYS // 7} weeks"
        ),
        wording=(
            "You logged repetitive movements over several weeks while taking a medicine that can, after months "
            "of use, cause movements like these. Mention it to your doctor; don't stop a prescribed medicine "
            "without advice."
        ),
        source=f"{DSM_TD}; {METOCLOPRAMIDE_LABEL}",
        clinician_wording=(
            f"Repetitive involuntary movements over >= {TD_MIN_SPAN_DAYS // 7} weeks after >= "
            f"{TD_EXPOSURE_MONTHS} months (>= {TD_EXPOSURE_MONTHS_OLDER} if >= {TD_OLDER_AGE} y) "
            "of a dopamine-receptor blocker"
        ),
    ),
    FlagRule(
        id="R15",
        title="Tingling around the mouth or tingling fingers with hand cramps",
        severity="urgent",
        threshold="any perioral_tingling, or fingertip tingling with cramp or spasm of the hand",
        wording=(
            "You logged tingling around the mouth, or tingling fingertips with cramping of the hand. Medical "
            "textbooks list this among the early signs of a low calcium level, which a blood test checks: contact "
            "your doctor or urgent care today."
        ),
        source=(
            "Harrison's Principles of Internal Medicine, 21st ed. (2022), hypocalcaemia: perioral and acral "
            "paraesthesia are early signs; tetany is severe"
        ),
        clinician_wording="Perioral or acral paraesthesia with carpopedal cramp/spasm; consider serum calcium",
    ),
    FlagRule(
        id="R16",
        title="Numbness or tingling in the thumb, index and middle fingers",
        severity="see_doctor",
        threshold=(
            "numbness, or tingling lasting a minute or more, in at least two of thumb, index and middle finger of "
            f"one hand (little finger spared), at night or on waking; >= {RECURRING_EPISODES} such episodes on one "
            f"hand and at least {NERVE_PATTERN_MIN_SHARE:.0%} of that hand's finger numbness or tingling"
        ),
        wording=(
            "Your diary shows numbness or tingling in the thumb, index and middle fingers again and again, at night "
            "or on waking, with the little finger spared. The NHS and Mayo Clinic describe this pattern as one a GP "
            "can check; it is common and usually treatable."
        ),
        source="NHS, 'Carpal tunnel syndrome'; Mayo Clinic, 'Carpal tunnel syndrome: symptoms and causes'",
        escalated_severity="see_doctor_soon",
        escalated_wording=(
            "Your diary shows numbness or tingling in the thumb, index and middle fingers, and a thinner muscle at "
            "the base of the thumb. A thinning muscle there is worth a doctor's look soon."
        ),
        clinician_wording=(
            "Recurrent nocturnal or on-waking numbness/tingling in median-nerve distribution (thumb to middle "
            "finger, little finger spared)"
        ),
        escalated_clinician_wording=(
            "Recurrent numbness/tingling in median-nerve distribution with self-reported thenar wasting"
        ),
    ),
    FlagRule(
        id="R17",
        title="Numbness or tingling in the little and ring fingers",
        severity="see_doctor",
        threshold=(
            f"numbness/tingling in little + ring finger, thumb/index/middle spared, >= {RECURRING_EPISODES} "
            f"episodes on one hand and at least {NERVE_PATTERN_MIN_SHARE:.0%} of that hand's finger numbness"
        ),
        wording=(
            "Your diary shows numbness or tingling in the little and ring fingers again and again, with the thumb "
            "side spared. Hand specialists describe this pattern as one worth a check; a GP can examine it."
        ),
        source="American Society for Surgery of the Hand (ASSH), 'Cubital tunnel syndrome'",
        clinician_wording="Recurrent numbness/tingling in ulnar-nerve distribution (ring and little fingers)",
    ),
    FlagRule(
        id="R18",
        title="Numbness or tingling in both hands or both feet",
        severity="see_doctor",
        threshold=f"numbness/tingling in both hands or both feet, >= {RECURRING_EPISODES} episodes on each side",
        wording=(
            "Your diary shows numbness or tingling in both hands or both feet again and again. A GP can look for "
            "common, treatable causes such as diabetes or low vitamin B12."
        ),
        source="NHS 111 Wales, 'Peripheral neuropathy'; nidirect, 'Peripheral neuropathy' ('glove and stocking')",
        clinician_wording="Recurrent bilateral symmetrical sensory symptoms (hands and/or feet)",
    ),
    FlagRule(
        id="R19",
        title="Vision changes, balance problems or spreading numbness",
        severity="see_doctor_soon",
        threshold=(
            f"any vision_change or balance_problem, or numbness reaching a new area within {NUMBNESS_SPREAD_DAYS} days"
        ),
        wording=(
            "You logged a change in vision, a balance problem, or numbness that spread to a new area over a few "
            "days. These signs have many causes and are worth a doctor's look soon."
        ),
        source="NHS, 'Multiple sclerosis: symptoms'; familydoctor.org, 'Multiple sclerosis'",
        clinician_wording="Visual disturbance, imbalance or numbness spreading over days",
    ),
    FlagRule(
        id="R20",
        title="Trouble speaking with weakness of the face or arm",
        severity="emergency",
        threshold=f"speech_difficulty with weakness of the face or arm within {SUDDEN_WINDOW_HOURS} hours",
        wording=(
            "You logged trouble speaking together with weakness of the face or arm. If this is happening now or "
            "came on suddenly, call emergency services straight away (999, 911 or 112). Think FAST: Face drooping, "
            "Arm weakness, Speech difficulty, Time to call."
        ),
        source="NHS, 'Stroke: symptoms' (FAST); American Stroke Association, 'Stroke symptoms' (BE FAST)",
        clinician_wording=f"Speech disturbance with face/arm weakness within {SUDDEN_WINDOW_HOURS} h (FAST-positive)",
    ),
    FlagRule(
        id="L1",
        title="A blood salt below its normal range",
        severity="see_doctor",
        threshold=(
            "the latest calcium, potassium, sodium or magnesium result below its reference range "
            "(a later result in range resolves it)"
        ),
        wording=(
            "Your latest lab result for a blood salt (electrolyte) is below its normal range. Low levels can "
            "cause twitching and cramps; show the result to your doctor, who can decide whether to repeat it."
        ),
        source=(
            "MSD Manual, 'Muscle Cramps' (low potassium, magnesium or calcium); MSD Manual, 'Hyponatremia' "
            "(muscle twitches and spasms); MedlinePlus, 'Muscle twitching' (medlineplus.gov/ency/article/003296.htm)"
        ),
        clinician_wording="Latest electrolyte result below the laboratory reference range",
    ),
)

FLAG_RULES: dict[str, FlagRule] = {rule.id: rule for rule in FLAG_RULES_LIST}
