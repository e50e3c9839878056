"""An experiment in words and as the API's payload: the same figures for the app, email and report.

Wording says what the experiment showed, as the randomisation allows, and never what the person
has: "in your experiment, usual caffeine days had 1.8 times as many episodes", never "caffeine
causes your twitching" and never a diagnosis.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from accounts.models import User
from diary.models import Experiment, ExperimentDay, ExperimentStatus
from insights import wording
from insights.analysis import n_of_1, n_of_1_power
from insights.analysis.experiment_designs import ASSUMED_ADHERENCE, DESIGNS
from insights.experiments import selectors
from insights.experiments.models import ExperimentPhase

_ONE_DAY = timedelta(days=1)

METHOD = (
    "Randomised N-of-1 design: days in blocks, paired, the order within each pair drawn at random; "
    "intention to treat over logged days; one-sided permutation test over the schedules the design allowed; "
    f"rate ratio with a {wording.EFFECT_INTERVAL} by inverting the same test."
)


# What the diary calls each experiment's trigger, and what to log of it.
_TRIGGER_WORDS: dict[str, tuple[str, str]] = {
    "caffeine": ("caffeine", "every coffee, tea, cola or energy drink"),
    "exercise": ("exercise", "every exercise session"),
    "sleep": ("sleep", "every night's sleep"),
}


def trigger_note(trigger: str) -> str:
    """What to say first when the person has never logged the trigger: the experiment's days
    are told apart by those entries, so no chance is worth promising before saying so."""
    noun, what = _TRIGGER_WORDS[trigger]
    return (
        f"Your diary has no {noun} logged yet, so it cannot tell yet which days kept the plan. "
        f"During the experiment, log {what} and check in each day; if you never have any {noun}, "
        "this experiment has nothing to test."
    )


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
        f"{wording.chance_words(doubling, open_ends=True)} chance of showing it; for a 1.5 times change, "
        f"{wording.chance_words(one_and_a_half, open_ends=True)}. "
        "This assumes you keep to about 85 in 100 of the assigned days and log most days."
    )


def plan_payload(
    *,
    trigger: str,
    weeks: int,
    variation: n_of_1_power.DayVariation,
    chances: dict[float, float],
    trigger_logged: bool,
) -> dict[str, object]:
    """What the planned experiment can show (the plan's answer and the promise stored with it)."""
    design = DESIGNS[trigger]
    note = None if trigger_logged else trigger_note(trigger)
    n_days = weeks * 7
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
        "trigger_logged": trigger_logged,
        "trigger_note": note,
        # The note comes before any promise.
        "sentence": " ".join(
            filter(None, (note, promise_sentence(design.label, weeks, chances[2.0], chances[1.5], variation)))
        ),
    }


def _ratio(value: float | None) -> str:
    return "\u2013" if value is None else wording.times(value)


def interval_text(low: float | None, high: float | None) -> str:
    lo = "below 0.1" if low is None else f"{low:.1f}"
    hi = "above 50" if high is None else f"{high:.1f}"
    return f"{wording.EFFECT_INTERVAL} {lo} to {hi}"


