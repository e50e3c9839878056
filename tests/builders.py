"""The suite's one test-data builder: one default record per diary table, and the three ways a test has it.

``DEFAULTS`` holds the one default record of every table, as the services take its columns; its time
is an hour before now unless ``at`` places it. Every way below starts from it, and any column can be
overridden by keyword:

- analysis records (insights.analysis.records) for the pure engine tests: ``episode_record``,
  ``medication_record``, ``tremor_record`` and ``diary``;
- unsaved things: ``values`` (the columns as the services take them), ``row`` (a model row, for
  ``bulk_create``), ``payload`` (a REST body, as the phone POSTs it) and ``wire`` (a record as a
  WatermelonDB app pushes it);
- written through the services, as the API would: ``write`` (rows given in full), ``store`` and
  ``store_many`` (default records), ``populate_every_table``.

``local(day, hour, tz)`` is the one local-time helper: the instant of ``hour`` o'clock on ``day`` in
the zone ``tz`` (``days_ago`` counts back from today in UTC). ``UserFactory`` makes users as sign-up does.
"""

from __future__ import annotations

import itertools
import json
import math
import time as wall_clock
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from accounts.models import User
from accounts.services import device_token_create
from diary import services
from diary.catalogues.drinks import caffeine_mg
from diary.catalogues.medicines import drug_class_of
from diary.models import DayCheckin
from diary.serializers import SERIALIZERS
from diary.services import RecordWrite, TableChanges, changes_apply, with_defaults
from diary.tables import TABLES
from insights.analysis.records import Diary, EpisodeRecord, MedicationRecord, TremorRecord

PASSWORD = "a-long-enough-passphrase"
# The medication a default dose is of; ``payload`` and ``store`` give the user one first.
MEDICATION_ID = "payload-medication"
_ids = itertools.count(1)


# The zone of the suite's person (the ``user`` fixture lives in London).
ZONE = "Europe/London"


def local(day: date, hour: float = 12.0, tz: str = ZONE) -> datetime:
    """The instant (in UTC) of ``hour`` o'clock on ``day`` in ``tz``; an hour below 0 or past 24
    reaches into the day before or after."""
    return (datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)) + timedelta(hours=hour)).astimezone(UTC)


def days_ago(days: float, hour: float = 12.0) -> datetime:
    """``hour`` o'clock UTC today, ``days`` days ago (a fraction of a day allowed)."""
    return local(timezone.now().date(), hour, "UTC") - timedelta(days=days)


def _samples(rate_hz: int = 50, seconds: int = 12, frequency_hz: float = 5.0) -> dict[str, list[float]]:
    """A short, clean accelerometer recording: a 5 Hz wave on x and y, gravity on z."""
    t = [i / rate_hz for i in range(rate_hz * seconds)]
    wave = [round(0.3 * math.sin(2 * math.pi * frequency_hz * s), 4) for s in t]
    return {"x": wave, "y": [round(0.5 * w, 4) for w in wave], "z": [9.81 + 0.01 * (i % 3) for i in range(len(t))]}


# The one default record of each table (its time and date columns come from ``at``).
DEFAULTS: dict[str, dict[str, Any]] = {
    "episodes": {
        "duration_s": 20,
        "body_sites": ["left_index"],
        "character": "twitch",
        "intensity": 4,
        "context": "",
        "symptoms": [],
        "notes": "",
    },
    "caffeine_intakes": {"drink": "espresso", "servings": 2},
    "sleep_logs": {"quality": 3},  # seven hours, waking at ``at``
    "stress_logs": {"level": 6},
    "medications": {"name": "Sertraline", "catalogue_key": "sertraline", "dose": "50 mg", "as_needed": False},
    "medication_doses": {"medication_id": MEDICATION_ID, "amount": "2 puffs"},
    "exercise_sessions": {"duration_min": 40, "intensity": "vigorous", "kind": "running"},
    "tremor_recordings": {"hand": "right", "posture": "rest", "sample_rate_hz": 50},
    "lab_results": {
        "analyte": "magnesium",
        "value": 0.8,
        "unit": "mmol/L",
        "reference_low": 0.7,
        "reference_high": 1.0,
    },
    "day_checkins": {"no_twitches": True, "kept_plan": None, "utc_offset_min": 60},
}
SLEEP_HOURS = 7

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

