"""A small, known diary written through the real services, so tests can predict every number.

``write_known_diary`` stores, for the ``days`` local days ending yesterday, episodes on a fixed
pattern with caffeine, sleep, stress, two medications and labs, then recomputes the
insights so flags exist. It returns what the report must show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from accounts.models import User
from insights.selectors import local_today
from insights.services import insights_recompute
from tests.builders import local, write


@dataclass(frozen=True)
class KnownDiary:
    start: date
    end: date
    episodes: int
    days_affected: int
    finger_counts: dict[str, int]
    medication_names: tuple[str, ...]


def write_known_diary(user: User, *, days: int = 20) -> KnownDiary:
    # Ends yesterday, so no entry of the day lies in the future (the services refuse those).
    end = local_today(user) - timedelta(days=1)
    start = end - timedelta(days=days - 1)
    episodes: list[dict[str, Any]] = []
    fingers: dict[str, int] = {}
    affected = set()
    for offset in range(days):
        day = start + timedelta(days=offset)
        # Every third day has none; others have one, and every fourth day a second on the right hand.
        if offset % 3 == 2:
            continue
        plan = [["left_index", "left_middle"]] + ([["right_thumb"]] if offset % 4 == 0 else [])
        for n, sites in enumerate(plan):
            episodes.append(
                {
                    "id": f"ep-{offset}-{n}",
                    "started_at": local(day, 9 + 5 * n + 15 / 60, user.timezone),
                    "duration_s": 40,
                    "body_sites": sites,
                    "character": "twitch",
                    "intensity": 4,
                    "context": "at_rest",
                    "symptoms": ["tingling"] if n else [],
                    "notes": "after coffee" if offset == 0 else "",
                }
            )
            for site in sites:
                fingers[site] = fingers.get(site, 0) + 1
            affected.add(day)
    write(user, "episodes", episodes)
    write(
        user,
        "caffeine_intakes",
        [
            {
                "id": f"caf-{i}",
                "consumed_at": local(start + timedelta(days=i), 8, user.timezone),
                "drink": "brewed_coffee",
                "servings": 2,
            }
            for i in range(days)
        ],
    )
    write(
        user,
        "sleep_logs",
        [
            {
                "id": f"sl-{i}",
                "bed_at": local(start + timedelta(days=i), 6, user.timezone) - timedelta(hours=7, minutes=30),
                "woke_at": local(start + timedelta(days=i), 6, user.timezone),
                "quality": 3,
            }
            for i in range(days)
        ],
    )
    write(
        user,
        "stress_logs",
        [
            {"id": f"st-{i}", "recorded_at": local(start + timedelta(days=i), 20, user.timezone), "level": 5}
            for i in range(days)
        ],
    )
    write(
        user,
        "medications",
        [
            {
                "id": "med-salb",
                "name": "Salbutamol inhaler",
                "catalogue_key": "salbutamol",
                "drug_class": "beta2_agonist",
                "dose": "100 micrograms",
                "started_on": start - timedelta(days=200),
                "as_needed": True,
            },
            {
                "id": "med-sert",
                "name": "Sertraline",
                "catalogue_key": "sertraline",
                "drug_class": "ssri_snri",
                "dose": "50 mg daily",
                "started_on": start + timedelta(days=2),
            },
        ],
    )
    write(
        user,
        "medication_doses",
        [
            {
                "id": f"dose-{i}",
                "medication_id": "med-salb",
                "taken_at": local(start + timedelta(days=i), 7, user.timezone),
                "amount": "2 puffs",
            }
            for i in range(0, days, 5)
        ],
    )
    write(
        user,
        "lab_results",
        [
            {
                "id": "lab-mg",
                "taken_on": start + timedelta(days=1),
                "analyte": "magnesium",
                "value": 0.62,
                "unit": "mmol/L",
                "reference_low": 0.7,
                "reference_high": 1.0,
            },
        ],
    )
    insights_recompute(user_id=user.pk)
    return KnownDiary(start, end, len(episodes), len(affected), fingers, ("Salbutamol inhaler", "Sertraline"))
