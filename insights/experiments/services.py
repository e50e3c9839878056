"""Writes: start an experiment, stop it early, compute its result.

The schedule's rows are diary rows stamped by the user's sync clock, so a pull sends them (and
their changes) exactly like the diary's own. The result is computed once the experiment has
ended, and again only if the days it was computed from have changed (late entries).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from config.errors import Conflict
from diary.models import Experiment, ExperimentDay, ExperimentStatus
from diary.services import new_client_id
from diary.sync_clock import stamp_to_datetime, tick
from insights.analysis import n_of_1, n_of_1_power
from insights.analysis.experiment_designs import DESIGNS
from insights.experiments import presenters, selectors
from insights.experiments.models import ExperimentPlan, ExperimentResult
from insights.selectors import local_today


def _one_at_a_time(active: Experiment) -> Conflict:
    return Conflict(
        f"You already have a {active.label.lower()} experiment running until {active.end_date.isoformat()}: "
        "stop it first, or wait for its result.",
        code="experiment_running",
        fields={"trigger": ["one experiment at a time"]},
    )


def experiment_plan(*, user: User, trigger: str, weeks: int, today: date) -> dict[str, object]:
    """What the planned experiment can show, from the person's own diary, before they commit: the
    diary's recent days (read), the promise's simulation (insights.analysis.n_of_1_power), in words."""
    logged = selectors.trigger_logged(user=user, trigger=trigger)
    history = selectors.diary_history(user=user, today=today)
    variation = n_of_1_power.day_variation([d.episodes for d in history], [d.logged for d in history])
    seed_key = f"{user.pk}:{trigger}:{weeks}"
    chances = n_of_1_power.promised_chances(variation, DESIGNS[trigger], weeks=weeks, seed_key=seed_key)
    return presenters.plan_payload(
        trigger=trigger, weeks=weeks, variation=variation, chances=chances, trigger_logged=logged
    )


def experiment_start(*, user: User, trigger: str, weeks: int, start_date: date | None = None) -> Experiment:
    """Draw the schedule of a checked request (serializers.StartSerializer) from a fresh seed, and
    store it with its promise. No ``start_date`` starts it today."""
    today = local_today(user)
    start_date = start_date or today
    active = selectors.experiment_active(user=user)
    if active is not None:
        raise _one_at_a_time(active)
    design = DESIGNS[trigger]
    promise = experiment_plan(user=user, trigger=trigger, weeks=weeks, today=today)
    seed = secrets.randbits(62)
    n_days = weeks * 7
    schedule = n_of_1.draw_schedule(n_days, design.block_days, seed)
    try:
        with transaction.atomic():
            stamp = stamp_to_datetime(tick(user))
            experiment = Experiment.objects.create(
                user=user,
                client_id=new_client_id(),
                created_at=stamp,
                updated_at=stamp,
                trigger=trigger,
                label=design.label,
                start_date=start_date,
                end_date=start_date + timedelta(days=n_days - 1),
                status=ExperimentStatus.ACTIVE,
            )
            ExperimentDay.objects.bulk_create(
                ExperimentDay(
                    user=user,
                    client_id=new_client_id(),
                    created_at=stamp,
                    updated_at=stamp,
                    experiment=experiment,
                    day=start_date + timedelta(days=offset),
                    assignment="with" if is_with else "without",
                    label=design.with_label if is_with else design.without_label,
                    instruction=design.with_instruction if is_with else design.without_instruction,
                )
                for offset, is_with in enumerate(schedule)
            )
            ExperimentPlan.objects.create(
                experiment=experiment,
                user=user,
                seed=seed,
                weeks=weeks,
                block_days=design.block_days,
                promise=promise,
            )
    except IntegrityError:
        # Another request started one between our check and our insert: the constraint held.
        raced = selectors.experiment_active(user=user)
        if raced is None:
            raise
        raise _one_at_a_time(raced) from None
    return selectors.experiment_get(user=user, experiment_id=experiment.client_id)


def experiment_stop(*, user: User, experiment_id: str, enqueue_result: Callable[[int], Any]) -> Experiment:
    """End the experiment today: today's and later days are withdrawn, the result says it stopped early."""
    experiment = selectors.experiment_get(user=user, experiment_id=experiment_id)
    if experiment.status != ExperimentStatus.ACTIVE:
        raise Conflict(f"This experiment has already {experiment.status}.", code="experiment_ended")
    today = local_today(user=user)
    if today > experiment.end_date:
        raise Conflict("This experiment has already ended; its result comes shortly.", code="experiment_ended")
    with transaction.atomic():
        stamp = stamp_to_datetime(tick(user))
        stopped_on = max(today, experiment.start_date)
        Experiment.objects.filter(pk=experiment.pk).update(
            status=ExperimentStatus.STOPPED, stopped_on=stopped_on, updated_at=stamp
        )
        experiment.days.live().filter(day__gte=stopped_on).update(deleted_at=stamp, updated_at=stamp)
        experiment_pk = experiment.pk
        transaction.on_commit(lambda: enqueue_result(experiment_pk))
    return selectors.experiment_get(user=user, experiment_id=experiment_id)


