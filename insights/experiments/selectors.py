"""Reads: a user's experiments, each day's assignment, adherence so far and the diary a plan is read from."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from accounts.models import User

# Re-exported: the experiment modules ask their selectors for the user's today.
from accounts.timezones import local_today as local_today
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
from insights.experiments import known_days
from insights.selectors import diary_for_user


def experiment_list(*, user: User) -> QuerySet[Experiment]:
    return Experiment.objects.live().filter(user=user).select_related("plan", "result").order_by("-start_date", "-pk")


def experiment_get(*, user: User, experiment_id: str) -> Experiment:
    experiment = experiment_list(user=user).filter(client_id=experiment_id).first()
    if experiment is None:
        raise NotFound(f"No experiment with id '{experiment_id}'.")
    return experiment


def experiment_active(*, user: User) -> Experiment | None:
    return experiment_list(user=user).filter(status=ExperimentStatus.ACTIVE).first()


def experiments_active_ended_before(*, day: date) -> QuerySet[Experiment]:
    """Every user's active experiments whose end date is before ``day``, with their users."""
    return Experiment.objects.live().filter(status=ExperimentStatus.ACTIVE, end_date__lt=day).select_related("user")


def experiments_ended_since(*, user_id: int, day: date) -> list[int]:
    """The ids of the user's stopped or completed experiments that ended on ``day`` or later."""
    ended = (ExperimentStatus.STOPPED, ExperimentStatus.COMPLETED)
    rows = Experiment.objects.live().filter(user_id=user_id, status__in=ended, end_date__gte=day)
    return list(rows.values_list("pk", flat=True))


def experiment_for_result(*, experiment_id: int) -> Experiment | None:
    """Any user's live experiment by its primary key, with what its result is computed from."""
    return Experiment.objects.live().filter(pk=experiment_id).select_related("user", "plan", "result").first()


def experiment_days(*, experiment: Experiment) -> list[ExperimentDay]:
    """The schedule, live days only: days after an early stop are gone."""
    return list(experiment.days.live().order_by("day"))


def last_day(*, experiment: Experiment) -> date:
    """The last day the experiment ran (or will run): the day before an early stop, else its end."""
    if experiment.stopped_on is not None:
        return min(experiment.end_date, experiment.stopped_on - timedelta(days=1))
    return experiment.end_date


def _local_bounds(user: User, first: date, last: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(user.timezone)
    return datetime.combine(first, time(0), tzinfo=tz), datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)


def diary_days(*, user: User, first: date, last: date) -> list[n_of_1.DayLog]:
    """The diary's days from ``first`` to ``last`` (a day with a check-in is known, and carries the
    check-in's word on keeping the plan: see known_days), one query per table."""
    start, end = _local_bounds(user, first, last)
    return n_of_1.day_logs(diary_for_user(user=user, start=start, end=end), first, last)


def schedule_and_logs(*, experiment: Experiment, up_to: date) -> known_days.ExperimentDays:
    """The assignments, the diary's days and the check-ins' word of every scheduled day up to
    ``up_to`` (included)."""
    days = [d for d in experiment_days(experiment=experiment) if d.day <= up_to]
    if not days:
        return known_days.ExperimentDays(experiment.trigger)
    by_day = {log.day: log for log in diary_days(user=experiment.user, first=days[0].day, last=days[-1].day)}
    return known_days.ExperimentDays(
        experiment.trigger, [d.assignment == "with" for d in days], [by_day[d.day] for d in days]
    )


def adherence_so_far(*, experiment: Experiment, today: date) -> n_of_1.Adherence:
    """Adherence over the days that have passed (today is not over yet)."""
    up_to = min(today - timedelta(days=1), last_day(experiment=experiment))
    return schedule_and_logs(experiment=experiment, up_to=up_to).adherence()


# What each experiment's adherence is read from.
_TRIGGER_TABLES: dict[str, type[DiaryRecord]] = {
    "caffeine": CaffeineIntake,
    "exercise": ExerciseSession,
    "sleep": SleepLog,
}


def trigger_logged(*, user: User, trigger: str) -> bool:
    """Whether the diary has ever logged the trigger the experiment's days are told apart by."""
    return _TRIGGER_TABLES[trigger].objects.live().filter(user=user).exists()


def diary_history(*, user: User, today: date) -> list[n_of_1.DayLog]:
    """The diary's recent days before ``today``, that the plan's promise is read from."""
    return diary_days(
        user=user, first=today - timedelta(days=n_of_1_power.HISTORY_DAYS), last=today - timedelta(days=1)
    )


class TodayAndTomorrow(NamedTuple):
    today: ExperimentDay | None
    tomorrow: ExperimentDay | None


def experiment_today(*, user: User, today: date) -> TodayAndTomorrow:
    """Today's and tomorrow's assignments, if an experiment runs (tomorrow too: an early night is
    kept tonight, for tomorrow's assignment). Two queries."""
    return TodayAndTomorrow(
        experiment_day_on(user=user, day=today), experiment_day_on(user=user, day=today + timedelta(days=1))
    )


def experiment_day_on(*, user: User, day: date) -> ExperimentDay | None:
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
