"""Stored insights and flags: recompute, the API, acknowledging and reopening, isolation."""

from __future__ import annotations

import pytest
from django.utils import timezone

from insights.models import Flag, InsightState
from insights.services import insights_recompute
from tests.builders import days_ago, values, write

pytestmark = pytest.mark.django_db


def episodes_over(user, *, days, sites, prefix="e", **fields):
    """One default episode a day for ``days`` days ending yesterday, at the given sites."""
    rows = [
        values("episodes", at=days_ago(days - n), id=f"{prefix}{n}", body_sites=sites, **fields) for n in range(days)
    ]
    write(user, "episodes", rows)


def flag_rows(user):
    return sorted(Flag.objects.filter(user=user).values_list("rule_id", "severity", "fingerprint", "status", "active"))


def test_a_recompute_stores_flags_and_running_it_twice_gives_the_same_result(user):
    episodes_over(user, days=20, sites=["left_index"])
    insights_recompute(user_id=user.pk)
    first = (flag_rows(user), InsightState.objects.get(user=user).associations)
    insights_recompute(user_id=user.pk)
    second = (flag_rows(user), InsightState.objects.get(user=user).associations)
    assert first == second
    assert ("R1", "see_doctor") in [(rule, severity) for rule, severity, *_ in first[0]]
    assert InsightState.objects.get(user=user).recompute_count == 2


def test_the_flags_endpoint_lists_active_flags_with_their_evidence_and_source(auth_client, user):
    episodes_over(user, days=20, sites=["left_index"])
    insights_recompute(user_id=user.pk)
    flags = auth_client.get("/api/v1/flags/").json()
    persistence = next(f for f in flags if f["rule_id"] == "R1")
    assert persistence["status"] == "open"
    assert persistence["regions"] == ["left_hand"]
    assert len(persistence["evidence_entry_ids"]) == 20
    assert "NHS" in persistence["source"]
    assert "you have" not in persistence["wording"].lower()


def test_an_acknowledged_flag_stays_quiet_until_a_new_region_reopens_it(auth_client, user):
    episodes_over(user, days=20, sites=["left_index"])
    insights_recompute(user_id=user.pk)
    flag = Flag.objects.get(user=user, rule_id="R1")
    response = auth_client.post(f"/api/v1/flags/{flag.pk}/acknowledge/")
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"

    write(
        user,
        "episodes",
        [
            {
                "id": "more-left",
                "started_at": days_ago(0.5),
                "duration_s": 10,
                "body_sites": ["left_middle"],
                "character": "twitch",
                "intensity": 2,
            }
        ],
    )
    insights_recompute(user_id=user.pk)
    assert Flag.objects.get(pk=flag.pk).status == "acknowledged"  # same region, same severity: quiet

    episodes_over(user, days=16, sites=["right_thumb"], prefix="r")
    insights_recompute(user_id=user.pk)
    reopened = Flag.objects.get(pk=flag.pk)
    assert reopened.status == "open"
    assert reopened.regions == ["left_hand", "right_hand"]
    assert reopened.reopened_count == 1


def test_seen_a_doctor_quietens_a_flag_until_its_severity_rises(auth_client, user):
    episodes_over(user, days=5, sites=["left_index"])
    episodes_over(user, days=5, sites=["right_index"], prefix="r")
    insights_recompute(user_id=user.pk)
    spread = Flag.objects.get(user=user, rule_id="R2")
    assert spread.severity == "see_doctor"
    assert auth_client.post(f"/api/v1/flags/{spread.pk}/seen-doctor/").json()["status"] == "seen_doctor"
    write(
        user,
        "episodes",
        [
            {
                "id": "weak",
                "started_at": days_ago(0.2),
                "duration_s": 10,
                "body_sites": ["left_thumb"],
                "character": "twitch",
                "intensity": 4,
                "symptoms": ["weakness"],
            }
        ],
    )
    insights_recompute(user_id=user.pk)
    assert Flag.objects.get(user=user, rule_id="R3").status == "open"


