"""One valid REST payload per diary table, and ways to store many records quickly.

``payload(table, user=...)`` is what the phone would POST; ``at`` places the record in
time (its time field and the fields that go with it), so range filters can be tested
for every table alike. A dose needs a medication, so its payload first gives the user one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from diary import services
from diary.models import DayCheckin
from diary.serializers import SERIALIZERS
from diary.services import RecordWrite, TableChanges, changes_apply, with_defaults
from diary.tables import TABLES

MEDICATION_ID = "payload-medication"


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _ensure_medication(user: User, client_id: str = MEDICATION_ID) -> str:
    if not TABLES["medications"].model.objects.filter(user=user, client_id=client_id).exists():
        services.record_save(
            user=user,
            table="medications",
            client_id=client_id,
            values={"name": "Salbutamol inhaler", "catalogue_key": "salbutamol"},
        )
    return client_id


def free_checkin_day(user: User, day: date, taken: Collection[date] = ()) -> date:
    """``day``, or the latest day before it with no live check-in of the user's (nor in ``taken``):
    a person has one check-in a day, and a second for the same day replaces the first, so tests
    that store several records of every table give check-ins days of their own."""
    used = set(DayCheckin.objects.live().filter(user=user).values_list("day", flat=True)) | set(taken)
    while day in used:
        day -= timedelta(days=1)
    return day


def _samples(rate_hz: int = 50, seconds: int = 12, frequency_hz: float = 5.0) -> dict[str, list[float]]:
    """A short, clean accelerometer recording: a 5 Hz wave on x and y, gravity on z."""
    t = [i / rate_hz for i in range(rate_hz * seconds)]
    wave = [round(0.3 * math.sin(2 * math.pi * frequency_hz * s), 4) for s in t]
    return {"x": wave, "y": [round(0.5 * w, 4) for w in wave], "z": [9.81 + 0.01 * (i % 3) for i in range(len(t))]}


_BUILDERS: dict[str, Callable[[User, datetime], dict[str, Any]]] = {
    "episodes": lambda user, at: {
        "started_at": _iso(at),
        "duration_s": 30,
        "body_sites": ["left_index", "left_middle"],
        "character": "twitch",
        "intensity": 4,
        "context": "at_rest",
        "symptoms": ["tingling"],
        "notes": "after coffee",
    },
    "caffeine_intakes": lambda user, at: {"consumed_at": _iso(at), "drink": "espresso", "servings": 2},
    "sleep_logs": lambda user, at: {"bed_at": _iso(at - timedelta(hours=7)), "woke_at": _iso(at), "quality": 3},
    "stress_logs": lambda user, at: {"recorded_at": _iso(at), "level": 6},
    "medications": lambda user, at: {
        "name": "Sertraline",
        "catalogue_key": "sertraline",
        "dose": "50 mg",
        "started_on": at.date().isoformat(),
        "as_needed": False,
    },
    "medication_doses": lambda user, at: {
        "medication_id": _ensure_medication(user),
        "taken_at": _iso(at),
        "amount": "2 puffs",
    },
    "exercise_sessions": lambda user, at: {
        "started_at": _iso(at),
        "duration_min": 40,
        "intensity": "vigorous",
        "kind": "running",
    },
    "tremor_recordings": lambda user, at: {
        "recorded_at": _iso(at),
        "hand": "right",
        "posture": "rest",
        "sample_rate_hz": 50,
        "samples": _samples(),
    },
    "lab_results": lambda user, at: {
        "taken_on": at.date().isoformat(),
        "analyte": "magnesium",
        "value": 0.8,
        "unit": "mmol/L",
        "reference_low": 0.7,
        "reference_high": 1.0,
    },
    "day_checkins": lambda user, at: {
        "day": free_checkin_day(user, at.date()).isoformat(),
        "no_twitches": True,
        "kept_plan": None,
        "utc_offset_min": 60,
    },
}

# A valid change to one field of each table, for PATCH.
CHANGES: dict[str, dict[str, Any]] = {
    "episodes": {"intensity": 7},
    "caffeine_intakes": {"servings": 3},
    "sleep_logs": {"quality": 5},
    "stress_logs": {"level": 9},
    "medications": {"dose": "100 mg"},
    "medication_doses": {"amount": "1 puff"},
    "exercise_sessions": {"duration_min": 55},
    "lab_results": {"value": 0.95},
    "tremor_recordings": {"posture": "postural"},
    "day_checkins": {"kept_plan": True},
}

assert set(_BUILDERS) == set(TABLES) == set(CHANGES), "every table in TABLES needs a payload here"


def payload(table: str, *, user: User, at: datetime | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid REST body for ``table``, placed at ``at`` (an hour ago by default)."""
    body = _BUILDERS[table](user, at or timezone.now() - timedelta(hours=1))
    body.update(overrides)
    return body


def service_values(table: str, body: dict[str, Any]) -> dict[str, Any]:
    """A REST body read by the table's serializer, as the services take it."""
    serializer = SERIALIZERS[table](data=body)
    serializer.is_valid(raise_exception=True)
    return serializer.column_values()


def store(user: User, table: str, *, client_id: str | None = None, **kwargs: Any) -> Any:
    """Store one record through the service, as REST would."""
    body = payload(table, user=user, **kwargs)
    return services.record_save(user=user, table=table, client_id=client_id, values=service_values(table, body))


def store_many(user: User, table: str, count: int, *, prefix: str = "bulk") -> list[str]:
    """Store ``count`` records in one service call (one stamp, as one sync push would); their ids."""
    now = timezone.now()
    medications = (
        [_ensure_medication(user, f"{prefix}-med-{i}") for i in range(10)] if table == "medication_doses" else []
    )
    writes = []
    days: list[date] = []
    for i in range(count):
        body = payload(table, user=user, at=now - timedelta(minutes=15 + i))
        if table == "day_checkins":
            days.append(free_checkin_day(user, now.date(), days))
            body["day"] = days[-1].isoformat()
        if medications:
            body["medication_id"] = medications[i % len(medications)]
        values = with_defaults(TABLES[table], service_values(table, body))
        writes.append(RecordWrite(client_id=f"{prefix}-{i}", values=values, path=f"{table}.created[{i}]"))
    changes_apply(user=user, changes={table: TableChanges(upserts=writes, deletions=[])}, since=None)
    return [w.client_id for w in writes]
