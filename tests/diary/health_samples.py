"""Generated health-store data with its known truth: HealthKit- and Health Connect-shaped
samples for the import endpoint, and an Apple Health export.xml written as a stream.

Each night has two sources: a watch with sleep stages (in bed, core, deep, REM, awake spells)
and a phone app with "asleep" only, which the import must not count a second time. Caffeine
comes in grams and milligrams; some drinks are corrected later (a newer version), re-sent in
their old version (which must not win) or deleted; our own app's samples are in the mix and
must not come back. ``Truth`` holds what the diary must end up with.

Shared by tests/diary/test_health_import.py and bench/health_import.py.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

WATCH = "com.apple.health.watch"
PHONE_SLEEP_APP = "com.example.sleepcycle"
NUTRITION_APP = "com.example.nutrition"
OWN_APP = "org.twitchlog.app"
HC_WATCH = "com.google.android.apps.fitness"
HC_PHONE_SLEEP_APP = "com.urbandroid.sleep"
# Where the generated person lives: Health Connect offsets and export.xml's local times use it.
LONDON = ZoneInfo("Europe/London")


@dataclass
class Truth:
    nights: dict[date, float] = field(default_factory=dict)  # wake day -> minutes asleep (the watch's)
    caffeine_mg: dict[str, float] = field(default_factory=dict)  # a drink's id -> its last version's mg
    workouts: int = 0
    samples: int = 0  # everything sent, updates, re-sends and deletions included


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _night_plan(
    rng: random.Random, wake_day: date, zone: ZoneInfo
) -> tuple[datetime, list[tuple[datetime, datetime, str]]]:
    """A night's stages: in bed from ~23:00, cycles of core, deep and REM with short awake spells."""
    # Arithmetic in UTC: wall-clock arithmetic across a clock change would put ends before starts.
    bed = datetime.combine(wake_day - timedelta(days=1), datetime.min.time(), zone).astimezone(UTC) + timedelta(
        hours=22, minutes=rng.randrange(30, 120)
    )
    stages = []
    moment = bed + timedelta(minutes=rng.randrange(5, 25))
    for _cycle in range(rng.randrange(4, 6)):
        for stage, low, high in (("core", 25, 50), ("deep", 10, 30), ("rem", 10, 25)):
            end = moment + timedelta(minutes=rng.randrange(low, high))
            stages.append((moment, end, stage))
            moment = end
        if rng.random() < 0.3:
            end = moment + timedelta(minutes=rng.randrange(2, 10))
            stages.append((moment, end, "awake"))
            moment = end
    return bed, stages


def asleep_minutes(stages: list[tuple[datetime, datetime, str]]) -> float:
    return sum((e - s).total_seconds() / 60 for s, e, stage in stages if stage != "awake")


_HK_STAGE = {
    "core": "HKCategoryValueSleepAnalysisAsleepCore",
    "deep": "HKCategoryValueSleepAnalysisAsleepDeep",
    "rem": "HKCategoryValueSleepAnalysisAsleepREM",
    "awake": "HKCategoryValueSleepAnalysisAwake",
    "asleep": "HKCategoryValueSleepAnalysisAsleepUnspecified",
    "in_bed": "HKCategoryValueSleepAnalysisInBed",
}
_HC_STAGE = {"core": 4, "deep": 5, "rem": 6, "awake": 1, "asleep": 2, "in_bed": 7}


def _hk(kind: str, source: str, start: datetime, end: datetime, tz: str, **extra: Any) -> dict[str, Any]:
    metadata = {"HKTimeZone": tz, **extra.pop("metadata", {})}
    return {
        "uuid": str(uuid.uuid4()).upper(),
        "type": kind,
        "startDate": _iso(start),
        "endDate": _iso(end),
        "sourceRevision": {"source": {"bundleIdentifier": source, "name": source.rsplit(".", 1)[-1]}},
        "metadata": metadata,
        **extra,
    }