def test_a_flag_that_no_longer_fires_leaves_the_list(auth_client, user):
    write(
        user,
        "lab_results",
        [
            {
                "id": "mg",
                "taken_on": days_ago(3).date(),
                "analyte": "magnesium",
                "value": 0.6,
                "unit": "mmol/L",
                "reference_low": 0.7,
                "reference_high": 1.0,
            }
        ],
    )
    insights_recompute(user_id=user.pk)
    assert [f["rule_id"] for f in auth_client.get("/api/v1/flags/").json()] == ["L1"]
    auth_client.delete("/api/v1/lab-results/mg/")
    insights_recompute(user_id=user.pk)
    assert auth_client.get("/api/v1/flags/").json() == []


def test_nobody_can_see_or_acknowledge_another_users_flags(user, make_user, client_for):
    episodes_over(user, days=20, sites=["left_index"])
    insights_recompute(user_id=user.pk)
    flag = Flag.objects.get(user=user, rule_id="R1")
    mallory = client_for(make_user(email="mallory@example.org"))
    assert mallory.get("/api/v1/flags/").json() == []
    for action in ("acknowledge", "seen-doctor"):
        response = mallory.post(f"/api/v1/flags/{flag.pk}/{action}/")
        assert response.status_code == 404
    assert Flag.objects.get(pk=flag.pk).status == "open"


def test_insights_say_how_many_more_days_are_needed_once_a_trigger_is_logged(auth_client, user):
    episodes_over(user, days=10, sites=["left_index"])
    coffee = {"consumed_at": timezone.now().isoformat(), "drink": "espresso"}
    assert auth_client.post("/api/v1/caffeine-intakes/", coffee, format="json").status_code == 201
    insights_recompute(user_id=user.pk)
    body = auth_client.get("/api/v1/insights/").json()
    assert body["sufficiency"]["enough"] is False
    assert body["status"].startswith("Not enough data yet: ")
    assert body["status"].endswith("more days of logging.")


def test_insights_with_no_trigger_logged_say_what_to_log_not_how_many_days(auth_client, user):
    episodes_over(user, days=10, sites=["left_index"])
    insights_recompute(user_id=user.pk)
    body = auth_client.get("/api/v1/insights/").json()
    assert body["sufficiency"]["enough"] is False
    # More days of episodes alone can never make a test: no count of days is promised.
    assert body["status"] == (
        "No trigger logged yet: log caffeine, sleep, stress or exercise beside your episodes to test them."
    )
    assert body["associations"] == []
    assert "Holm correction" in body["method"]
    # Every daily trigger is listed as not tested yet, with the days still to log.
    tested = {a["trigger"]: a for a in body["tested"]}
    assert set(tested) == {"caffeine", "sleep", "stress", "exercise"}
    assert {a["status"] for a in tested.values()} == {"not_testable"}
    assert {a["status_text"] for a in tested.values()} == {"not testable yet"}
    # Nothing but episodes was logged: no trigger gets a "more days" figure, and each says what to log.
    assert all(a["days_needed"] is None and a["n_days"] == 0 for a in tested.values())
    assert all(a["sentence"].startswith("You have not logged ") for a in tested.values())
    assert all(a["rate_ratio"] is None and a["direction"] == "not_tested" for a in tested.values())


def test_insights_before_any_recompute_say_there_is_not_enough_data(auth_client):
    body = auth_client.get("/api/v1/insights/").json()
    assert body["computed_at"] is None
    assert body["status"] == "Not enough data yet."


def test_the_causes_endpoint_lists_the_thirteen_documented_causes_without_login(api_client):
    body = api_client.get("/api/v1/insights/causes/").json()
    assert len(body["causes"]) == 13
    assert all(cause["sources"] for cause in body["causes"])
    assert {rule["id"] for rule in body["flag_rules"]} >= {"R1", "R2", "R8", "R20", "L1"}
    assert "harmless" in body["context"]


def test_the_demo_users_planted_caffeine_link_and_spread_are_found():
    from django.core.management import call_command

    from accounts.models import User

    call_command("seed_demo", "--quiet")
    demo = User.objects.get(email="demo@twitchlog.example")
    state = insights_recompute(user_id=demo.pk)
    reported = [a["trigger"] for a in state.associations if a["significant"]]
    assert "caffeine" in reported


