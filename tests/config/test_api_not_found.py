"""Unmatched URLs under /api/ answer 404 in the API's error shape; path ids are declared with their pattern."""

from __future__ import annotations

import pytest
from django.test import Client

from diary.tables import CLIENT_ID_PATTERN, TABLES

pytestmark = pytest.mark.django_db

NOT_FOUND = {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}
UNMATCHED = [
    "/api/v1/episodes//",  # an empty path id
    "/api/v1/no-such-thing/",
    "/api/v1/episodes/abc/extra/",
    "/api/v2/episodes/",
    "/api/",
]
# Ids that fail their route's pattern: the route does not match, whoever asks.
MALFORMED_IDS = [
    "/api/v1/episodes/has.a.dot/",
    f"/api/v1/lab-results/{'a' * 65}/",
    "/api/v1/shares/not-a-uuid/",
    "/api/v1/reports/jobs/123/",
    "/api/v1/auth/devices/123/",
    "/api/v1/flags/abc/acknowledge/",
    "/api/v1/flags/-1/seen-doctor/",
]


@pytest.mark.parametrize("debug", [False, True], ids=["production", "development"])
@pytest.mark.parametrize("path", UNMATCHED)
def test_an_unmatched_api_url_answers_404_in_the_error_shape(settings, auth_client, debug, path):
    # In development Django would answer with its HTML debug page.
    settings.DEBUG = debug
    for method in ("get", "post", "delete"):
        response = getattr(auth_client, method)(path)

        assert response.status_code == 404, method
        assert response["Content-Type"] == "application/json"
        assert response.json() == NOT_FOUND


@pytest.mark.parametrize("path", MALFORMED_IDS)
def test_an_id_that_fails_its_pattern_is_a_404_in_the_error_shape(auth_client, path):
    response = auth_client.get(path)

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_an_unmatched_api_url_without_a_token_is_still_a_json_404():
    response = Client().get("/api/v1/episodes//")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize("debug", [False, True], ids=["production", "development"])
def test_a_path_outside_the_api_keeps_djangos_html_404(settings, debug):
    settings.DEBUG = debug
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_api_path_missing_its_trailing_slash_is_still_redirected_to_its_route(auth_client):
    response = auth_client.get("/api/v1/episodes")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/episodes/"


def test_the_schema_declares_every_path_id_with_its_pattern(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    declared: dict[str, dict[str, str]] = {}
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    declared[f"{path} {parameter['name']}"] = parameter["schema"]

    client_ids = {f"/api/v1/{spec.route}/{{id}}/ id" for spec in TABLES.values()}
    assert client_ids <= set(declared)
    for name, parameter in declared.items():
        # Diary records and self-experiments (server-written diary rows) are named by client ids.
        if name in client_ids or name.endswith("experiment_id"):
            assert parameter == {"type": "string", "pattern": CLIENT_ID_PATTERN}, name
        elif name.endswith("flag_id"):
            assert parameter == {"type": "integer"}, name
        else:
            assert parameter == {"type": "string", "format": "uuid"}, name
    names = {name.split()[-1] for name in declared}
    assert names == {"id", "flag_id", "share_id", "job_id", "device_id", "experiment_id"}
