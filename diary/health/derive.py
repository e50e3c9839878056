"""From health-store samples to diary records, each thing counted once. Pure: no Django.

Every sample feeds exactly one diary record, named by its ``record_key`` (the record's client
id, always starting "hs-"):

- Sleep: every stage sample (HealthKit) or session (Health Connect) belongs to the night of
  the day it ends on, a stage ending from 18:00 local time on counting for the next day (the
  diary's rule: a night counts for the day you woke). All sources' samples of a night feed one
  sleep log, "hs-sleep-YYYYMMDD". Within a source the asleep stages are merged (their union,
  so overlapping stages never add up) and in-bed, awake and out-of-bed time never count. Of
  several sources for the same night (a watch and a phone), the one with sleep stages wins
  (the watch's), then the one with the longest time asleep; the others are kept in the ledger
  but not counted.
- Caffeine: one intake per (minute, mg); the same drink from two apps counts once.
- Workouts: one session per (start minute, end minute); the same workout from two apps counts once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from diary.health.samples import ASLEEP_STAGES, CAFFEINE, EXERCISE, SLEEP, STAGED, Sample

IMPORTED_PREFIX = "hs-"
# A sleep stage ending at or after this local hour belongs to the next day's night.
NIGHT_ROLLOVER_HOUR = 18
TABLE_OF_KIND = {SLEEP: "sleep_logs", CAFFEINE: "caffeine_intakes", EXERCISE: "exercise_sessions"}
# The client-id prefix of each table's imported records.
RECORD_PREFIXES = {
    "sleep_logs": f"{IMPORTED_PREFIX}sleep-",
    "caffeine_intakes": f"{IMPORTED_PREFIX}caf-",
    "exercise_sessions": f"{IMPORTED_PREFIX}ex-",
}


def is_imported(client_id: str) -> bool:
    return client_id.startswith(IMPORTED_PREFIX)


def sample_zone(sample: Sample, fallback: str) -> tzinfo:
    """The zone the sample was recorded in: its own IANA name or offset, else the profile's."""
    zone = sample.time_zone
    if zone[:1] in "+-" and len(zone) == 6:
        sign = -1 if zone[0] == "-" else 1
        return timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    return ZoneInfo(zone or fallback)


def night_of(end_at: datetime, zone: tzinfo) -> date:
    local = end_at.astimezone(zone)
    return (local + timedelta(hours=24 - NIGHT_ROLLOVER_HOUR)).date()


def _digest(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()[:24]


def _minute(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def record_key(sample: Sample, fallback_zone: str) -> str:
    if sample.kind == SLEEP:
        night = night_of(sample.end_at, sample_zone(sample, fallback_zone))
        return f"{RECORD_PREFIXES['sleep_logs']}{night:%Y%m%d}"
    if sample.kind == CAFFEINE:
        return (
            f"{RECORD_PREFIXES['caffeine_intakes']}{_digest(_minute(sample.start_at), round(sample.detail['mg'], 1))}"
        )
    return f"{RECORD_PREFIXES['exercise_sessions']}{_digest(_minute(sample.start_at), _minute(sample.end_at))}"


@dataclass(frozen=True)
class DerivedRecord:
    table: str
    client_id: str
    values: dict[str, Any]  # model attribute -> value, every column the import writes


def _source_values(chosen: Sequence[Sample]) -> dict[str, Any]:
    first = min(chosen, key=lambda s: (s.start_at, s.sample_id))
    entered = {s.user_entered for s in chosen}
    versions = [s.version for s in chosen if s.version is not None]
    return {
        "import_platform": first.platform,
        "import_source": first.source,
        "import_sample_id": first.sample_id,
        "import_version": max(versions) if versions else None,
        # Entered by a person if any part of it was; by a device only if every part says so.
        "import_user_entered": True if True in entered else (False if entered == {False} else None),
        "import_unit": first.unit[:16],
        "import_time_zone": first.time_zone,
    }


def asleep_intervals(samples: Sequence[Sample]) -> list[tuple[int, int]]:
    """The union of the asleep stages of one source's samples, in epoch ms."""
    spans = sorted((int(s), int(e)) for sample in samples for s, e, stage in sample.detail if stage in ASLEEP_STAGES)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return [(s, e) for s, e in merged if e > s]


def _night(key: str, samples: Sequence[Sample]) -> DerivedRecord | None:
    by_source: dict[tuple[str, str], list[Sample]] = {}
    for sample in samples:
        by_source.setdefault((sample.platform, sample.source), []).append(sample)
    candidates = []
    for (platform, source), group in by_source.items():
        merged = asleep_intervals(group)
        if not merged:
            continue
        staged = any(stage in STAGED for sample in group for _, _, stage in sample.detail)
        asleep_ms = sum(e - s for s, e in merged)
        candidates.append(((staged, asleep_ms, platform, source), merged, group))
    if not candidates:
        return None  # in bed or awake only: no night to count
    _, merged, group = max(candidates, key=lambda c: c[0])
    values = {
        "bed_at": datetime.fromtimestamp(merged[0][0] / 1000, tz=UTC),
        "woke_at": datetime.fromtimestamp(merged[-1][1] / 1000, tz=UTC),
        "quality": None,
        "asleep_min": round(sum(e - s for s, e in merged) / 60000, 1),
        **_source_values(group),
    }
    return DerivedRecord("sleep_logs", key, values)


def derive(key: str, samples: Sequence[Sample]) -> DerivedRecord | None:
    """The diary record the live samples of one record key make, or None (delete it)."""
    if not samples:
        return None
    kind = samples[0].kind
    if kind == SLEEP:
        return _night(key, samples)
    chosen = [min(samples, key=lambda s: (s.platform, s.source, s.sync_key))]
    sample = chosen[0]
    if kind == CAFFEINE:
        values = {"consumed_at": sample.start_at, "drink": "", "servings": 1.0, "mg": sample.detail["mg"]}
    else:
        values = {
            "started_at": sample.start_at,
            "duration_min": sample.detail["minutes"],
            # A store that does not say how hard takes the diary's own default, as an entry left unset does.
            "intensity": sample.detail.get("intensity") or "moderate",
            "kind": sample.detail.get("activity") or "",
        }
    return DerivedRecord(TABLE_OF_KIND[kind], key, {**values, **_source_values(chosen)})
