"""What the app sends from the phone's health store, read into plain ``Sample`` values.

Pure: no Django. Two shapes, each close to its store's own objects so the app sends what it
reads with little glue (docs/api.md, "Health-store import"):

- HealthKit (``"platform": "healthkit"``): HKSample-like objects with ``uuid``, ``type``
  (sleepAnalysis, dietaryCaffeine, workout), ``startDate``/``endDate``, ``sourceRevision.source``,
  ``metadata`` (sync identifier and version, HKWasUserEntered, HKTimeZone) and the kind's value;
  deletions are HKDeletedObject-like ``{"uuid", "metadata"}``.
- Health Connect (``"platform": "health_connect"``): Jetpack records with ``recordType``
  (SleepSessionRecord, NutritionRecord, ExerciseSessionRecord), ``startTime``/``endTime``, zone
  offsets and ``metadata`` (id, dataOrigin.packageName, clientRecordId/Version, lastModifiedTime,
  recordingMethod); deletions are DeletionChange-like ``{"recordId"}``.

Every problem is collected by path ("samples[3].type") so one 400 names them all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from diary.time_bounds import EARLIEST, FUTURE_TOLERANCE

HEALTHKIT = "healthkit"
HEALTH_CONNECT = "health_connect"
PLATFORMS = (HEALTHKIT, HEALTH_CONNECT)

SLEEP, CAFFEINE, EXERCISE = "sleep", "caffeine", "exercise"

# One sample or session longer than this is not a night, a drink or a workout.
MAX_SPAN = timedelta(hours=24)
MAX_CAFFEINE_MG = 2000.0  # the diary's own ceiling for one intake (diary.models.CaffeineIntake)

# Sleep stages, by the names we store. Only these count as asleep: in-bed, awake and
# out-of-bed time never do.
ASLEEP_STAGES = frozenset({"asleep_unspecified", "asleep_core", "asleep_deep", "asleep_rem", "asleep_light"})
STAGED = frozenset({"asleep_core", "asleep_deep", "asleep_rem", "asleep_light"})

# HKCategoryValueSleepAnalysis: inBed 0, asleepUnspecified 1 (formerly "asleep"), awake 2,
# asleepCore 3, asleepDeep 4, asleepREM 5.
HEALTHKIT_SLEEP_VALUES: dict[Any, str] = {
    0: "in_bed",
    1: "asleep_unspecified",
    2: "awake",
    3: "asleep_core",
    4: "asleep_deep",
    5: "asleep_rem",
    "HKCategoryValueSleepAnalysisInBed": "in_bed",
    "HKCategoryValueSleepAnalysisAsleep": "asleep_unspecified",
    "HKCategoryValueSleepAnalysisAsleepUnspecified": "asleep_unspecified",
    "HKCategoryValueSleepAnalysisAwake": "awake",
    "HKCategoryValueSleepAnalysisAsleepCore": "asleep_core",
    "HKCategoryValueSleepAnalysisAsleepDeep": "asleep_deep",
    "HKCategoryValueSleepAnalysisAsleepREM": "asleep_rem",
}
# SleepSessionRecord stage types: UNKNOWN 0, AWAKE 1, SLEEPING 2, OUT_OF_BED 3, LIGHT 4,
# DEEP 5, REM 6, AWAKE_IN_BED 7 (developer.android.com, SleepSessionRecord.StageType).
HEALTH_CONNECT_STAGES: dict[Any, str] = {
    0: "unknown",
    1: "awake",
    2: "asleep_unspecified",
    3: "out_of_bed",
    4: "asleep_light",
    5: "asleep_deep",
    6: "asleep_rem",
    7: "in_bed",
    **{
        f"STAGE_TYPE_{name}": stage
        for name, stage in (
            ("UNKNOWN", "unknown"),
            ("AWAKE", "awake"),
            ("SLEEPING", "asleep_unspecified"),
            ("OUT_OF_BED", "out_of_bed"),
            ("AWAKE_OUT_OF_BED", "out_of_bed"),
            ("SLEEPING_LIGHT", "asleep_light"),
            ("LIGHT", "asleep_light"),
            ("SLEEPING_DEEP", "asleep_deep"),
            ("DEEP", "asleep_deep"),
            ("SLEEPING_REM", "asleep_rem"),
            ("REM", "asleep_rem"),
            ("AWAKE_IN_BED", "in_bed"),
        )
    },
}
# Health Connect Metadata.recordingMethod: MANUAL_ENTRY is 3 (UNKNOWN 0, ACTIVELY_RECORDED 1,
# AUTOMATICALLY_RECORDED 2).
HC_MANUAL_ENTRY = {3, "RECORDING_METHOD_MANUAL_ENTRY"}
HC_RECORDED = {1, 2, "RECORDING_METHOD_ACTIVELY_RECORDED", "RECORDING_METHOD_AUTOMATICALLY_RECORDED"}

# Milligrams per unit of mass, for caffeine (HealthKit HKUnit mass units; Health Connect Mass).
MG_PER_UNIT = {
    "mg": 1.0,
    "g": 1000.0,
    "kg": 1_000_000.0,
    "mcg": 0.001,
    "ug": 0.001,
    "µg": 0.001,
    "oz": 28_349.523125,
    "lb": 453_592.37,
}
# Health Connect's Mass getters, as a Jetpack object serialises them.
HC_MASS_KEYS = {"inMilligrams": "mg", "inGrams": "g", "inKilograms": "kg", "inMicrograms": "mcg", "inOunces": "oz"}

HK_SLEEP_TYPE = "HKCategoryTypeIdentifierSleepAnalysis"
HK_CAFFEINE_TYPE = "HKQuantityTypeIdentifierDietaryCaffeine"
HK_WORKOUT_TYPES = ("HKWorkoutTypeIdentifier", "HKWorkout")
HK_KINDS = {HK_SLEEP_TYPE: SLEEP, HK_CAFFEINE_TYPE: CAFFEINE, **dict.fromkeys(HK_WORKOUT_TYPES, EXERCISE)}
HC_KINDS = {"SleepSessionRecord": SLEEP, "NutritionRecord": CAFFEINE, "ExerciseSessionRecord": EXERCISE}

# Metadata keys, in the spelling of the HealthKit constants' string values and of export.xml.
HK_SYNC_ID = ("HKMetadataKeySyncIdentifier", "HKSyncIdentifier")
HK_SYNC_VERSION = ("HKMetadataKeySyncVersion", "HKSyncVersion")
HK_USER_ENTERED = ("HKWasUserEntered", "HKMetadataKeyWasUserEntered")
HK_TIME_ZONE = ("HKTimeZone", "HKMetadataKeyTimeZone")
HK_AVERAGE_METS = ("HKAverageMETs", "HKMetadataKeyAverageMETs")

# Physical activity bands by metabolic equivalents (CDC, "General physical activities defined by
# level of intensity"): light under 3 METs, moderate 3 to under 6, vigorous 6 and over.
MODERATE_METS, VIGOROUS_METS = 3.0, 6.0


@dataclass(frozen=True)
class Sample:
    platform: str
    source: str  # the writing app: bundle id (HealthKit) or package name (Health Connect)
    sync_key: str  # the writer's sync identifier / clientRecordId, else the store's id
    sample_id: str  # the store's own id (HealthKit UUID, Health Connect metadata.id)
    version: int | None
    kind: str
    start_at: datetime
    end_at: datetime
    detail: Any  # sleep: [[start_ms, end_ms, stage]]; caffeine: {"mg"}; exercise: {"minutes", ...}
    user_entered: bool | None = None
    unit: str = ""
    time_zone: str = ""


@dataclass(frozen=True)
class Deletion:
    platform: str
    sample_id: str


@dataclass
class Batch:
    samples: list[Sample] = field(default_factory=list)
    deletions: list[Deletion] = field(default_factory=list)
    own_skipped: int = 0  # samples our own app wrote, not imported back
    ignored: int = 0  # known kinds without anything for the diary (a meal with no caffeine)
    errors: dict[str, list[str]] = field(default_factory=dict)


class SampleError(ValueError):
    """One field's problem; the message names the rule."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def parse_time(value: Any, field_name: str, now: datetime) -> datetime:
    if not isinstance(value, str):
        raise SampleError(field_name, "must be an ISO 8601 time with a UTC offset")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SampleError(field_name, "must be an ISO 8601 time with a UTC offset") from None
    if moment.tzinfo is None:
        raise SampleError(field_name, "must include a UTC offset")
    check_time(moment, field_name, now)
    return moment.astimezone(UTC)


