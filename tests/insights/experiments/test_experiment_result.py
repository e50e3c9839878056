"""The result job: computed once the experiment ends, refreshed by late entries, safe to run twice.

In the embedded default Celery runs the jobs in-process; with REDIS_URL set they travel through
the real broker to a real worker, and the tests wait for what the worker wrote.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from config.celery_app import app as celery_app
from diary.models import Experiment
from insights.experiments import services
from insights.experiments.models import ExperimentResult
from insights.experiments.tasks import sweep
from tests.insights.experiments.experiment_days import START, START_MOMENT, log_day, schedule, start_body

# The worker thread has a connection of its own, so the rows must really be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def celery_jobs() -> Iterator[None]:
    """Eager: the jobs ran as they were queued. With a broker: a real worker on the insights queue."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        yield
        return
    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=["insights"], shutdown_timeout=30):
        yield


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


AFTER_END = START_MOMENT + timedelta(days=29)  # 31 December: the 28 days ran 2-29 December


@pytest.fixture
def experiment(auth_client, user):
    with time_machine.travel(START_MOMENT, tick=False):
        created = auth_client.post("/api/v1/experiments/", start_body(), format="json").json()
    return Experiment.objects.get(user=user, client_id=created["id"])


def _log_schedule(user, experiment, *, with_episodes, without_episodes, skip=()):
    """Log every scheduled day; each arm's counts cycle through its own list, so days vary.

    Each arm walks its own list (its k-th day gets the k-th count) rather than following the day's
    place in the schedule: the schedule is drawn at random, and the arms' totals must not depend on
    which places it gave each arm.
    """
    logged = {"with": 0, "without": 0}
    for n, (day, assignment) in enumerate(schedule(experiment)):
        if n in skip:
            continue
        is_with = assignment == "with"
        counts = with_episodes if is_with else without_episodes
        log_day(user, day, episodes=counts[logged[assignment] % len(counts)], caffeine_mg=100 if is_with else 0)
        logged[assignment] += 1


def test_the_sweep_computes_the_result_once_the_last_day_has_passed_and_marks_it_completed(
    auth_client, user, experiment
):
    with time_machine.travel(AFTER_END, tick=True):
        _log_schedule(user, experiment, with_episodes=[2, 3, 4, 5], without_episodes=[0, 1, 2, 1])
        with celery_jobs():
            assert sweep.apply().get() == 1
            assert wait_for(lambda: Experiment.objects.filter(pk=experiment.pk, status="completed").exists())
        body = auth_client.get(f"/api/v1/experiments/{experiment.client_id}/").json()

    result = body["result"]
    assert body["status"] == "completed" and result["stopped_early"] is False
    itt = result["itt"]
    ratio = itt["episodes_with"] / itt["episodes_without"]
    assert (itt["n_with"], itt["n_without"]) == (14, 14) and itt["rate_ratio"] == pytest.approx(ratio) and ratio > 2
    assert itt["significant"] and itt["p_value"] < 0.05 and 1 < itt["ci_low"] < ratio < itt["ci_high"]
    assert result["per_protocol"] == {"rate_ratio": pytest.approx(ratio), "n_with": 14, "n_without": 14}
    assert result["sentence"].startswith(
        f"What it showed: in your experiment, usual caffeine days had {ratio:.1f} times as many episodes as "
        "caffeine-free days"
    )
    assert "not a diagnosis" in result["sentence"] and "cause" not in result["sentence"]


def test_the_sweep_leaves_a_running_experiment_alone(user, experiment):
    with time_machine.travel(START_MOMENT + timedelta(days=27), tick=False):
        assert sweep.apply().get() == 0
    assert not ExperimentResult.objects.exists()


def test_running_the_job_twice_changes_nothing_and_late_entries_refresh_the_result(user, experiment):
    with time_machine.travel(AFTER_END, tick=True):
        _log_schedule(user, experiment, with_episodes=[2, 1], without_episodes=[2, 3], skip={0, 1, 2, 3})
        assert services.experiment_result_compute(experiment_id=experiment.pk) == "computed"
        first = ExperimentResult.objects.get(experiment=experiment)
        assert services.experiment_result_compute(experiment_id=experiment.pk) == "unchanged"
        assert first.payload["itt"]["n_with"] + first.payload["itt"]["n_without"] == 24

        # A late entry for one of the experiment's days arrives through the diary as usual.
        with celery_jobs():
            log_day(user, START, episodes=5)
            assert wait_for(
                lambda: ExperimentResult.objects.get(experiment=experiment).inputs_digest != first.inputs_digest
            )

    refreshed = ExperimentResult.objects.get(experiment=experiment)
    assert refreshed.payload["itt"]["n_with"] + refreshed.payload["itt"]["n_without"] == 25


def test_too_few_logged_days_give_no_comparison_and_say_why(auth_client, user, experiment):
    with time_machine.travel(AFTER_END, tick=False):
        log_day(user, START, episodes=1)
        services.experiment_result_compute(experiment_id=experiment.pk)
        result = auth_client.get(f"/api/v1/experiments/{experiment.client_id}/").json()["result"]

    assert result["itt"]["enough"] is False and result["itt"]["p_value"] is None
    assert "too few logged days" in result["sentence"]