assert set(DEFAULTS) == set(TABLES) == set(CHANGES), "every table in TABLES needs a default record here"


def _timed(table: str, at: datetime) -> dict[str, Any]:
    """The time and date columns of a ``table`` record placed at ``at``."""
    if table == "sleep_logs":
        return {"bed_at": at - timedelta(hours=SLEEP_HOURS), "woke_at": at}
    if table == "medications":
        return {"started_on": at.date()}
    if table == "lab_results":
        return {"taken_on": at.date()}
    if table == "day_checkins":
        return {"day": at.date()}
    if table == "tremor_recordings":
        return {"recorded_at": at, "samples": _samples()}
    field = {
        "episodes": "started_at",
        "caffeine_intakes": "consumed_at",
        "stress_logs": "recorded_at",
        "medication_doses": "taken_at",
        "exercise_sessions": "started_at",
    }[table]
    return {field: at}


def _an_hour_ago() -> datetime:
    return timezone.now() - timedelta(hours=1)


def values(table: str, *, at: datetime | None = None, **overrides: Any) -> dict[str, Any]:
    """The default ``table`` record's columns as the services take them, placed at ``at`` (an hour
    ago by default), with ``overrides`` (an ``id`` among them, for ``write``)."""
    record = {**DEFAULTS[table], **_timed(table, at or _an_hour_ago())}
    record = {k: list(v) if isinstance(v, list) else v for k, v in record.items()}
    record.update(overrides)
    return record


# --- Analysis records -----------------------------------------------------------------------


def episode_record(day: date, hour: float = 12.0, tz: str = ZONE, **overrides: Any) -> EpisodeRecord:
    """The default episode as the analysis reads it, at ``hour`` on ``day`` in ``tz`` (an empty
    context is None there)."""
    v = values("episodes", at=local(day, hour, tz))
    fields = {
        "id": f"ep{next(_ids)}",
        "started_at": v["started_at"],
        "duration_s": v["duration_s"],
        "body_sites": tuple(v["body_sites"]),
        "character": v["character"],
        "intensity": v["intensity"],
        "context": v["context"] or None,
        "symptoms": tuple(v["symptoms"]),
    }
    fields.update(overrides)
    return EpisodeRecord(**fields)


def medication_record(drug_class: str, started_on: date | None, **overrides: Any) -> MedicationRecord:
    fields: dict[str, Any] = {"name": "Medicine", "stopped_on": None, "as_needed": False, **overrides}
    return MedicationRecord(id=f"med{next(_ids)}", drug_class=drug_class, started_on=started_on, **fields)


def tremor_record(day: date, hand: str, posture: str, **overrides: Any) -> TremorRecord:
    """A tremor recording's analysis at noon on ``day``: rhythmic at 5 Hz unless overridden."""
    fields: dict[str, Any] = {"dominant_hz": 5.0, "rhythmic": True, **overrides}
    return TremorRecord(id=f"tr{next(_ids)}", recorded_at=local(day), hand=hand, posture=posture, **fields)


def diary(*episodes: EpisodeRecord, today: date, tz: str = ZONE, **fields: Any) -> Diary:
    """A person's diary as the analysis reads it: ``episodes`` and any other records by keyword."""
    return Diary(timezone=tz, today=today, episodes=tuple(episodes), **fields)


# --- Unsaved rows and bodies -----------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    """A user saved through ``User.objects.create_user``, so the password is hashed and the email
    normalised as in production; an established account, its address confirmed."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = PASSWORD
    timezone = "UTC"
    email_confirmed_at = factory.LazyFunction(lambda: timezone.now())

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return model_class.objects.create_user(*args, **kwargs)


