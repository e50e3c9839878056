"""Medicines are matched as people type them, and the match is shown back beside what they typed."""

from __future__ import annotations

import pytest

from diary.catalogues.medicines import DRUG_CLASSES, MEDICINES, match_medicine
from tests.diary.wire import changes, pull, push

# Every brand name of docs/clinical.md's "Names people type", written out from that list
# (not from the catalogue) with the generic it names and that generic's drug class.
CLINICAL_BRANDS: dict[str, tuple[str, str]] = {
    "Ventolin": ("salbutamol", "beta2_agonist"),
    "ProAir": ("albuterol", "beta2_agonist"),
    "Proventil": ("albuterol", "beta2_agonist"),
    "Airomir": ("salbutamol", "beta2_agonist"),
    "Asmasal": ("salbutamol", "beta2_agonist"),
    "Serevent": ("salmeterol", "beta2_agonist"),
    "Foradil": ("formoterol", "beta2_agonist"),
    "Oxis": ("formoterol", "beta2_agonist"),
    "Bricanyl": ("terbutaline", "beta2_agonist"),
    "Seretide": ("salmeterol", "beta2_agonist"),
    "Advair": ("salmeterol", "beta2_agonist"),
    "Symbicort": ("formoterol", "beta2_agonist"),
    "Ritalin": ("methylphenidate", "stimulant"),
    "Concerta": ("methylphenidate", "stimulant"),
    "Medikinet": ("methylphenidate", "stimulant"),
    "Adderall": ("amphetamine", "stimulant"),
    "Vyvanse": ("lisdexamfetamine", "stimulant"),
    "Elvanse": ("lisdexamfetamine", "stimulant"),
    "Provigil": ("modafinil", "stimulant"),
    "Sudafed": ("pseudoephedrine", "stimulant"),
    "Haldol": ("haloperidol", "dopamine_blocker"),
    "Largactil": ("chlorpromazine", "dopamine_blocker"),
    "Thorazine": ("chlorpromazine", "dopamine_blocker"),
    "Risperdal": ("risperidone", "dopamine_blocker"),
    "Zyprexa": ("olanzapine", "dopamine_blocker"),
    "Seroquel": ("quetiapine", "dopamine_blocker"),
    "Abilify": ("aripiprazole", "dopamine_blocker"),
    "Geodon": ("ziprasidone", "dopamine_blocker"),
    "Reglan": ("metoclopramide", "dopamine_blocker"),
    "Maxolon": ("metoclopramide", "dopamine_blocker"),
    "Stemetil": ("prochlorperazine", "dopamine_blocker"),
    "Compazine": ("prochlorperazine", "dopamine_blocker"),
    "Priadel": ("lithium", "lithium"),
    "Camcolit": ("lithium", "lithium"),
    "Lithobid": ("lithium", "lithium"),
    "Depakote": ("valproate", "valproate"),
    "Epilim": ("valproate", "valproate"),
    "Depakine": ("valproate", "valproate"),
    "Zoloft": ("sertraline", "ssri_snri"),
    "Lustral": ("sertraline", "ssri_snri"),
    "Prozac": ("fluoxetine", "ssri_snri"),
    "Celexa": ("citalopram", "ssri_snri"),
    "Cipramil": ("citalopram", "ssri_snri"),
    "Lexapro": ("escitalopram", "ssri_snri"),
    "Cipralex": ("escitalopram", "ssri_snri"),
    "Paxil": ("paroxetine", "ssri_snri"),
    "Seroxat": ("paroxetine", "ssri_snri"),
    "Effexor": ("venlafaxine", "ssri_snri"),
    "Cymbalta": ("duloxetine", "ssri_snri"),
    "Elavil": ("amitriptyline", "tricyclic"),
    "Cordarone": ("amiodarone", "amiodarone"),
    "Pacerone": ("amiodarone", "amiodarone"),
    "Uniphyllin": ("theophylline", "theophylline"),
    "Theo-24": ("theophylline", "theophylline"),
    "Synthroid": ("levothyroxine", "levothyroxine"),
    "Levoxyl": ("levothyroxine", "levothyroxine"),
    "Eltroxin": ("levothyroxine", "levothyroxine"),
    "Prograf": ("tacrolimus", "calcineurin_inhibitor"),
    "Neoral": ("cyclosporine", "calcineurin_inhibitor"),
    "Sandimmune": ("cyclosporine", "calcineurin_inhibitor"),
    "Xenazine": ("tetrabenazine", "vmat2_inhibitor"),
    "Austedo": ("deutetrabenazine", "vmat2_inhibitor"),
    "Ingrezza": ("valbenazine", "vmat2_inhibitor"),
    "Prilosec": ("omeprazole", "ppi"),
    "Losec": ("omeprazole", "ppi"),
    "Nexium": ("esomeprazole", "ppi"),
    "Prevacid": ("lansoprazole", "ppi"),
    "Zoton": ("lansoprazole", "ppi"),
    "Protonix": ("pantoprazole", "ppi"),
    "Lasix": ("furosemide", "diuretic"),
    "Microzide": ("hydrochlorothiazide", "diuretic"),
}


