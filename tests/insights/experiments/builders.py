"""Diary rows and experiments for the experiment tests, written through the real services."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from accounts.models import User
from diary.models import Experiment
from tests.insights.diary_builder import write

# Noon in London is noon UTC in winter: every test day is the same day in both.
START = date(2026, 12, 2)
START_MOMENT = datetime.combine(START, time(12), tzinfo=UTC)


def at_noon(day: date, minute: int = 0) -> datetime:
    return datetime.combine(day, time(12, minute), tzinfo=UTC)


def log_day(
    user: User, day: date, *, episodes: int = 0, caffeine_mg: float = 0, stress: bool = True, tag: str = ""
) -> None:
    """A logged day: a stress rating (so the day counts as logged), its episodes and its caffeine."""
    key = f"{day.isoformat()}{tag}"
    if stress:
        write(user, "stress_logs", [{"id": f"s-{key}", "recorded_at": at_noon(day), "level": 3}])
    if episodes:
        write(
            user,
            "episodes",
            [
                {
                    "id": f"e-{key}-{n}",
                    "started_at": at_noon(day, n),
                    "duration_s": 20,
                    "body_sites": ["left_index"],
                    "character": "twitch",
                    "intensity": 3,
                }
                for n in range(episodes)
            ],
        )
    if caffeine_mg:
        write(
            user, "caffeine_intakes", [{"id": f"c-{key}", "consumed_at": at_noon(day), "drink": "", "mg": caffeine_mg}]
        )


def schedule(experiment: Experiment) -> list[tuple[date, str]]:
    return list(experiment.days.filter(deleted_at__isnull=True).order_by("day").values_list("day", "assignment"))


def days_of(start: date, n: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def start_body(**fields: Any) -> dict[str, Any]:
    return {"trigger": "caffeine", "weeks": 4, "start_date": START.isoformat(), **fields}