def result_sentence(experiment: Experiment, result: dict[str, Any]) -> str:
    """What the experiment showed, what it could not rule out, and what to do next, in words a
    patient will not read as "it isn't caffeine" when the interval still allows a doubling."""
    design = DESIGNS[experiment.trigger]
    itt = result["itt"]
    stopped = (
        f"You stopped this experiment early, after {result['days_run']} of {result['days_planned']} days. "
        if result["stopped_early"]
        else ""
    )
    if not itt["enough"]:
        return (
            f"{stopped}Your experiment has too few logged days to compare ({itt['n_with']} {design.with_days} "
            f"and {itt['n_without']} {design.without_days} logged; {n_of_1.MIN_DAYS_PER_ARM} of each are needed). "
            "It cannot say either way; you could run it again when you can log most days."
        )
    if itt["rate_ratio"] is None:
        return f"{stopped}No episodes were logged on the {design.without_days}, so there is no ratio to give."
    ratio = (
        f"{design.with_days} had {_ratio(itt['rate_ratio'])} times as many episodes as "
        f"{design.without_days} ({interval_text(itt['ci_low'], itt['ci_high'])}; "
        f"{itt['n_with']} and {itt['n_without']} logged days)"
    )
    if itt["significant"]:
        return (
            f"{stopped}What it showed: in your experiment, {ratio}. A difference this large would come up by "
            f"chance in about {max(1, round(itt['p_value'] * 100))} in 100 schedules or fewer, so your experiment "
            "showed more episodes on those days. It is a result about your days, not a diagnosis. What next: you "
            f"could try more {design.without_days} and see whether the twitching eases, and tell your doctor."
        )
    low, high = itt["ci_low"] or 0.0, itt["ci_high"]
    plan = getattr(experiment, "plan", None)
    chance = (plan.promise or {}).get("chance_doubling") if plan else None
    planned = f" The plan had {wording.chance_words(float(chance))} chance of showing a doubling." if chance else ""
    if high is not None and high < wording.NO_SIGN_BELOW:
        return (
            f"{stopped}What it showed: in your experiment, {ratio}. Even the top of that range is below "
            f"{wording.times(wording.NO_SIGN_BELOW)} times, so a large effect on your twitching is unlikely. What "
            f"next: you need not change your {design.label.lower()} habits for the twitching's sake."
        )
    allows = wording.allows_words(low, high if high is not None else 50.0)
    return (
        f"{stopped}What it showed: in your experiment, {ratio}; that could well be chance, so it is no clear "
        f"difference. What it could not rule out: {allows}, so it does not show that {design.label.lower()} makes "
        f"no difference to your twitching.{planned} What next: a longer experiment would give a clearer answer."
    )


def clinician_sentence(experiment: Experiment, result: dict[str, Any]) -> str:
    itt, pp = result["itt"], result["per_protocol"]
    if not itt["enough"] or itt["rate_ratio"] is None:
        return f"Self-experiment ({experiment.label.lower()}): too few logged days for a comparison."
    p = itt["p_value"]
    return (
        f"Self-experiment ({experiment.label.lower()}, randomised, {result['days_run']} days): rate ratio "
        f"{itt['rate_ratio']:.2f} ({interval_text(itt['ci_low'], itt['ci_high'])}), one-sided permutation "
        f"p = {p:.3f}; per protocol {_ratio(pp['rate_ratio'])} ({pp['n_with']} vs {pp['n_without']} kept days)."
    )


def adherence_payload(adherence: n_of_1.Adherence) -> dict[str, Any]:
    share = adherence.share_kept
    return {
        "days_so_far": adherence.days_so_far,
        "logged": adherence.logged,
        "kept": adherence.kept,
        "not_kept": adherence.not_kept,
        "unknown": adherence.unknown,
        "without_days": adherence.without_days,
        "without_kept": adherence.without_kept,
        "share_kept": None if share is None else round(share, 3),
    }


def day_payload(day: ExperimentDay, kept: bool | None = None) -> dict[str, Any]:
    return {
        "date": day.day.isoformat(),
        "assignment": day.assignment,
        "label": day.label,
        "instruction": day.instruction,
        "kept": kept,
    }


def phase(experiment: Experiment, today: date) -> ExperimentPhase:
    """upcoming | running | awaiting_result | stopped | completed, for the app's wording."""
    if experiment.status != ExperimentStatus.ACTIVE:
        return ExperimentPhase(experiment.status)
    if today < experiment.start_date:
        return ExperimentPhase.UPCOMING
    return ExperimentPhase.RUNNING if today <= experiment.end_date else ExperimentPhase.AWAITING_RESULT