def result_payload(experiment: Experiment) -> tuple[dict[str, Any], str]:
    """The result's figures and a digest of the days they came from."""
    plan = experiment.plan
    last = selectors.last_day(experiment=experiment)
    days = selectors.schedule_and_logs(experiment=experiment, up_to=last)
    assigned, logs = days.assigned, days.logs
    counts = [log.episodes for log in logs]
    logged = [log.logged for log in logs]
    test = n_of_1.permutation_test(counts, logged, assigned, plan.block_days, seed=plan.seed)
    ratio, pp_with, pp_without = days.per_protocol_ratio()
    adherence = days.adherence()
    days_planned = (experiment.end_date - experiment.start_date).days + 1
    payload = {
        "stopped_early": experiment.stopped_on is not None,
        "days_planned": days_planned,
        "days_run": len(assigned),
        "itt": {
            "n_with": test.n_with,
            "n_without": test.n_without,
            "episodes_with": test.episodes_with,
            "episodes_without": test.episodes_without,
            "rate_with": test.rate_with,
            "rate_without": test.rate_without,
            "rate_ratio": test.rate_ratio,
            "ci_low": test.ci_low,
            "ci_high": test.ci_high,
            "interval_level": n_of_1.INTERVAL_LEVEL,
            "p_value": test.p_value,
            "significant": test.significant,
            "schedules": test.schedules,
            "exact": test.exact,
            "enough": test.enough,
        },
        "per_protocol": {"rate_ratio": ratio, "n_with": pp_with, "n_without": pp_without},
        "adherence": {
            "logged": adherence.logged,
            "kept": adherence.kept,
            "not_kept": adherence.not_kept,
            "unknown": adherence.unknown,
            "without_days": adherence.without_days,
            "without_kept": adherence.without_kept,
        },
    }
    inputs = json.dumps(
        [
            assigned,
            [[log.logged, log.episodes, log.caffeine_mg, log.hard_session, log.sleep_hours] for log in logs],
            days.verdicts(),
        ]
    )
    return payload, hashlib.sha256(inputs.encode()).hexdigest()


def experiment_result_compute(*, experiment_id: int) -> str:
    """Compute (or refresh) the result of an ended experiment. Safe to run twice: the same days
    give the same digest and nothing is written. Returns what it did."""
    experiment = selectors.experiment_for_result(experiment_id=experiment_id)
    if experiment is None or not hasattr(experiment, "plan"):
        return "missing"
    today = local_today(user=experiment.user)
    if experiment.status == ExperimentStatus.ACTIVE and today <= experiment.end_date:
        return "not_ended"
    payload, digest = result_payload(experiment)
    existing = getattr(experiment, "result", None)
    if existing is not None and existing.inputs_digest == digest:
        return "unchanged"
    with transaction.atomic():
        ExperimentResult.objects.update_or_create(
            experiment=experiment,
            defaults={
                "user": experiment.user,
                "computed_at": timezone.now(),
                "inputs_digest": digest,
                "payload": payload,
            },
        )
        if experiment.status == ExperimentStatus.ACTIVE:
            # The status change is news for the phone: stamp it so the next pull carries it.
            stamp = stamp_to_datetime(tick(experiment.user))
            Experiment.objects.filter(pk=experiment.pk, status=ExperimentStatus.ACTIVE).update(
                status=ExperimentStatus.COMPLETED, updated_at=stamp
            )
    return "recomputed" if existing is not None else "computed"