def check_time(moment: datetime, field_name: str, now: datetime) -> None:
    if moment < EARLIEST:
        raise SampleError(field_name, "must not be before 1900-01-01")
    if moment > now + FUTURE_TOLERANCE:
        raise SampleError(field_name, "must not be in the future")


def _span(start: datetime, end: datetime) -> None:
    if end < start:
        raise SampleError("endDate", "must not be before the start")
    if end - start > MAX_SPAN:
        raise SampleError("endDate", "a sample may span at most 24 hours")


def _number(value: Any, field_name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or value != value
        or value
        in (
            float("inf"),
            float("-inf"),
        )
    ):
        raise SampleError(field_name, "must be a finite number")
    return float(value)


def _text(value: Any, field_name: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value or len(value) > 255 or "\x00" in value:
        raise SampleError(field_name, "must be a non-empty string of at most 255 characters")
    return value


def _version(value: Any, field_name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.isdigit():
        return int(value)
    number = _number(value, field_name)
    if not number.is_integer() or not 0 <= number < 2**63:
        raise SampleError(field_name, "must be a whole number of at least 0")
    return int(number)


def lookup(table: Mapping[Any, str], value: Any) -> str | None:
    """``table[value]`` for a string or whole number sent as JSON; None for anything else (a list
    or an object is never a key, and must not make the lookup fail)."""
    return table.get(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def _object(value: Any, field_name: str) -> Mapping[str, Any]:
    """A JSON object, or {} for null; anything else is an error naming the field."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SampleError(field_name, "must be an object")
    return value


def _meta(metadata: Mapping[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        if key in metadata:
            return metadata[key]
    return None


def _flag(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes")


def caffeine_mg(value: Any, unit: Any, field_name: str) -> float:
    """A caffeine mass in milligrams; an unknown unit is an error naming it."""
    if not isinstance(unit, str) or unit.strip() not in MG_PER_UNIT:
        raise SampleError(
            f"{field_name}.unit", f"unknown unit '{unit}' for caffeine; known: {', '.join(sorted(MG_PER_UNIT))}"
        )
    mg = _number(value, f"{field_name}.value") * MG_PER_UNIT[unit.strip()]
    if not 0 <= mg <= MAX_CAFFEINE_MG:
        raise SampleError(f"{field_name}.value", f"must be between 0 and {MAX_CAFFEINE_MG:g} mg of caffeine")
    return round(mg, 3)


def intensity_from_mets(mets: float | None) -> str | None:
    if mets is None:
        return None
    if mets >= VIGOROUS_METS:
        return "vigorous"
    return "moderate" if mets >= MODERATE_METS else "light"


def _activity_name(value: Any, prefix: str) -> str:
    if isinstance(value, str):
        name = value.removeprefix(prefix)
        return "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip().replace("_", " ").lower()[:60]
    if isinstance(value, int) and not isinstance(value, bool):
        return f"activity type {value}"
    return ""


def valid_time_zone(value: Any) -> str:
    """An IANA zone name as given, or "" for anything that is not one."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return ""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    return value


def exercise_detail(seconds: float, intensity: str | None, activity: str) -> dict[str, Any]:
    minutes = max(1, round(seconds / 60))
    if minutes > 1440:
        raise SampleError("duration", "a workout may last at most 24 hours")
    return {"minutes": minutes, "intensity": intensity, "activity": activity}


# --- HealthKit ---------------------------------------------------------------------------


def _healthkit_sample(raw: Mapping[str, Any], now: datetime) -> Sample | None:
    kind = lookup(HK_KINDS, raw.get("type"))
    if kind is None:
        raise SampleError(
            "type", f"unknown kind '{raw.get('type')}'; this import takes {', '.join(sorted(set(HK_KINDS)))}"
        )
    uuid = _text(raw.get("uuid"), "uuid")
    source_info = _object(_object(raw.get("sourceRevision"), "sourceRevision").get("source"), "sourceRevision.source")
    source = _text(source_info.get("bundleIdentifier"), "sourceRevision.source.bundleIdentifier")
    metadata = _object(raw.get("metadata"), "metadata")
    start = parse_time(raw.get("startDate"), "startDate", now)
    end = parse_time(raw.get("endDate"), "endDate", now)
    _span(start, end)
    sync_id = _meta(metadata, HK_SYNC_ID)
    version = _version(_meta(metadata, HK_SYNC_VERSION), "metadata.HKMetadataKeySyncVersion")
    detail: Any
    unit = ""
    if kind == SLEEP:
        value = raw.get("value")
        stage = lookup(HEALTHKIT_SLEEP_VALUES, value)
        if stage is None:
            raise SampleError("value", f"unknown sleep stage '{value}'")
        detail = [[_ms(start), _ms(end), stage]]
        unit = "min"
    elif kind == CAFFEINE:
        quantity = raw.get("quantity") or {}
        if not isinstance(quantity, Mapping):
            raise SampleError("quantity", 'must be {"value": number, "unit": "mg"}')
        unit = str(quantity.get("unit"))
        detail = {"mg": caffeine_mg(quantity.get("value"), quantity.get("unit"), "quantity")}
    else:
        seconds = raw.get("duration")
        seconds = _number(seconds, "duration") if seconds is not None else (end - start).total_seconds()
        mets = _meta(metadata, HK_AVERAGE_METS)
        if isinstance(mets, Mapping):
            mets = mets.get("value")
        detail = exercise_detail(
            seconds,
            intensity_from_mets(_number(mets, "metadata.HKAverageMETs") if mets is not None else None),
            _activity_name(raw.get("workoutActivityType"), "HKWorkoutActivityType"),
        )
        unit = "s"
    return Sample(
        platform=HEALTHKIT,
        source=source,
        sync_key=_text(sync_id, "metadata.HKMetadataKeySyncIdentifier") if sync_id is not None else uuid,
        sample_id=uuid,
        version=version,
        kind=kind,
        start_at=start,
        end_at=end,
        detail=detail,
        user_entered=_flag(_meta(metadata, HK_USER_ENTERED)),
        unit=unit,
        time_zone=valid_time_zone(_meta(metadata, HK_TIME_ZONE)),
    )


# --- Health Connect ------------------------------------------------------------------------


def _offset(value: Any) -> str:
    """A zone offset as "+01:00" ("" when absent); Health Connect's ZoneOffset or its seconds."""
    if isinstance(value, str) and len(value) <= 9 and value[:1] in "+-Z":
        return "+00:00" if value == "Z" else value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 18 * 3600:
        sign = "-" if value < 0 else "+"
        return f"{sign}{abs(value) // 3600:02d}:{abs(value) % 3600 // 60:02d}"
    return ""


def _health_connect_record(raw: Mapping[str, Any], now: datetime) -> Sample | None:
    kind = lookup(HC_KINDS, raw.get("recordType"))
    if kind is None:
        raise SampleError(
            "recordType", f"unknown kind '{raw.get('recordType')}'; this import takes {', '.join(sorted(HC_KINDS))}"
        )
    metadata = _object(raw.get("metadata"), "metadata")
    record_id = _text(metadata.get("id"), "metadata.id")
    source = _text(
        _object(metadata.get("dataOrigin"), "metadata.dataOrigin").get("packageName"), "metadata.dataOrigin.packageName"
    )
    start = parse_time(raw.get("startTime"), "startTime", now)
    end = parse_time(raw.get("endTime"), "endTime", now)
    _span(start, end)
    client_id = metadata.get("clientRecordId")
    if client_id is not None:
        sync_key = _text(client_id, "metadata.clientRecordId")
        version = _version(metadata.get("clientRecordVersion"), "metadata.clientRecordVersion")
    else:
        # Without a client id, the store's last change time orders the versions of a record.
        sync_key = record_id
        modified = metadata.get("lastModifiedTime")
        version = _ms(parse_time(modified, "metadata.lastModifiedTime", now)) if modified is not None else None
    method = lookup(dict.fromkeys((*HC_MANUAL_ENTRY, *HC_RECORDED), "known"), metadata.get("recordingMethod"))
    method_value = metadata.get("recordingMethod") if method else None
    user_entered = None if method is None else method_value in HC_MANUAL_ENTRY
    detail: Any
    unit = ""
    if kind == SLEEP:
        stages = raw.get("stages") or []
        if not isinstance(stages, list):
            raise SampleError("stages", "must be a list of {startTime, endTime, stage}")
        detail = []
        for i, stage in enumerate(stages):
            if not isinstance(stage, Mapping):
                raise SampleError(f"stages[{i}]", "must be {startTime, endTime, stage}")
            name = lookup(HEALTH_CONNECT_STAGES, stage.get("stage"))
            if name is None:
                raise SampleError(f"stages[{i}].stage", f"unknown sleep stage '{stage.get('stage')}'")
            s_start = parse_time(stage.get("startTime"), f"stages[{i}].startTime", now)
            s_end = parse_time(stage.get("endTime"), f"stages[{i}].endTime", now)
            if not start <= s_start <= s_end <= end:
                raise SampleError(f"stages[{i}]", "must lie within the session")
            detail.append([_ms(s_start), _ms(s_end), name])
        if not detail:
            # A session without stages says only that the person slept from start to end.
            detail = [[_ms(start), _ms(end), "asleep_unspecified"]]
        unit = "min"
    elif kind == CAFFEINE:
        mass = raw.get("caffeine")
        if mass is None:
            return None  # a meal without caffeine: nothing for the diary
        if not isinstance(mass, Mapping):
            raise SampleError("caffeine", 'must be a Mass, e.g. {"inGrams": 0.095} or {"value": 95, "unit": "mg"}')
        given = [key for key in HC_MASS_KEYS if key in mass]
        value, mass_unit = (mass[given[0]], HC_MASS_KEYS[given[0]]) if given else (mass.get("value"), mass.get("unit"))
        detail = {"mg": caffeine_mg(value, mass_unit, "caffeine")}
        unit = str(mass_unit)
    else:
        detail = exercise_detail(
            (end - start).total_seconds(), None, _activity_name(raw.get("exerciseType"), "EXERCISE_TYPE_")
        )
        unit = "s"
    return Sample(
        platform=HEALTH_CONNECT,
        source=source,
        sync_key=sync_key,
        sample_id=record_id,
        version=version,
        kind=kind,
        start_at=start,
        end_at=end,
        detail=detail,
        user_entered=user_entered,
        unit=unit,
        time_zone=_offset(raw.get("endZoneOffset") or raw.get("startZoneOffset")),
    )


def read_batch(payload: Any, *, now: datetime, own_sources: frozenset[str]) -> Batch:
    """Read one request's samples and deletions; ``errors`` lists every problem by path."""
    batch = Batch()
    if not isinstance(payload, Mapping):
        batch.errors["body"] = ["must be an object"]
        return batch
    platform = payload.get("platform")
    if platform not in PLATFORMS:
        batch.errors["platform"] = [f"must be one of {', '.join(PLATFORMS)}"]
        return batch
    items_key = "samples" if platform == HEALTHKIT else "records"
    items, deleted = payload.get(items_key, []), payload.get("deleted", [])
    for name, value in ((items_key, items), ("deleted", deleted)):
        if not isinstance(value, list):
            batch.errors[name] = ["must be a list"]
    if batch.errors:
        return batch
    read = _healthkit_sample if platform == HEALTHKIT else _health_connect_record
    for i, raw in enumerate(items):
        if not isinstance(raw, Mapping):
            batch.errors[f"{items_key}[{i}]"] = ["must be an object"]
            continue
        try:
            sample = read(raw, now)
        except SampleError as exc:
            batch.errors.setdefault(f"{items_key}[{i}].{exc.field_name}", []).append(str(exc))
            continue
        if sample is None:
            batch.ignored += 1
        elif sample.source in own_sources:
            batch.own_skipped += 1
        else:
            batch.samples.append(sample)
    id_key = "uuid" if platform == HEALTHKIT else "recordId"
    for i, raw in enumerate(deleted):
        store_id = raw.get(id_key) if isinstance(raw, Mapping) else None
        if not isinstance(store_id, str) or not store_id or len(store_id) > 255:
            batch.errors[f"deleted[{i}].{id_key}"] = ["must be the store's id of the deleted sample"]
            continue
        batch.deletions.append(Deletion(platform=platform, sample_id=store_id))
    return batch


def content_key(kind: str, start_at: datetime, end_at: datetime, detail: Any) -> str:
    """A short stable digest of a sample's content, for samples that carry no id of their own
    (Apple Health's export.xml)."""
    text = f"{kind}|{_ms(start_at)}|{_ms(end_at)}|{detail}"
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:32]
