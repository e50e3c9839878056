"""The diary's REST API: the values the server derives (caffeine mg, a medicine's class, a dose's medication)."""

from __future__ import annotations

from tests.builders import payload
from tests.diary.rest_calls import url


def test_caffeine_mg_comes_from_the_drink_times_the_servings(auth_client, user):
    response = auth_client.post(
        url("caffeine_intakes"),
        payload("caffeine_intakes", user=user, drink="brewed_coffee", servings=1.5),
        format="json",
    )

    assert response.json()["mg"] == 144.0


def test_changing_the_servings_recomputes_mg_unless_mg_is_sent(auth_client, user):
    record_id = auth_client.post(url("caffeine_intakes"), payload("caffeine_intakes", user=user), format="json").json()[
        "id"
    ]

    assert auth_client.patch(url("caffeine_intakes", record_id), {"servings": 3}, format="json").json()["mg"] == 189.0
    assert (
        auth_client.patch(url("caffeine_intakes", record_id), {"servings": 1, "mg": 70}, format="json").json()["mg"]
        == 70
    )


def test_caffeine_without_a_drink_needs_mg(auth_client, user):
    response = auth_client.post(
        url("caffeine_intakes"), payload("caffeine_intakes", user=user, drink=""), format="json"
    )

    assert response.status_code == 400
    assert "mg" in response.json()["error"]["fields"]


def test_a_medications_drug_class_comes_from_the_catalogue(auth_client, user):
    body = payload("medications", user=user, catalogue_key="salbutamol", drug_class="other")

    response = auth_client.post(url("medications"), body, format="json")

    assert response.json()["drug_class"] == "beta2_agonist"


def test_a_medication_outside_the_catalogue_is_in_class_other(auth_client, user):
    body = payload("medications", user=user, name="Herbal tea", catalogue_key="")

    response = auth_client.post(url("medications"), body, format="json")

    assert response.json()["drug_class"] == "other"
    assert (
        auth_client.patch(
            url("medications", response.json()["id"]), {"catalogue_key": "lithium"}, format="json"
        ).json()["drug_class"]
        == "lithium"
    )


def test_a_dose_names_its_medication_by_the_medications_id(auth_client, user):
    response = auth_client.post(url("medication_doses"), payload("medication_doses", user=user), format="json")

    assert response.json()["medication_id"] == "payload-medication"
