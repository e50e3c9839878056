"""The experiment tests' start date and logged days, written through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from accounts.models import User
from diary.models import Experiment
from tests.builders import local, values, write

# Noon in London is noon UTC in winter: every test day is the same day in both.
START = date(2026, 12, 2)
START_MOMENT = local(START)


def log_day(
    user: User, day: date, *, episodes: int = 0, caffeine_mg: float = 0, stress: bool = True, tag: str = ""
) -> None:
    """A logged day: a stress rating (so the day counts as logged), its episodes and its caffeine."""
    key = f"{day.isoformat()}{tag}"
    if stress:
        write(user, "stress_logs", [values("stress_logs", at=local(day), id=f"s-{key}", level=3)])
    if episodes:
        rows = [values("episodes", at=local(day, 12 + n / 60), id=f"e-{key}-{n}", intensity=3) for n in range(episodes)]
        write(user, "episodes", rows)
    if caffeine_mg:
        write(
            user,
            "caffeine_intakes",
            [values("caffeine_intakes", at=local(day), id=f"c-{key}", drink="", mg=caffeine_mg)],
        )


def schedule(experiment: Experiment) -> list[tuple[date, str]]:
    return list(experiment.days.filter(deleted_at__isnull=True).order_by("day").values_list("day", "assignment"))


def days_of(start: date, n: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def start_body(**fields: Any) -> dict[str, Any]:
    return {"trigger": "caffeine", "weeks": 4, "start_date": START.isoformat(), **fields}
