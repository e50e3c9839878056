"""The fixed vocabularies of an episode: its character, context and accompanying symptoms."""

from __future__ import annotations

VERSION = 1

CHARACTERS: dict[str, str] = {
    "twitch": "Twitch (a small flicker under the skin)",
    "tremor": "Tremor (rhythmic shaking)",
    "spasm_cramp": "Spasm or cramp",
    "jerk": "Jerk (a sudden brief movement)",
    "repetitive_movement": "Repetitive movement",
}

CONTEXTS: dict[str, str] = {
    "at_rest": "At rest",
    "holding_posture": "Holding a posture (arms out, holding a cup)",
    "during_action": "During an action (reaching, pointing)",
    "writing_typing": "Writing or typing",
    "during_sleep": "During sleep or at night",
    "after_exercise": "After exercise",
}

SYMPTOMS: dict[str, str] = {
    "numbness": "Numbness",
    "tingling": "Tingling or pins and needles",
    "weakness": "Weakness",
    "stiffness": "Stiffness",
    "pain": "Pain",
    "cramp": "Cramp",
    "muscle_wasting": "Muscle looks thinner (wasting)",
    "speech_difficulty": "Trouble speaking",
    "swallowing_difficulty": "Trouble swallowing",
    "vision_change": "Change in vision",
    "balance_problem": "Balance problem",
    "perioral_tingling": "Tingling around the mouth",
}

EXERCISE_INTENSITIES = ("light", "moderate", "vigorous")

LAB_ANALYTES: dict[str, str] = {
    "calcium": "Calcium",
    "potassium": "Potassium",
    "sodium": "Sodium",
    "magnesium": "Magnesium",
    "tsh": "Thyroid-stimulating hormone (TSH)",
    "vitamin_b12": "Vitamin B12",
    "glucose": "Glucose",
    # Asked for when muscles twitch or cramp (muscle breakdown) and for low vitamin D; exported by LOINC.
    "creatine_kinase": "Creatine kinase (CK)",
    "vitamin_d": "Vitamin D (25-hydroxy)",
}
# Analytes whose low value is flag rule L1.
ELECTROLYTES = frozenset({"calcium", "potassium", "sodium", "magnesium"})

HANDS = ("left", "right")
POSTURES = ("rest", "postural", "action")