def test_the_insights_endpoint_shows_each_trigger_as_the_users_own_high_days_against_low_days(client_for):
    from django.core.management import call_command

    from accounts.models import User

    call_command("seed_demo", "--quiet")
    demo = User.objects.get(email="demo@twitchlog.example")
    insights_recompute(user_id=demo.pk)
    body = client_for(demo).get("/api/v1/insights/").json()
    caffeine = next(a for a in body["associations"] if a["trigger"] == "caffeine")
    assert caffeine["status"] == "linked" and caffeine["status_text"] == "linked in the diary"
    assert caffeine["significant"] is True and caffeine["direction"] == "more"
    assert caffeine["comparison"].startswith("your higher-caffeine days (about ")
    assert " mg" in caffeine["comparison"]
    # Led by the lower bound, which a finding keeps above 1.
    assert 1 < caffeine["ci_low"] <= caffeine["rate_ratio"] <= caffeine["ci_high"]
    assert f"at least {caffeine['ci_low']:.1f} times as many episodes" in caffeine["sentence"]
    assert caffeine["q_value"] <= 0.05 and caffeine["days_needed"] is None
    assert "corrected (Holm)" in caffeine["method"]
    assert caffeine["clinician_sentence"].startswith("Caffeine (")
    statuses = {a["trigger"]: a["status"] for a in body["tested"]}
    assert set(statuses) >= {"caffeine", "sleep", "stress", "exercise"}
    assert set(statuses.values()) <= {"linked", "possible", "not_clear", "no_sign", "not_testable"}
    for association in body["tested"]:
        if association["status"] == "no_sign":
            assert association["ci_high"] < 1.5
        if association["days_needed"] is not None and association["status"] in ("possible", "not_clear"):
            assert association["days_needed_chance"] >= 0.5
    spread = Flag.objects.get(user=demo, rule_id="R2")
    assert {"left_hand", "right_hand"} <= set(spread.regions)
    # The low magnesium was repeated in range, and most of the cramps were not while writing.
    assert not Flag.objects.filter(user=demo, rule_id__in=("L1", "R10"), active=True).exists()


def potassium(client_id: str, days: float, value: float) -> dict:
    return {
        "id": client_id,
        "taken_on": days_ago(days).date(),
        "analyte": "potassium",
        "value": value,
        "unit": "mmol/L",
        "reference_low": 3.5,
        "reference_high": 5.1,
    }


def test_the_lab_flag_names_its_test_value_range_and_date_and_a_normal_repeat_resolves_it(auth_client, user):
    low = potassium("k1", 20, 3.2)
    taken = low["taken_on"]
    write(user, "lab_results", [low])
    insights_recompute(user_id=user.pk)
    (flag,) = auth_client.get("/api/v1/flags/").json()
    assert flag["rule_id"] == "L1"
    assert flag["detail"] == f"Potassium 3.2 mmol/L (range 3.5-5.1) on {taken.day} {taken:%b %Y}"
    assert flag["clinician_wording"] == "Latest electrolyte result below the laboratory reference range"
    assert "seed" not in flag["source"] and "MSD Manual" in flag["source"]

    write(user, "lab_results", [potassium("k2", 2, 4.1)])
    insights_recompute(user_id=user.pk)
    assert auth_client.get("/api/v1/flags/").json() == []
    assert len(auth_client.get("/api/v1/lab-results/").json()["results"]) == 2


def test_a_medicine_typed_by_its_brand_before_the_first_episode_raises_the_medicine_flag(auth_client, user):
    started = days_ago(30).date().isoformat()
    response = auth_client.post("/api/v1/medications/", {"name": "ventolin", "started_on": started}, format="json")
    assert response.json()["drug_class"] == "beta2_agonist"
    episodes_over(user, days=2, sites=["left_index"])
    insights_recompute(user_id=user.pk)
    flag = next(f for f in auth_client.get("/api/v1/flags/").json() if f["rule_id"] == "R7")
    assert flag["detail"].startswith("ventolin (salbutamol; beta-2 agonist (asthma inhaler)) started ")
