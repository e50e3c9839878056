"""Medicines by generic name with the drug class the insights reason about.

The classes and members are those CLINICAL.md lists as linked to twitching or tremor
(Morgan & Sethi, Lancet Neurol 2005; J Neurol Sci 2022;435:120192; Morgan et al. 2017),
plus the diuretics and proton pump inhibitors that lower magnesium and potassium.
A medication the catalogue does not know is stored with drug class "other".
"""

from __future__ import annotations

from dataclasses import dataclass

VERSION = 1


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
            "Morgan & Sethi, Lancet Neurol 2005",
        ),
        DrugClass("stimulant", "Stimulant", "can cause tremor and twitching", "Morgan & Sethi, Lancet Neurol 2005"),
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
            "J Neurol Sci 2022;435:120192",
        ),
        DrugClass("ssri_snri", "SSRI or SNRI antidepressant", "can cause tremor", "J Neurol Sci 2022;435:120192"),
        DrugClass("tricyclic", "Tricyclic antidepressant", "can cause tremor", "J Neurol Sci 2022;435:120192"),
        DrugClass("amiodarone", "Amiodarone", "can cause tremor", "Morgan et al. 2017"),
        DrugClass("theophylline", "Theophylline", "can cause tremor", "Morgan et al. 2017"),
        DrugClass("levothyroxine", "Thyroid hormone", "too high a dose can cause tremor", "Morgan et al. 2017"),
        DrugClass("calcineurin_inhibitor", "Calcineurin inhibitor", "can cause tremor", "Morgan et al. 2017"),
        DrugClass(
            "vmat2_inhibitor", "VMAT2 inhibitor", "can cause movement side effects", "J Neurol Sci 2022;435:120192"
        ),
        DrugClass("diuretic", "Diuretic", "can lower magnesium and potassium", "CLINICAL.md, Medicines"),
        DrugClass("ppi", "Proton pump inhibitor", "long use can lower magnesium", "CLINICAL.md, Medicines"),
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


def drug_class_of(catalogue_key: str | None) -> str:
    if catalogue_key and catalogue_key in MEDICINES:
        return MEDICINES[catalogue_key].drug_class
    return "other"