def _hc(kind: str, source: str, start: datetime, end: datetime, **extra: Any) -> dict[str, Any]:
    metadata = {"id": str(uuid.uuid4()), "dataOrigin": {"packageName": source}, **extra.pop("metadata", {})}
    offset = start.astimezone(LONDON).strftime("%z")
    return {
        "recordType": kind,
        "startTime": _iso(start.astimezone(UTC)),
        "endTime": _iso(end.astimezone(UTC)),
        "startZoneOffset": f"{offset[:3]}:{offset[3:]}",
        "endZoneOffset": f"{offset[:3]}:{offset[3:]}",
        "metadata": metadata,
        **extra,
    }


def year_of_samples(
    platform: str, *, end_day: date, days: int = 365, tz: str = "Europe/London", seed: int = 7
) -> tuple[list[dict[str, Any]], Truth]:
    """Request bodies for the import endpoint, a month at a time, and the truth they hold."""
    rng = random.Random(seed)
    zone = ZoneInfo(tz)
    truth = Truth()
    bodies: list[dict[str, Any]] = []
    healthkit = platform == "healthkit"
    items_key = "samples" if healthkit else "records"
    pending_old_versions: list[dict[str, Any]] = []
    for month_start in range(0, days, 30):
        items: list[dict[str, Any]] = []
        deleted: list[dict[str, Any]] = []
        for offset in range(month_start, min(days, month_start + 30)):
            wake_day = end_day - timedelta(days=days - 1 - offset)
            bed, stages = _night_plan(rng, wake_day, zone)
            truth.nights[wake_day] = asleep_minutes(stages)
            last = stages[-1][1]
            # The phone app saw one block of "asleep", longer than the watch's asleep time.
            phone_start, phone_end = bed + timedelta(minutes=10), last + timedelta(minutes=15)
            if healthkit:
                items.append(
                    _hk("HKCategoryTypeIdentifierSleepAnalysis", WATCH, bed, last, tz, value=_HK_STAGE["in_bed"])
                )
                items += [
                    _hk("HKCategoryTypeIdentifierSleepAnalysis", WATCH, s, e, tz, value=_HK_STAGE[stage])
                    for s, e, stage in stages
                ]
                items.append(
                    _hk("HKCategoryTypeIdentifierSleepAnalysis", PHONE_SLEEP_APP, phone_start, phone_end, tz, value=1)
                )
            else:
                items.append(
                    _hc(
                        "SleepSessionRecord",
                        HC_WATCH,
                        bed,
                        last,
                        stages=[
                            {
                                "startTime": _iso(s.astimezone(UTC)),
                                "endTime": _iso(e.astimezone(UTC)),
                                "stage": _HC_STAGE[st],
                            }
                            for s, e, st in [(bed, stages[0][0], "in_bed"), *stages]
                        ],
                        metadata={"recordingMethod": 2},
                    )
                )
                items.append(_hc("SleepSessionRecord", HC_PHONE_SLEEP_APP, phone_start, phone_end))
            # Caffeine: two or three drinks, in grams or milligrams; some corrected, re-sent old or deleted.
            day_start = datetime.combine(wake_day, datetime.min.time(), zone).astimezone(UTC)
            for n in range(rng.randrange(2, 4)):
                at = day_start + timedelta(hours=8 + 3 * n, minutes=rng.randrange(0, 50))
                mg = float(rng.choice((40, 63, 95, 120)))
                drink_id = f"drink-{wake_day:%Y%m%d}-{n}"
                if healthkit:
                    quantity = {"value": mg / 1000, "unit": "g"} if n % 2 else {"value": mg, "unit": "mg"}
                    sample = _hk(
                        "HKQuantityTypeIdentifierDietaryCaffeine",
                        NUTRITION_APP,
                        at,
                        at,
                        tz,
                        quantity=quantity,
                        metadata={
                            "HKMetadataKeySyncIdentifier": drink_id,
                            "HKMetadataKeySyncVersion": 1,
                            "HKWasUserEntered": True,
                        },
                    )
                else:
                    sample = _hc(
                        "NutritionRecord",
                        NUTRITION_APP,
                        at,
                        at + timedelta(minutes=1),
                        caffeine={"inGrams": mg / 1000} if n % 2 else {"value": mg, "unit": "mg"},
                        metadata={"clientRecordId": drink_id, "clientRecordVersion": 1, "recordingMethod": 3},
                    )
                items.append(sample)
                truth.caffeine_mg[drink_id] = mg
                roll = rng.random()
                if roll < 0.05:
                    deleted.append({"uuid": sample["uuid"]} if healthkit else {"recordId": sample["metadata"]["id"]})
                    del truth.caffeine_mg[drink_id]
                elif roll < 0.15:
                    # Corrected in the nutrition app: version 2 with another amount (HealthKit gives it a new UUID).
                    newer = dict(sample, metadata=dict(sample["metadata"]))
                    if healthkit:
                        newer["uuid"] = str(uuid.uuid4()).upper()
                        newer["quantity"] = {"value": mg + 20, "unit": "mg"}
                        newer["metadata"]["HKMetadataKeySyncVersion"] = 2
                    else:
                        newer["caffeine"] = {"value": mg + 20, "unit": "mg"}
                        newer["metadata"]["clientRecordVersion"] = 2
                    items.append(newer)
                    truth.caffeine_mg[drink_id] = mg + 20
                    pending_old_versions.append(sample)  # sent again next month: must not win
            # Our own app's caffeine written to the store: never imported back.
            own_at = day_start + timedelta(hours=15)
            if healthkit:
                items.append(
                    _hk(
                        "HKQuantityTypeIdentifierDietaryCaffeine",
                        OWN_APP,
                        own_at,
                        own_at,
                        tz,
                        quantity={"value": 80, "unit": "mg"},
                    )
                )
            else:
                items.append(_hc("NutritionRecord", OWN_APP, own_at, own_at, caffeine={"value": 80, "unit": "mg"}))
            if offset % 7 in (1, 3, 5):
                start = day_start + timedelta(hours=18, minutes=rng.randrange(0, 30))
                minutes = rng.randrange(20, 70)
                if healthkit:
                    items.append(
                        _hk(
                            "HKWorkoutTypeIdentifier",
                            WATCH,
                            start,
                            start + timedelta(minutes=minutes),
                            tz,
                            workoutActivityType="HKWorkoutActivityTypeRunning",
                            duration=minutes * 60,
                            metadata={"HKAverageMETs": rng.choice((4.5, 7.5))},
                        )
                    )
                else:
                    items.append(
                        _hc(
                            "ExerciseSessionRecord",
                            HC_WATCH,
                            start,
                            start + timedelta(minutes=minutes),
                            exerciseType="EXERCISE_TYPE_RUNNING",
                        )
                    )
                truth.workouts += 1
        items += pending_old_versions
        pending_old_versions = []
        truth.samples += len(items) + len(deleted)
        bodies.append({"platform": platform, items_key: items, "deleted": deleted})
    return bodies, truth