def _with_derived(table: str, record: dict[str, Any]) -> dict[str, Any]:
    """A caffeine record's mg, as the server derives it from the drink and the servings."""
    if table == "caffeine_intakes" and record.get("mg") is None:
        record["mg"] = caffeine_mg(record["drink"], record.get("servings", 1))
    return record


def row(table: str, *, user: User, at: datetime | None = None, **overrides: Any) -> Any:
    """An unsaved model row of the default record, for ``bulk_create`` or ``save``: written straight
    to the table, past the services. A dose needs ``medication=`` (a saved row of the user's)."""
    record = _with_derived(table, values(table, at=at, **overrides))
    if table == "medications":
        record.setdefault("drug_class", drug_class_of(record["name"], record["catalogue_key"]))
    if table == "medication_doses":
        record.pop("medication_id", None)
    now = timezone.now()
    record.setdefault("client_id", f"row{next(_ids)}")
    return TABLES[table].model(user=user, created_at=now, updated_at=now, **record)


def _iso(moment: Any) -> Any:
    if isinstance(moment, datetime):
        return moment.isoformat().replace("+00:00", "Z")
    if isinstance(moment, date):
        return moment.isoformat()
    return moment


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


def payload(table: str, *, user: User, at: datetime | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid REST body for ``table``, placed at ``at`` (an hour ago by default). A dose's
    medication is given to the user first; a check-in takes a day the user has none on."""
    record = values(table, at=at)
    if table == "medication_doses":
        _ensure_medication(user)
    if table == "day_checkins":
        record["day"] = free_checkin_day(user, record["day"])
    body = {name: _iso(value) for name, value in record.items()}
    body.update(overrides)
    return body


def wire(table: str, client_id: str, *, minutes_ago: float = 60, **overrides: Any) -> dict[str, Any]:
    """The default record as a WatermelonDB app pushes it: times in epoch milliseconds, lists as
    JSON text, placed ``minutes_ago`` before now."""
    at = datetime.fromtimestamp((now_ms() - int(minutes_ago * 60_000)) / 1000, tz=UTC)
    record: dict[str, Any] = {"id": client_id}
    for name, value in values(table, at=at).items():
        if isinstance(value, datetime):
            record[name] = int(value.timestamp() * 1000)
        elif isinstance(value, date):
            record[name] = value.isoformat()
        elif isinstance(value, list | dict):
            record[name] = json.dumps(value)
        else:
            record[name] = value
    record.update(_status="created", _changed="")
    record.update(overrides)
    return record


def now_ms() -> int:
    return int(wall_clock.time() * 1000)


# --- Through the services --------------------------------------------------------------------


def write(user: User, table: str, rows: list[dict[str, Any]]) -> None:
    """Store ``rows`` (each with its ``id``, columns as the services take them) in one service call,
    as one sync push would; columns left out take the table's own defaults, not ``DEFAULTS``."""
    spec = TABLES[table]
    writes = [RecordWrite(client_id=row.pop("id"), values=with_defaults(spec, row), path=table) for row in rows]
    changes_apply(user=user, changes={table: TableChanges(upserts=writes, deletions=[])}, since=None)


def service_values(table: str, body: dict[str, Any]) -> dict[str, Any]:
    """A REST body read by the table's serializer, as the services take it."""
    serializer = SERIALIZERS[table](data=body)
    serializer.is_valid(raise_exception=True)
    return serializer.column_values()


def store(user: User, table: str, *, client_id: str | None = None, **kwargs: Any) -> Any:
    """Store one default record through the service, as REST would."""
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
        record = with_defaults(TABLES[table], service_values(table, body))
        writes.append(RecordWrite(client_id=f"{prefix}-{i}", values=record, path=f"{table}.created[{i}]"))
    changes_apply(user=user, changes={table: TableChanges(upserts=writes, deletions=[])}, since=None)
    return [w.client_id for w in writes]


def populate_every_table(user: User) -> None:
    """At least one row in every table that belongs to a user (a device token and a record of every
    table in TABLES), so a table added later is covered at once."""
    device_token_create(user=user, device_name="populate")
    for table in TABLES:
        store(user, table)
