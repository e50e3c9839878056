"""Medicines by generic name with the drug class the insights reason about, and the names people type.

The classes and members are those docs/clinical.md lists as linked to twitching or tremor
(Morgan & Sethi, Lancet Neurol 2005; J Neurol Sci 2022;435:120192; Morgan et al. 2017),
plus the diuretics and proton pump inhibitors that lower magnesium and potassium.

People type brand names ("Ventolin"), other spellings ("albuterol", "ciclosporin") and doses
("Sertraline 50 mg"), in any case. ``match_medicine`` finds the catalogue medicine in such a
text: case and punctuation do not matter, and a name matches as whole words anywhere in it.
A medication that matches nothing is stored with drug class "other".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = 2

MORGAN_SETHI_2005 = "Morgan & Sethi, 'Drug-induced tremors', Lancet Neurol 2005;4(12):866-876"
MORGAN_2017 = (
    "Morgan et al., 'Insights into pathophysiology from medication-induced tremor', "
    "Tremor Other Hyperkinet Mov 2017;7:442"
)
J_NEUROL_SCI_2022 = "J Neurol Sci 2022;435:120192 (drug-induced tremor)"
ELECTROLYTE_DRUGS = "MSD Manual, 'Hypomagnesemia' and 'Hypokalemia' (diuretics; long use of proton pump inhibitors)"


@dataclass(frozen=True)
class DrugClass:
    code: str
    label: str
    link: str  # what is known, in our words, shown to the user and in the report
    source: str


DRUG_CLASSES: dict[str, DrugClass] = {
    c.code: c
    for c in (
        DrugClass(
            "beta2_agonist",
            "Beta-2 agonist (asthma inhaler)",
            "can cause a fine tremor in 2-4% of regular users, minutes to hours after a dose, fading over days",
            MORGAN_SETHI_2005,
        ),
        DrugClass("stimulant", "Stimulant", "can cause tremor and twitching", MORGAN_SETHI_2005),
        DrugClass(
            "dopamine_blocker",
            "Antipsychotic or dopamine blocker",
            "after months of use can cause tardive dyskinesia (repetitive movements)",
            "DSM-5-TR; metoclopramide boxed warning",
        ),
        DrugClass(
            "lithium",
            "Lithium",
            "tremor in 4-65% of users; a coarse tremor can be a sign of too high a level",
            "lithium product label",
        ),
        DrugClass(
            "valproate",
            "Valproate",
            "tremor in 14-49% of users, mostly in the first month",
            J_NEUROL_SCI_2022,
        ),
        DrugClass("ssri_snri", "SSRI or SNRI antidepressant", "can cause tremor", J_NEUROL_SCI_2022),
        DrugClass("tricyclic", "Tricyclic antidepressant", "can cause tremor", J_NEUROL_SCI_2022),
        DrugClass("amiodarone", "Amiodarone", "can cause tremor", MORGAN_2017),
        DrugClass("theophylline", "Theophylline", "can cause tremor", MORGAN_2017),
        DrugClass("levothyroxine", "Thyroid hormone", "too high a dose can cause tremor", MORGAN_2017),
        DrugClass("calcineurin_inhibitor", "Calcineurin inhibitor", "can cause tremor", MORGAN_2017),
        DrugClass("vmat2_inhibitor", "VMAT2 inhibitor", "can cause movement side effects", J_NEUROL_SCI_2022),
        DrugClass("diuretic", "Diuretic", "can lower magnesium and potassium", ELECTROLYTE_DRUGS),
        DrugClass("ppi", "Proton pump inhibitor", "long use can lower magnesium", ELECTROLYTE_DRUGS),
        DrugClass("other", "Other", "no known link in our catalogue", ""),
    )
}

# Classes with a known link to twitching or tremor (flag rule R7); diuretics and PPIs act
# through electrolytes instead and "other" has no known link.
TWITCH_LINKED_CLASSES = frozenset(DRUG_CLASSES) - {"diuretic", "ppi", "other"}


@dataclass(frozen=True)
class Medicine:
    code: str  # generic name, lower case
    drug_class: str


_MEMBERS: dict[str, tuple[str, ...]] = {
    "beta2_agonist": ("salbutamol", "albuterol", "salmeterol", "formoterol", "terbutaline", "fenoterol"),
    "stimulant": (
        "methylphenidate",
        "amphetamine",
        "lisdexamfetamine",
        "modafinil",
        "pseudoephedrine",
        "caffeine_tablets",
    ),
    "dopamine_blocker": (
        "haloperidol",
        "chlorpromazine",
        "fluphenazine",
        "risperidone",
        "olanzapine",
        "quetiapine",
        "aripiprazole",
        "ziprasidone",
        "metoclopramide",
        "prochlorperazine",
    ),
    "lithium": ("lithium",),
    "valproate": ("valproate", "sodium_valproate", "valproic_acid"),
    "ssri_snri": ("sertraline", "fluoxetine", "citalopram", "escitalopram", "paroxetine", "venlafaxine", "duloxetine"),
    "tricyclic": ("amitriptyline",),
    "amiodarone": ("amiodarone",),
    "theophylline": ("theophylline",),
    "levothyroxine": ("levothyroxine",),
    "calcineurin_inhibitor": ("tacrolimus", "cyclosporine"),
    "vmat2_inhibitor": ("tetrabenazine", "deutetrabenazine", "valbenazine"),
    "diuretic": (
        "hydrochlorothiazide",
        "bendroflumethiazide",
        "chlortalidone",
        "furosemide",
        "bumetanide",
        "torasemide",
    ),
    "ppi": ("omeprazole", "esomeprazole", "lansoprazole", "pantoprazole", "rabeprazole"),
}

MEDICINES: dict[str, Medicine] = {
    name: Medicine(code=name, drug_class=drug_class) for drug_class, names in _MEMBERS.items() for name in names
}
CODES: tuple[str, ...] = tuple(MEDICINES)


# Brand names (docs/clinical.md, "Medicine names people type") -> catalogue key. A brand sold
# in the UK under a salbutamol label and in the US as albuterol maps to the name its market uses.
BRAND_NAMES: dict[str, str] = {
    "ventolin": "salbutamol",
    "airomir": "salbutamol",
    "asmasal": "salbutamol",
    "proair": "albuterol",
    "proventil": "albuterol",
    "serevent": "salmeterol",
    "seretide": "salmeterol",
    "advair": "salmeterol",
    "foradil": "formoterol",
    "oxis": "formoterol",
    "symbicort": "formoterol",
    "bricanyl": "terbutaline",
    "ritalin": "methylphenidate",
    "concerta": "methylphenidate",
    "medikinet": "methylphenidate",
    "adderall": "amphetamine",
    "vyvanse": "lisdexamfetamine",
    "elvanse": "lisdexamfetamine",
    "provigil": "modafinil",
    "sudafed": "pseudoephedrine",
    "haldol": "haloperidol",
    "largactil": "chlorpromazine",
    "thorazine": "chlorpromazine",
    "risperdal": "risperidone",
    "zyprexa": "olanzapine",
    "seroquel": "quetiapine",
    "abilify": "aripiprazole",
    "geodon": "ziprasidone",
    "reglan": "metoclopramide",
    "maxolon": "metoclopramide",
    "stemetil": "prochlorperazine",
    "compazine": "prochlorperazine",
    "priadel": "lithium",
    "camcolit": "lithium",
    "lithobid": "lithium",
    "depakote": "valproate",
    "epilim": "valproate",
    "depakine": "valproate",
    "zoloft": "sertraline",
    "lustral": "sertraline",
    "prozac": "fluoxetine",
    "celexa": "citalopram",
    "cipramil": "citalopram",
    "lexapro": "escitalopram",
    "cipralex": "escitalopram",
    "paxil": "paroxetine",
    "seroxat": "paroxetine",
    "effexor": "venlafaxine",
    "cymbalta": "duloxetine",
    "elavil": "amitriptyline",
    "cordarone": "amiodarone",
    "pacerone": "amiodarone",
    "uniphyllin": "theophylline",
    "theo-24": "theophylline",
    "synthroid": "levothyroxine",
    "levoxyl": "levothyroxine",
    "eltroxin": "levothyroxine",
    "prograf": "tacrolimus",
    "neoral": "cyclosporine",
    "sandimmune": "cyclosporine",
    "xenazine": "tetrabenazine",
    "austedo": "deutetrabenazine",
    "ingrezza": "valbenazine",
    "prilosec": "omeprazole",
    "losec": "omeprazole",
    "nexium": "esomeprazole",
    "prevacid": "lansoprazole",
    "zoton": "lansoprazole",
    "protonix": "pantoprazole",
    "lasix": "furosemide",
    "microzide": "hydrochlorothiazide",
}

# Other spellings of a generic name (British/international against US names) -> catalogue key.
# Salbutamol and albuterol are both catalogue keys, since both are common.
SPELLINGS: dict[str, str] = {
    "ciclosporin": "cyclosporine",
    "cyclosporin": "cyclosporine",
    "amfetamine": "amphetamine",
    "chlorthalidone": "chlortalidone",
    "torsemide": "torasemide",
    "frusemide": "furosemide",
    "caffeine tablet": "caffeine_tablets",
}


def _words(text: str) -> str:
    """Lower case, every run of characters other than letters and digits as one space."""
    return " ".join(re.split(r"[^a-z0-9]+", text.lower())).strip()


_NAMES: dict[str, str] = {
    **{_words(key): key for key in MEDICINES},
    **{_words(name): key for name, key in SPELLINGS.items()},
    **{_words(name): key for name, key in BRAND_NAMES.items()},
}
_LONGEST_NAME = max(len(name.split()) for name in _NAMES)


def match_medicine(text: str | None) -> Medicine | None:
    """The catalogue medicine a typed name refers to, or None.

    Any catalogue key, spelling or brand found as whole words counts ("Ventolin inhaler",
    "SERTRALINE 50mg", " sodium valproate "). The longest name found wins, then the first.
    """
    words = _words(text or "").split()
    for length in range(min(_LONGEST_NAME, len(words)), 0, -1):
        for start in range(len(words) - length + 1):
            key = _NAMES.get(" ".join(words[start : start + length]))
            if key:
                return MEDICINES[key]
    return None


def resolve_medicine(name: str | None, catalogue_key: str | None) -> Medicine | None:
    """The medicine a medication record means: its catalogue key if it names one, else its name."""
    return match_medicine(catalogue_key) or match_medicine(name)


def drug_class_of(name: str | None, catalogue_key: str | None = None) -> str:
    """The drug class of a medication as typed; "other" when the catalogue does not know it."""
    medicine = resolve_medicine(name, catalogue_key)
    return medicine.drug_class if medicine else "other"
