"""The schedule reaches the phone through the sync pull, read-only, from schema version 2."""

from __future__ import annotations

import pytest
import time_machine

from diary.models import Experiment
from tests.insights.experiments.experiment_days import START_MOMENT, start_body

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_start_day():
    with time_machine.travel(START_MOMENT, tick=True):
        yield


def pull(client, **params):
    response = client.get("/api/v1/sync/", {"last_pulled_at": "null", **params})
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_pull_at_schema_version_2_carries_the_experiment_and_every_day(auth_client):
    created = auth_client.post("/api/v1/experiments/", start_body(), format="json").json()

    changes = pull(auth_client, schema_version=2)["changes"]

    (experiment,) = changes["experiments"]["created"]
    assert experiment == {
        "id": created["id"],
        "trigger": "caffeine",
        "label": "Caffeine",
        "start_date": "2026-12-02",
        "end_date": "2026-12-29",
        "status": "active",
        "stopped_on": None,
    }
    days = sorted(changes["experiment_days"]["created"], key=lambda d: d["day"])
    assert [d["assignment"] for d in days] == [d["assignment"] for d in created["days"]]
    assert {d["experiment_id"] for d in days} == {created["id"]}
    assert days[0]["label"] == created["days"][0]["label"]


@pytest.mark.parametrize("params", [{"schema_version": 1}, {}])
def test_an_app_at_schema_version_1_never_gets_the_tables_it_does_not_know(auth_client, params):
    auth_client.post("/api/v1/experiments/", start_body(), format="json")

    changes = pull(auth_client, **params)["changes"]

    assert "experiments" not in changes and "experiment_days" not in changes
    assert "episodes" in changes


def test_a_stop_reaches_the_phone_as_an_update_and_deleted_days(auth_client):
    created = auth_client.post("/api/v1/experiments/", start_body(), format="json").json()
    first = pull(auth_client, schema_version=2)
    with time_machine.travel(START_MOMENT.replace(day=12), tick=True):
        auth_client.post(f"/api/v1/experiments/{created['id']}/stop/")
        later = auth_client.get("/api/v1/sync/", {"last_pulled_at": first["timestamp"], "schema_version": 2}).json()

    (updated,) = later["changes"]["experiments"]["updated"]
    assert updated["status"] == "stopped" and updated["stopped_on"] == "2026-12-12"
    assert len(later["changes"]["experiment_days"]["deleted"]) == 18


@pytest.mark.parametrize("kind", ["created", "updated", "deleted"])
def test_a_push_that_writes_a_read_only_table_is_a_400_and_stores_nothing(auth_client, user, kind):
    created = auth_client.post("/api/v1/experiments/", start_body(), format="json").json()
    record = {"id": created["id"], "trigger": "caffeine", "status": "completed"}
    table = {"created": [], "updated": [], "deleted": []}
    table[kind] = [created["id"]] if kind == "deleted" else [record]

    response = auth_client.post("/api/v1/sync/?last_pulled_at=null", {"experiments": table}, format="json")

    assert response.status_code == 400
    assert "read-only" in response.json()["error"]["fields"]["experiments"][0]
    assert Experiment.objects.get(client_id=created["id"]).status == "active"


def test_a_push_listing_the_read_only_tables_empty_as_the_app_does_is_fine(auth_client):
    empty = {"created": [], "updated": [], "deleted": []}

    response = auth_client.post(
        "/api/v1/sync/?last_pulled_at=null", {"experiments": empty, "experiment_days": empty}, format="json"
    )

    assert response.status_code == 200, response.json()
