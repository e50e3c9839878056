"""Experiments read the day check-ins: a checked-in day with nothing else logged is a known day
(zero episodes, no caffeine), the check-in's "kept today's plan" counts for adherence, and a plan
for a trigger never logged says so before it promises anything."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from diary.models import Experiment
from insights.experiments import selectors
from insights.experiments.known_days import ExperimentDays
from insights.experiments.services import result_payload
from tests.builders import write
from tests.insights.experiments.experiment_days import START, START_MOMENT, days_of, log_day, schedule, start_body

pytestmark = pytest.mark.django_db


def check_in(user, day, **fields) -> None:
    write(user, "day_checkins", [{"id": f"k-{day.isoformat()}", "day": day, **fields}])


@pytest.fixture
def experiment(auth_client, user):
    with time_machine.travel(START_MOMENT, tick=False):
        created = auth_client.post("/api/v1/experiments/", start_body(), format="json").json()
    return Experiment.objects.get(user=user, client_id=created["id"])


def test_a_checked_in_day_with_nothing_else_logged_is_a_known_day_with_no_episodes(user):
    day, unknown = START, START + timedelta(days=1)
    check_in(user, day)

    first, second = selectors.diary_days(user=user, first=day, last=unknown)

    assert (first.logged, first.episodes, first.caffeine_mg) == (True, 0, 0.0)
    assert second.logged is False


def test_a_caffeine_free_day_kept_as_asked_counts_as_kept_with_a_check_in_alone(user, experiment):
    days = schedule(experiment)[:4]
    for day, _ in days:
        check_in(user, day)  # nothing to log on a quiet day, as the instructions say

    so_far = selectors.schedule_and_logs(experiment=experiment, up_to=days[-1][0])

    verdicts = dict(zip([d for d, _ in days], so_far.verdicts(), strict=True))
    for day, assignment in days:
        # A caffeine-free day with no caffeine was kept; a usual day with none was not.
        assert verdicts[day] is (assignment == "without")
    assert so_far.adherence().logged == 4 and so_far.adherence().unknown == 0


def test_the_check_ins_word_on_keeping_the_plan_counts_where_given(user, experiment):
    (day, assignment), (other, other_assignment) = schedule(experiment)[:2]
    # The diary shows the plan broken: a tapped "kept it" does not outweigh the logged drink
    # (n_of_1.day_kept, the rule the validation bench measures too).
    log_day(user, day, caffeine_mg=0 if assignment == "with" else 200)
    check_in(user, day, kept_plan=True)
    # The diary shows the plan kept, but the person says it was not (a coffee not logged): believed.
    log_day(user, other, caffeine_mg=200 if other_assignment == "with" else 0)
    check_in(user, other, kept_plan=False)

    so_far = selectors.schedule_and_logs(experiment=experiment, up_to=other)

    assert so_far.verdicts() == [False, False]
    assert so_far.adherence().not_kept == 2


def test_the_result_counts_checked_in_days_as_zero_episode_days(user, experiment):
    days = schedule(experiment)
    for day, assignment in days:
        if assignment == "with":
            log_day(user, day, episodes=2, caffeine_mg=95, stress=False)
        else:
            check_in(user, day)  # a quiet caffeine-free day: only the check-in
    Experiment.objects.filter(pk=experiment.pk).update(status="completed")

    payload, _ = result_payload(Experiment.objects.select_related("plan").get(pk=experiment.pk))

    itt = payload["itt"]
    assert itt["n_with"] == itt["n_without"] == len(days) // 2
    assert (itt["rate_with"], itt["rate_without"]) == (2.0, 0.0)
    assert payload["adherence"]["kept"] == len(days)


def test_per_protocol_uses_the_kept_days_by_the_persons_word():
    days = days_of(START, 4)
    logs = [
        selectors.n_of_1.DayLog(day, True, episodes, 0.0, False, None, kept_plan=False if day == days[2] else None)
        for day, episodes in zip(days, (4, 1, 3, 0), strict=True)
    ]
    ratio, n_with, n_without = ExperimentDays("caffeine", [True, False, True, False], logs).per_protocol_ratio()

    # Day 1 (with, no caffeine) is not kept by the diary; day 3 not by the person's word.
    assert (ratio, n_with, n_without) == (None, 0, 2)


def test_a_plan_for_a_trigger_never_logged_says_so_before_any_promise(auth_client, user):
    log_day(user, START - timedelta(days=3), episodes=2)

    plan = auth_client.get("/api/v1/experiments/plan/", {"trigger": "exercise", "weeks": 4}).json()

    assert plan["trigger_logged"] is False
    assert plan["sentence"].startswith("Your diary has no exercise logged yet")
    assert plan["sentence"].index("no exercise logged") < plan["sentence"].index("chance")


def test_a_plan_for_a_logged_trigger_goes_straight_to_its_promise(auth_client, user):
    log_day(user, START - timedelta(days=3), episodes=2, caffeine_mg=95)

    plan = auth_client.get("/api/v1/experiments/plan/", {"trigger": "caffeine", "weeks": 4}).json()

    assert (plan["trigger_logged"], plan["trigger_note"]) == (True, None)
    assert plan["sentence"].startswith("Based on")