@pytest.mark.parametrize(("brand", "expected"), CLINICAL_BRANDS.items(), ids=list(CLINICAL_BRANDS))
def test_every_brand_name_people_type_maps_to_its_generic_and_drug_class(brand: str, expected: tuple[str, str]) -> None:
    medicine = match_medicine(brand)
    assert medicine is not None
    assert (medicine.code, medicine.drug_class) == expected


@pytest.mark.parametrize(
    ("typed", "generic"),
    [
        ("salbutamol", "salbutamol"),
        ("Albuterol", "albuterol"),
        ("ciclosporin", "cyclosporine"),
        ("Cyclosporine", "cyclosporine"),
        ("  vENTOLIN  ", "salbutamol"),
        ("Ventolin\tEvohaler 100 micrograms", "salbutamol"),
        ("SERTRALINE 50mg", "sertraline"),
        ("sodium valproate", "sodium_valproate"),
        ("Lithium carbonate (Priadel)", "lithium"),
    ],
)
def test_names_match_whatever_the_case_spacing_spelling_or_dose_beside_them(typed: str, generic: str) -> None:
    medicine = match_medicine(typed)
    assert medicine is not None and medicine.code == generic


@pytest.mark.parametrize("typed", ["Herbal tea", "Vitamin D", "coffee", "Ventolins", "", "   "])
def test_a_name_that_matches_nothing_stays_unmatched(typed: str) -> None:
    assert match_medicine(typed) is None


def test_every_generic_of_the_catalogue_matches_itself() -> None:
    assert all(match_medicine(code.replace("_", " ").upper()) == medicine for code, medicine in MEDICINES.items())
    assert all(medicine.drug_class in DRUG_CLASSES for medicine in MEDICINES.values())


@pytest.mark.django_db
def test_a_medication_typed_as_a_brand_is_shown_back_with_its_match_and_class(auth_client) -> None:
    response = auth_client.post("/api/v1/medications/", {"name": "Ventolin Evohaler"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["catalogue_key"]) == ("Ventolin Evohaler", "")
    assert (body["matched_key"], body["drug_class"]) == ("salbutamol", "beta2_agonist")

    renamed = auth_client.patch(f"/api/v1/medications/{body['id']}/", {"name": "Herbal tea"}, format="json").json()
    assert (renamed["matched_key"], renamed["drug_class"]) == ("", "other")


@pytest.mark.django_db
def test_a_catalogue_key_that_names_no_medicine_is_refused_naming_the_field(auth_client) -> None:
    response = auth_client.post(
        "/api/v1/medications/", {"name": "Tea", "catalogue_key": "not-a-medicine"}, format="json"
    )
    assert response.status_code == 400
    assert "catalogue_key" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_the_match_is_pulled_beside_what_the_client_wrote_which_round_trips_unchanged(auth_client) -> None:
    written = {"id": "m1", "name": "Ritalin XL", "catalogue_key": "", "dose": "10 mg", "as_needed": False}
    # A client that sends the server's columns has them ignored, not stored.
    pushed = push(auth_client, changes(medications=[{**written, "drug_class": "other", "matched_key": "lithium"}]))
    assert pushed.status_code == 200, pushed.json()
    (record,) = pull(auth_client)["changes"]["medications"]["created"]
    assert {name: record[name] for name in written} == written
    assert (record["matched_key"], record["drug_class"]) == ("methylphenidate", "stimulant")
