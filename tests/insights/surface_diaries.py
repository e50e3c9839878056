"""Diaries of every shape a person's first week to third year takes, written through the services.

Each builder takes a user and the frozen "now" (a Monday morning in London) and writes rows with
``tests.builders.write``, as the API would (times placed in UTC; episodes of 40 s at intensity 3).
The surface tests read every one of them through the insights API, the flags, the Monday email, the
PDF and the share page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import numpy as np

from accounts.models import User
from tests.builders import local, values, write

# Monday 4 January 2027, 09:00 in London (UTC in winter): the weekly email covers 28 Dec - 3 Jan.
NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
TZ = "Europe/London"


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def new_this_week(user: User) -> None:
    """Began this morning: last week is wholly before the diary (the issue's from > to link)."""
    write(user, "episodes", [values("episodes", at=local(TODAY, 7.5, "UTC"), id="n1", duration_s=40, intensity=3)])
    write(user, "caffeine_intakes", [{"id": "nc1", "consumed_at": local(TODAY, 7, "UTC"), "drink": "", "mg": 95}])


def three_days(user: User) -> None:
    days = _days(TODAY - timedelta(days=3), TODAY - timedelta(days=1))
    write(
        user,
        "episodes",
        [
            values("episodes", at=local(d, 10 + n, "UTC"), id=f"t{i}-{n}", duration_s=40, intensity=3)
            for i, d in enumerate(days)
            for n in range(2)
        ],
    )
    write(user, "caffeine_intakes", [{"id": "tc1", "consumed_at": local(days[0], 8, "UTC"), "drink": "", "mg": 120}])


def episodes_only(user: User) -> None:
    rng = np.random.default_rng(3)
    rows = []
    for i, day in enumerate(_days(TODAY - timedelta(days=60), TODAY - timedelta(days=1))):
        for n in range(int(rng.poisson(1.5))):
            rows.append(
                values(
                    "episodes",
                    at=local(day, 9 + 2 * n, "UTC"),
                    id=f"eo{i}-{n}",
                    duration_s=40,
                    intensity=3,
                    body_sites=["left_index", "left_middle"],
                )
            )
    write(user, "episodes", rows)


def triggers_only(user: User) -> None:
    days = _days(TODAY - timedelta(days=60), TODAY - timedelta(days=1))
    write(
        user,
        "caffeine_intakes",
        [{"id": f"to{i}", "consumed_at": local(d, 9, "UTC"), "drink": "", "mg": 200} for i, d in enumerate(days)],
    )
    write(
        user,
        "sleep_logs",
        [
            {"id": f"ts{i}", "bed_at": local(d, -1.5, "UTC"), "woke_at": local(d, 6.5, "UTC")}
            for i, d in enumerate(days)
        ],
    )


def stopped_two_weeks_ago(user: User) -> None:
    """Ninety days of diary that ended fifteen days ago."""
    rng = np.random.default_rng(5)
    last = TODAY - timedelta(days=15)
    rows, caffeine = [], []
    for i, day in enumerate(_days(last - timedelta(days=89), last)):
        caffeine.append(
            {
                "id": f"sc{i}",
                "consumed_at": local(day, 8, "UTC"),
                "drink": "",
                "mg": float(rng.choice([0, 95, 190, 290])),
            }
        )
        for n in range(int(rng.poisson(1.2))):
            rows.append(values("episodes", at=local(day, 10 + n, "UTC"), id=f"se{i}-{n}", duration_s=40, intensity=3))
    write(user, "episodes", rows)
    write(user, "caffeine_intakes", caffeine)


def began_mid_week(user: User) -> None:
    """Began on Wednesday 30 December: the emailed week is a partial first week."""
    days = _days(date(2026, 12, 30), TODAY - timedelta(days=1))
    write(
        user,
        "episodes",
        [
            values("episodes", at=local(d, 15, "UTC"), id=f"m{i}", duration_s=40, intensity=3)
            for i, d in enumerate(days)
            if i % 2 == 0
        ],
    )
    write(
        user,
        "stress_logs",
        [{"id": f"ms{i}", "recorded_at": local(d, 20, "UTC"), "level": 4} for i, d in enumerate(days)],
    )


def demo_like(user: User) -> None:
    """120 days like the demo: caffeine-linked twitching that spreads to the right hand, short nights,
    salbutamol with postural tremor within hours of a dose, a low magnesium repeated in range on
    long-term omeprazole, and five brief daytime tingles in one finger during a twitch."""
    rng = np.random.default_rng(120)
    first = TODAY - timedelta(days=120)
    episodes, caffeine, sleep, stress = [], [], [], []
    for i, day in enumerate(_days(first, TODAY - timedelta(days=1))):
        if rng.random() < 0.1:  # an unknown day
            continue
        mg = float(rng.choice([60, 120, 240, 330, 450], p=[0.2, 0.3, 0.25, 0.15, 0.1]))
        caffeine.append({"id": f"dc{i}", "consumed_at": local(day, 8, "UTC"), "drink": "", "mg": mg})
        hours = float(rng.choice([5.5, 6.5, 7.5, 8.0]))
        sleep.append({"id": f"dl{i}", "bed_at": local(day, 6.5 - hours, "UTC"), "woke_at": local(day, 6.5, "UTC")})
        stress.append({"id": f"dt{i}", "recorded_at": local(day, 20, "UTC"), "level": int(rng.integers(1, 7))})
        rate = (1.0 + i / 120) * (2.2 if mg >= 300 else 1.0)
        for n in range(int(rng.poisson(rate))):
            sites = ["left_index"] if i < 40 or rng.random() < 0.5 else ["right_thumb"]
            episodes.append(
                values(
                    "episodes",
                    at=local(day, 9 + n, "UTC"),
                    id=f"de{i}-{n}",
                    duration_s=40,
                    intensity=3,
                    body_sites=sites,
                )
            )
    # Five brief tingles in one finger each, by day, during a twitch: not the median-nerve pattern.
    for n in range(5):
        episodes.append(
            values(
                "episodes",
                at=local(first + timedelta(days=50 + 7 * n), 14.2, "UTC"),
                id=f"dg{n}",
                duration_s=40,
                intensity=3,
                body_sites=["left_index"],
                symptoms=["tingling"],
            )
        )
    write(user, "episodes", episodes)
    write(user, "caffeine_intakes", caffeine)
    write(user, "sleep_logs", sleep)
    write(user, "stress_logs", stress)
    write(
        user,
        "medications",
        [
            {
                "id": "salbutamol",
                "name": "Ventolin",
                "drug_class": "beta2_agonist",
                "started_on": first + timedelta(days=60),
                "as_needed": True,
            },
            {"id": "omeprazole", "name": "Omeprazole", "drug_class": "ppi", "started_on": first - timedelta(days=400)},
        ],
    )
    doses, tremors = [], []
    for n in range(4):
        day = TODAY - timedelta(days=30 - 6 * n)
        doses.append(
            {"id": f"dd{n}", "medication_id": "salbutamol", "taken_at": local(day, 8, "UTC"), "amount": "2 puffs"}
        )
        tremors.append(
            values(
                "episodes",
                at=local(day, 8 + 0.6 + 0.6 * n, "UTC"),
                id=f"dr{n}",
                duration_s=40,
                intensity=3,
                character="tremor",
                context="holding_posture",
                body_sites=["left_hand"],
            )
        )
    write(user, "medication_doses", doses)
    write(user, "episodes", tremors)
    write(
        user,
        "lab_results",
        [
            {
                "id": "mg1",
                "taken_on": TODAY - timedelta(days=45),
                "analyte": "magnesium",
                "value": 0.68,
                "unit": "mmol/L",
                "reference_low": 0.7,
                "reference_high": 1.0,
            },
            {
                "id": "mg2",
                "taken_on": TODAY - timedelta(days=20),
                "analyte": "magnesium",
                "value": 0.76,
                "unit": "mmol/L",
                "reference_low": 0.7,
                "reference_high": 1.0,
            },
        ],
    )


def dense_three_years(user: User) -> None:
    """Three years of a kept diary, kept fast: an episode most days, caffeine and sleep every day."""
    rng = np.random.default_rng(1095)
    days = _days(TODAY - timedelta(days=1095), TODAY - timedelta(days=1))
    episodes = [
        values(
            "episodes",
            at=local(d, 11, "UTC"),
            id=f"ye{i}",
            duration_s=40,
            intensity=3,
            body_sites=["right_index"] if i % 3 else ["left_index"],
        )
        for i, d in enumerate(days)
        if rng.random() < 0.7
    ]
    write(user, "episodes", episodes)
    write(
        user,
        "caffeine_intakes",
        [
            {"id": f"yc{i}", "consumed_at": local(d, 8, "UTC"), "drink": "", "mg": float(rng.choice([95, 190, 285]))}
            for i, d in enumerate(days)
        ],
    )
    write(
        user,
        "sleep_logs",
        [
            {
                "id": f"ys{i}",
                "bed_at": local(d, -1, "UTC"),
                "woke_at": local(d, 6 + float(rng.choice([0, 0.5, 1])), "UTC"),
            }
            for i, d in enumerate(days)
        ],
    )


def finished_experiment(user: User) -> None:
    """Four weeks of a caffeine experiment that ended a week ago, with its result computed."""
    import time_machine

    from diary.models import Experiment
    from insights.experiments import services

    start = TODAY - timedelta(days=35)
    with time_machine.travel(local(start - timedelta(days=1), 10, "UTC"), tick=False):
        experiment = services.experiment_start(user=user, trigger="caffeine", weeks=4, start_date=start)
    rng = np.random.default_rng(28)
    rows, stress, caffeine = [], [], []
    for day, assignment in experiment.days.order_by("day").values_list("day", "assignment"):
        stress.append({"id": f"xs{day}", "recorded_at": local(day, 20, "UTC"), "level": 3})
        with_caffeine = assignment == "with"
        caffeine.append(
            {"id": f"xc{day}", "consumed_at": local(day, 8, "UTC"), "drink": "", "mg": 190.0 if with_caffeine else 0.0}
        )
        n = int(rng.poisson(2.0 if with_caffeine else 1.4))
        rows += [
            values("episodes", at=local(day, 10 + k, "UTC"), id=f"xe{day}-{k}", duration_s=40, intensity=3)
            for k in range(n)
        ]
    write(user, "episodes", rows)
    write(user, "stress_logs", stress)
    write(user, "caffeine_intakes", caffeine)
    with time_machine.travel(NOW, tick=False):
        services.experiment_result_compute(experiment_id=Experiment.objects.get(pk=experiment.pk).pk)


DIARIES: dict[str, Callable[[User], None]] = {
    "new_this_week": new_this_week,
    "three_days": three_days,
    "episodes_only": episodes_only,
    "triggers_only": triggers_only,
    "stopped_two_weeks_ago": stopped_two_weeks_ago,
    "began_mid_week": began_mid_week,
    "demo_like": demo_like,
    "dense_three_years": dense_three_years,
    "finished_experiment": finished_experiment,
}
