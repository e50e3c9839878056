"""The self-experiment API: start, plan, today, stop, refusals, and one user never sees another's."""

from __future__ import annotations

from collections import Counter

import pytest
import time_machine

from diary.models import Experiment, ExperimentDay
from insights.analysis import n_of_1
from insights.analysis.experiment_designs import DESIGNS, MEDICINE_REFUSAL
from insights.experiments import services
from insights.experiments.models import ExperimentPlan
from tests.insights.experiments.experiment_days import START, START_MOMENT, schedule, start_body

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_start_day():
    with time_machine.travel(START_MOMENT, tick=False):
        yield


def test_starting_an_experiment_stores_a_balanced_schedule_that_its_seed_redraws(auth_client, user):
    response = auth_client.post("/api/v1/experiments/", start_body(weeks=6), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    experiment = Experiment.objects.get(user=user, client_id=body["id"])
    days = schedule(experiment)
    assert len(days) == 42 and days[0][0] == START and body["end_date"] == "2027-01-12"
    plan = ExperimentPlan.objects.get(experiment=experiment)
    assert [a == "with" for _, a in days] == n_of_1.draw_schedule(42, plan.block_days, plan.seed)
    # Balanced within every pair of 2-day blocks; the odd 21st block goes either way.
    kinds = [a for _, a in days]
    for pair in range(10):
        assert Counter(kinds[pair * 4 : pair * 4 + 4]) == {"with": 2, "without": 2}
    assert [d["assignment"] for d in body["days"]] == kinds
    assert body["plan"]["chance_doubling"] is not None and body["phase"] == "running"


def test_the_plan_states_the_chances_before_anything_is_stored(auth_client, user):
    response = auth_client.get("/api/v1/experiments/plan/", {"trigger": "exercise", "weeks": 8})

    assert response.status_code == 200, response.json()
    plan = response.json()
    assert 0 <= plan["chance_one_and_a_half"] <= plan["chance_doubling"] <= 1
    assert plan["based_on"]["from_prior"] is True and "typical diary" in plan["sentence"]
    assert plan["safety_note"] == DESIGNS["exercise"].safety_note
    assert not Experiment.objects.filter(user=user).exists()


def test_a_second_experiment_while_one_runs_is_a_409(auth_client):
    assert auth_client.post("/api/v1/experiments/", start_body(), format="json").status_code == 201

    response = auth_client.post("/api/v1/experiments/", start_body(trigger="exercise"), format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "experiment_running"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"weeks": 3}, "weeks"),
        ({"weeks": 9}, "weeks"),
        ({"weeks": "six"}, "weeks"),
        ({"weeks": True}, "weeks"),
        ({"start_date": "2026-12-01"}, "start_date"),
        ({"start_date": "02/12/2026"}, "start_date"),
        ({"trigger": "moonlight"}, "trigger"),
        ({"trigger": ""}, "trigger"),
        ({"trigger": "stress"}, "trigger"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(auth_client, user, fields, field):
    response = auth_client.post("/api/v1/experiments/", start_body(**fields), format="json")

    assert response.status_code == 400, response.json()
    assert list(response.json()["error"]["fields"]) == [field]
    assert not Experiment.objects.filter(user=user).exists()


def test_a_start_yesterday_is_refused_as_the_past_in_the_users_timezone(make_user, client_for):
    # 12:00 UTC on 2 December is already 3 December in Auckland: the 2nd is the past there.
    kiwi = make_user(timezone="Pacific/Auckland")

    response = client_for(kiwi).post("/api/v1/experiments/", start_body(), format="json")

    assert response.status_code == 400
    assert "2026-12-03" in response.json()["error"]["fields"]["start_date"][0]


@pytest.mark.parametrize(
    "trigger",
    [
        "medication:abc123",
        "salbutamol",
        "Inhaler",
        "beta2_agonist",
        "caffeine tablets",
        # Any name the medicine catalogue knows: brands, doses, devices, other spellings.
        "Ventolin",
        "Zoloft",
        "Sertraline 50 mg",
        "ventolin evohaler",
        "albuterol",
    ],
)
def test_a_medicine_is_refused_with_advice_to_talk_to_a_doctor(auth_client, trigger):
    response = auth_client.post("/api/v1/experiments/", start_body(trigger=trigger), format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "medicine_not_allowed" and error["message"] == MEDICINE_REFUSAL
    assert "doctor" in error["message"]
    assert auth_client.get("/api/v1/experiments/plan/", {"trigger": trigger, "weeks": 4}).status_code == 400


def test_today_says_which_kind_of_day_it_is(auth_client, user):
    created = auth_client.post("/api/v1/experiments/", start_body(), format="json").json()

    today = auth_client.get("/api/v1/experiments/today/").json()

    assert today["experiment_id"] == created["id"] and today["date"] == START.isoformat()
    assert today["assignment"] == created["days"][0]["assignment"]
    assert today["label"] in (DESIGNS["caffeine"].with_label, DESIGNS["caffeine"].without_label)
    assert today["tomorrow"]["date"] == "2026-12-03"
    assert today["tomorrow"]["assignment"] == created["days"][1]["assignment"]


def test_today_without_an_experiment_says_nothing(auth_client):
    assert auth_client.get("/api/v1/experiments/today/").json()["assignment"] is None


def test_stopping_early_withdraws_the_remaining_days_and_the_result_says_so(auth_client, user):
    created = auth_client.post("/api/v1/experiments/", start_body(), format="json").json()
    with time_machine.travel(START_MOMENT.replace(day=12), tick=False):
        response = auth_client.post(f"/api/v1/experiments/{created['id']}/stop/")
        # The stop queues this job on commit (test_experiment_result.py runs it through Celery).
        services.experiment_result_compute(experiment_id=Experiment.objects.get(client_id=created["id"]).pk)

    assert response.status_code == 200, response.json()
    experiment = Experiment.objects.get(client_id=created["id"])
    assert experiment.status == "stopped" and experiment.stopped_on.isoformat() == "2026-12-12"
    assert len(schedule(experiment)) == 10
    assert ExperimentDay.objects.filter(experiment=experiment, deleted_at__isnull=False).count() == 18
    result = auth_client.get(f"/api/v1/experiments/{created['id']}/").json()["result"]
    assert result["stopped_early"] is True and result["days_run"] == 10
    assert result["sentence"].startswith("You stopped this experiment early, after 10 of 28 days")
    # Once stopped, a new experiment may start.
    assert auth_client.post("/api/v1/experiments/", start_body(trigger="sleep"), format="json").status_code == 201
    assert auth_client.post(f"/api/v1/experiments/{created['id']}/stop/").status_code == 409


def test_the_list_holds_only_my_experiments_and_another_users_id_is_a_404(auth_client, make_user, client_for):
    theirs = client_for(make_user()).post("/api/v1/experiments/", start_body(), format="json").json()["id"]
    mine = auth_client.post("/api/v1/experiments/", start_body(), format="json").json()["id"]

    assert [e["id"] for e in auth_client.get("/api/v1/experiments/").json()] == [mine]
    assert auth_client.get(f"/api/v1/experiments/{theirs}/").status_code == 404
    assert auth_client.post(f"/api/v1/experiments/{theirs}/stop/").status_code == 404
    assert Experiment.objects.get(client_id=theirs).status == "active"


def test_requests_without_a_token_get_401(api_client):
    assert api_client.get("/api/v1/experiments/").status_code == 401
    assert api_client.post("/api/v1/experiments/", start_body(), format="json").status_code == 401
