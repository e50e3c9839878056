"""Reads: a user's experiments, each day's assignment, adherence so far and the plan's promise."""

from __future__ import annotations

import zlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from config.errors import NotFound
from diary.models import (
    CaffeineIntake,
    DiaryRecord,
    ExerciseSession,
    Experiment,
    ExperimentDay,
    ExperimentStatus,
    SleepLog,
)
from insights.analysis import n_of_1, n_of_1_power
from insights.analysis.experiment_designs import ASSUMED_ADHERENCE, DESIGNS
from insights.experiments import known_days
from insights.selectors import diary_for_user

# The effects the promise is stated for: a doubling and a 1.5x change.
PROMISED_EFFECTS = (2.0, 1.5)


def local_today(user: User, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(ZoneInfo(user.timezone)).date()


def experiment_list(user: User) -> QuerySet[Experiment]:
    return Experiment.objects.live().filter(user=user).select_related("plan", "result").order_by("-start_date", "-pk")


def experiment_get(user: User, experiment_id: str) -> Experiment:
    experiment = experiment_list(user).filter(client_id=experiment_id).first()
    if experiment is None:
        raise NotFound(f"No experiment with id '{experiment_id}'.")
    return experiment


def experiment_active(user: User) -> Experiment | None:
    return experiment_list(user).filter(status=ExperimentStatus.ACTIVE).first()


def experiment_days(experiment: Experiment) -> list[ExperimentDay]:
    """The schedule, live days only: days after an early stop are gone."""
    return list(experiment.days.live().order_by("day"))


def last_day(experiment: Experiment) -> date:
    """The last day the experiment ran (or will run): the day before an early stop, else its end."""
    if experiment.stopped_on is not None:
        return min(experiment.end_date, experiment.stopped_on - timedelta(days=1))
    return experiment.end_date


def _local_bounds(user: User, first: date, last: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(user.timezone)
    return datetime.combine(first, time(0), tzinfo=tz), datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)


def diary_days(user: User, first: date, last: date) -> list[n_of_1.DayLog]:
    """The diary's days from ``first`` to ``last`` (a day with a check-in is known, and carries the
    check-in's word on keeping the plan: see known_days), one query per table."""
    start, end = _local_bounds(user, first, last)
    return n_of_1.day_logs(diary_for_user(user, start=start, end=end), first, last)


def schedule_and_logs(experiment: Experiment, up_to: date) -> known_days.ExperimentDays:
    """The assignments, the diary's days and the check-ins' word of every scheduled day up to
    ``up_to`` (included)."""
    days = [d for d in experiment_days(experiment) if d.day <= up_to]
    if not days:
        return known_days.ExperimentDays(experiment.trigger)
    by_day = {log.day: log for log in diary_days(experiment.user, days[0].day, days[-1].day)}
    return known_days.ExperimentDays(
        experiment.trigger, [d.assignment == "with" for d in days], [by_day[d.day] for d in days]
    )


def adherence_so_far(experiment: Experiment, today: date) -> n_of_1.Adherence:
    """Adherence over the days that have passed (today is not over yet)."""
    return schedule_and_logs(experiment, min(today - timedelta(days=1), last_day(experiment))).adherence()


# What each experiment's adherence is read from: the table, and what the diary calls it.
_TRIGGER_LOGS: dict[str, tuple[type[DiaryRecord], str, str]] = {
    "caffeine": (CaffeineIntake, "caffeine", "every coffee, tea, cola or energy drink"),
    "exercise": (ExerciseSession, "exercise", "every exercise session"),
    "sleep": (SleepLog, "sleep", "every night's sleep"),
}


def trigger_note(user: User, trigger: str) -> str | None:
    """What to say first when the person has never logged the trigger: the experiment's days
    are told apart by those entries, so no chance is worth promising before saying so."""
    model, noun, what = _TRIGGER_LOGS[trigger]
    if model.objects.live().filter(user=user).exists():
        return None
    return (
        f"Your diary has no {noun} logged yet, so it cannot tell yet which days kept the plan. "
        f"During the experiment, log {what} and check in each day; if you never have any {noun}, "
        "this experiment has nothing to test."
    )


def experiment_plan(user: User, trigger: str, weeks: int, today: date) -> dict[str, object]:
    """What the planned experiment can show, from the person's own diary, before they commit."""
    design = DESIGNS[trigger]
    note = trigger_note(user, trigger)
    history = diary_days(user, today - timedelta(days=n_of_1_power.HISTORY_DAYS), today - timedelta(days=1))
    variation = n_of_1_power.day_variation([d.episodes for d in history], [d.logged for d in history])
    n_days = weeks * 7
    chances = {
        effect: n_of_1_power.design_power(
            variation,
            design,
            weeks=weeks,
            rate_ratio=effect,
            # The same question gets the same answer: the simulation's seed is the question's.
            seed=zlib.crc32(f"{user.pk}:{trigger}:{weeks}:{effect}".encode()),
        )
        for effect in PROMISED_EFFECTS
    }
    return {
        "trigger": trigger,
        "label": design.label,
        "weeks": weeks,
        "days": n_days,
        "block_days": design.block_days,
        "with_label": design.with_label,
        "without_label": design.without_label,
        "design": (
            f"{n_days} days in blocks of {design.block_days}; each pair of blocks has one of each kind in an order "
            f"drawn at random. {design.block_reason}"
        ),
        "safety_note": design.safety_note,
        "sources": list(design.sources),
        "chance_doubling": round(chances[2.0], 2),
        "chance_one_and_a_half": round(chances[1.5], 2),
        "based_on": {
            "logged_days": variation.logged_days,
            "episodes_per_day": round(variation.rate, 2),
            "extra_variation": round(variation.extra_variance, 2),
            "logged_share": round(variation.logged_share, 2),
            "assumed_adherence": ASSUMED_ADHERENCE,
            "from_prior": variation.from_prior,
        },
        "trigger_logged": note is None,
        "trigger_note": note,
        # The note comes before any promise.
        "sentence": " ".join(
            filter(None, (note, promise_sentence(design.label, weeks, chances[2.0], chances[1.5], variation)))
        ),
    }


def _in_ten(chance: float) -> str:
    tenths = round(chance * 10)
    if tenths >= 10:
        return "more than 9 in 10"
    if tenths <= 0:
        return "less than 1 in 10"
    return f"about {tenths} in 10"


def promise_sentence(
    label: str, weeks: int, doubling: float, one_and_a_half: float, v: n_of_1_power.DayVariation
) -> str:
    basis = (
        f"Based on a typical diary, since yours has {v.logged_days} logged days so far"
        if v.from_prior
        else f"Based on your last {v.logged_days} logged days (about {v.rate:.1f} episodes a day, and how they vary)"
    )
    return (
        f"{basis}: if {label.lower()} doubled your episodes, a {weeks}-week experiment would have "
        f"{_in_ten(doubling)} chance of showing it; for a 1.5 times change, {_in_ten(one_and_a_half)}. "
        "This assumes you keep to about 85 in 100 of the assigned days and log most days."
    )


def experiment_day_on(user: User, day: date) -> ExperimentDay | None:
    """The live assignment of ``day`` in the user's active experiment, if any."""
    return (
        ExperimentDay.objects.live()
        .filter(
            user=user,
            day=day,
            experiment__status=ExperimentStatus.ACTIVE,
            experiment__deleted_at__isnull=True,
        )
        .select_related("experiment")
        .first()
    )
