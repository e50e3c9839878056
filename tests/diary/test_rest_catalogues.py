"""The diary's REST API: the public catalogues (drinks, medicines, body sites, terms)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("name", "key"), [("drinks", "items"), ("medicines", "items"), ("body-sites", "items"), ("terms", "characters")]
)
def test_catalogues_are_public_versioned_and_cacheable(api_client, name, key):
    response = api_client.get(f"/api/v1/catalogues/{name}/")

    assert response.status_code == 200
    assert response.json()["version"] >= 1
    assert response.json()[key]
    etag = response["ETag"]
    again = api_client.get(f"/api/v1/catalogues/{name}/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag


def test_the_medicine_catalogue_gives_each_medicine_its_class_and_known_link(api_client):
    items = {item["code"]: item for item in api_client.get("/api/v1/catalogues/medicines/").json()["items"]}

    assert items["salbutamol"]["drug_class"]["code"] == "beta2_agonist"
    assert "tremor" in items["salbutamol"]["drug_class"]["link"]


def test_the_body_site_catalogue_says_which_sites_are_fingers(api_client):
    items = {item["code"]: item for item in api_client.get("/api/v1/catalogues/body-sites/").json()["items"]}

    assert items["left_index"] == {
        "code": "left_index",
        "label": "left index finger",
        "side": "left",
        "part": "index",
        "region": "left_hand",
        "is_finger": True,
    }
    assert items["tongue"]["side"] is None
    assert items["tongue"]["is_finger"] is False


def test_the_terms_catalogue_lists_every_vocabulary(api_client):
    terms = api_client.get("/api/v1/catalogues/terms/").json()

    assert {"twitch", "tremor"} <= {t["code"] for t in terms["characters"]}
    assert {t["code"] for t in terms["exercise_intensities"]} == {"light", "moderate", "vigorous"}
    assert "magnesium" in {t["code"] for t in terms["lab_analytes"]}
    assert "perioral_tingling" in {t["code"] for t in terms["symptoms"]}
    assert "writing_typing" in {t["code"] for t in terms["contexts"]}