def today_payload(today: date, day: ExperimentDay | None, tomorrow: ExperimentDay | None) -> dict[str, Any]:
    """Today's assignment (nulls when no experiment runs today) and tomorrow's."""
    return {
        "experiment_id": day.experiment.client_id if day else None,
        "date": today.isoformat(),
        "assignment": day.assignment if day else None,
        "label": day.label if day else None,
        "instruction": day.instruction if day else None,
        "tomorrow": day_payload(tomorrow) if tomorrow else None,
    }


def experiment_payload(experiment: Experiment, today: date, *, with_days: bool = True) -> dict[str, Any]:
    days = selectors.experiment_days(experiment=experiment) if with_days else []
    passed = min(today, selectors.last_day(experiment=experiment) + _ONE_DAY) - _ONE_DAY
    so_far = selectors.schedule_and_logs(experiment=experiment, up_to=passed)
    kept = {log.day: verdict for log, verdict in zip(so_far.logs, so_far.verdicts(), strict=True)}
    plan = getattr(experiment, "plan", None)
    result = getattr(experiment, "result", None)
    payload: dict[str, Any] = {
        "id": experiment.client_id,
        "trigger": experiment.trigger,
        "label": experiment.label,
        "start_date": experiment.start_date.isoformat(),
        "end_date": experiment.end_date.isoformat(),
        "stopped_on": experiment.stopped_on.isoformat() if experiment.stopped_on else None,
        "status": experiment.status,
        "phase": phase(experiment, today),
        "seed": plan.seed if plan else None,
        "block_days": plan.block_days if plan else None,
        "plan": plan.promise if plan else None,
        "adherence": adherence_payload(so_far.adherence()),
        "result": None,
    }
    if result is not None:
        payload["result"] = {
            **result.payload,
            "computed_at": result.computed_at.isoformat(),
            "sentence": result_sentence(experiment, result.payload),
            "clinician_sentence": clinician_sentence(experiment, result.payload),
            "method": METHOD,
        }
    if with_days:
        payload["days"] = [day_payload(d, kept.get(d.day)) for d in days]
    return payload


def progress_line(experiment: Experiment, today: date) -> str:
    """One line on how the experiment is going or what it showed, for the weekly email."""
    result = getattr(experiment, "result", None)
    if result is not None:
        return (
            f"Your {experiment.label.lower()} experiment has its result. {result_sentence(experiment, result.payload)}"
        )
    design = DESIGNS[experiment.trigger]
    current = phase(experiment, today)
    if current == ExperimentPhase.UPCOMING:
        starts = wording.weekday_text(experiment.start_date, full=True)
        return f"Your {experiment.label.lower()} experiment starts on {starts}."
    adherence = selectors.adherence_so_far(experiment=experiment, today=today)
    total = (experiment.end_date - experiment.start_date).days + 1
    kept = (
        f"you kept {adherence.without_kept} of {adherence.without_days} {design.without_days} so far"
        if adherence.without_days
        else "no day has passed yet"
    )
    if current == ExperimentPhase.AWAITING_RESULT:
        return f"Your {experiment.label.lower()} experiment has ended ({kept}); its result comes shortly."
    return f"Your {experiment.label.lower()} experiment: day {adherence.days_so_far + 1} of {total}; {kept}."


# Once an experiment's result is in, the Monday email carries it for this many weeks.
RESULT_IN_EMAIL_DAYS = 14


def weekly_email_line(user: User, week_end: date) -> str:
    """The one line the Monday email carries for the week ending ``week_end`` ("" when there is none):
    the running experiment's progress, or a recent result."""
    monday = week_end + _ONE_DAY
    for experiment in selectors.experiment_list(user=user)[:2]:
        if experiment.status == ExperimentStatus.ACTIVE or experiment.end_date >= monday - timedelta(
            days=RESULT_IN_EMAIL_DAYS
        ):
            return progress_line(experiment, monday)
    return ""