# --- Apple Health's export.xml -------------------------------------------------------------

_EXPORT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate value CDATA #REQUIRED>
]>
<HealthData locale="en_GB">
 <ExportDate value="{now}"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1980-01-01"/>
"""


def _export_time(moment: datetime) -> str:
    # Apple Health writes local times with their offset.
    return moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M:%S %z")


def export_lines(
    *, end_day: date, days: int, tz: str = "Europe/London", filler_per_day: int = 0, seed: int = 11, truth: Truth
) -> Iterator[str]:
    """The lines of an export.xml: the watch's and a phone app's nights, caffeine, workouts,
    our own app's caffeine, and ``filler_per_day`` heart-rate records a day (which the import skips)."""
    rng = random.Random(seed)
    zone = ZoneInfo(tz)
    yield _EXPORT_HEAD.format(now=_export_time(datetime.combine(end_day, datetime.min.time(), zone)))
    for offset in range(days):
        wake_day = end_day - timedelta(days=days - 1 - offset)
        bed, stages = _night_plan(rng, wake_day, zone)
        truth.nights[wake_day] = asleep_minutes(stages)
        meta = f'  <MetadataEntry key="HKTimeZone" value="{tz}"/>\n'
        for source, s, e, value in [
            ("Ann's Apple Watch", bed, stages[-1][1], _HK_STAGE["in_bed"]),
            *(("Ann's Apple Watch", s, e, _HK_STAGE[st]) for s, e, st in stages),
            ("Sleep Cycle", bed + timedelta(minutes=10), stages[-1][1] + timedelta(minutes=15), _HK_STAGE["asleep"]),
        ]:
            yield (
                f' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="{source}" sourceVersion="10.1" '
                f'creationDate="{_export_time(e)}" startDate="{_export_time(s)}" endDate="{_export_time(e)}" '
                f'value="{value}">\n{meta} </Record>\n'
            )
        day_start = datetime.combine(wake_day, datetime.min.time(), zone).astimezone(UTC)
        for n in range(2):
            at = day_start + timedelta(hours=9 + 4 * n, minutes=rng.randrange(0, 50))
            mg = float(rng.choice((40, 95)))
            truth.caffeine_mg[f"{wake_day}-{n}"] = mg
            yield (
                f' <Record type="HKQuantityTypeIdentifierDietaryCaffeine" sourceName="Nutrition" unit="mg" '
                f'creationDate="{_export_time(at)}" startDate="{_export_time(at)}" endDate="{_export_time(at)}" '
                f'value="{mg:g}">\n  <MetadataEntry key="HKWasUserEntered" value="1"/>\n </Record>\n'
            )
        own = day_start + timedelta(hours=16)
        yield (
            f' <Record type="HKQuantityTypeIdentifierDietaryCaffeine" sourceName="Twitchlog" unit="mg" '
            f'creationDate="{_export_time(own)}" startDate="{_export_time(own)}" '
            f'endDate="{_export_time(own)}" value="80"/>\n'
        )
        if offset % 7 in (2, 4):
            start = day_start + timedelta(hours=18)
            minutes = rng.randrange(20, 60)
            truth.workouts += 1
            yield (
                f' <Workout workoutActivityType="HKWorkoutActivityTypeCycling" duration="{minutes}" durationUnit="min" '
                f'sourceName="Ann\'s Apple Watch" sourceVersion="10.1" creationDate="{_export_time(start)}" '
                f'startDate="{_export_time(start)}" endDate="{_export_time(start + timedelta(minutes=minutes))}">\n'
                f'  <MetadataEntry key="HKAverageMETs" value="7.1 kcal/hr·kg"/>\n'
                f'  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" sum="250" unit="kcal"/>\n'
                f" </Workout>\n"
            )
        for n in range(filler_per_day):
            at = day_start + timedelta(seconds=86400 * n // max(filler_per_day, 1))
            yield (
                f' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Ann\'s Apple Watch" '
                f'sourceVersion="10.1" device="&lt;&lt;HKDevice: 0x283f1c4b0&gt;, name:Apple Watch, '
                f'manufacturer:Apple Inc., model:Watch, hardware:Watch6,1, software:10.1&gt;" unit="count/min" '
                f'creationDate="{_export_time(at)}" startDate="{_export_time(at)}" endDate="{_export_time(at)}" '
                f'value="{60 + rng.randrange(40)}">\n'
                f'  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n </Record>\n'
            )
    yield "</HealthData>\n"


def write_export(target: IO[str], **kwargs: Any) -> Truth:
    truth = Truth()
    for line in export_lines(truth=truth, **kwargs):
        target.write(line)
    return truth
