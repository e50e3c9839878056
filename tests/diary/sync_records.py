"""Sync-wire records that exercise every column of every table, as an app would push them.

``every_column_records()`` gives, per table, a record with every writable column set to a
value that is not its default (fractional floats, lists in a non-sorted order, a non-empty
text), and one with every nullable column null and every optional string empty. Built from
the registry, so a column added there without a value here fails the round-trip tests.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from diary.tables import TABLES, Column

DAY_MS = 86_400_000


def compact(value: Any) -> str:
    """JSON as JavaScript's JSON.stringify writes it (what a WatermelonDB @json field stores)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _samples() -> str:
    rate, seconds = 50, 12
    # "+ 0.0" turns -0.0 into 0.0: JavaScript writes no negative zero, and PostgreSQL's JSON has none.
    wave = [round(0.3 * math.sin(2 * math.pi * 5.0 * i / rate), 4) + 0.0 for i in range(rate * seconds)]
    return compact({"x": wave, "y": [round(0.5 * w, 4) + 0.0 for w in wave], "z": [9.81] * len(wave)})


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date().isoformat()


def _full(now_ms: int) -> dict[str, dict[str, Any]]:
    at = now_ms - 3 * DAY_MS + 123  # a time with milliseconds, which must survive to the millisecond
    return {
        "episodes": {
            "started_at": at,
            "duration_s": 45,
            "body_sites": compact(["right_thumb", "left_index", "left_eyelid"]),  # not sorted: order is kept
            "character": "spasm_cramp",
            "intensity": 7,
            "context": "writing_typing",
            "symptoms": compact(["tingling", "cramp"]),
            "notes": "after two coffees, «café» at work",
            "utc_offset_min": 60,
        },
        "caffeine_intakes": {"consumed_at": at, "drink": "", "servings": 1.5, "mg": 80.5, "utc_offset_min": -300},
        "sleep_logs": {"bed_at": at - 27_000_000, "woke_at": at, "quality": 4, "utc_offset_min": 330},
        "stress_logs": {"recorded_at": at, "level": 0, "utc_offset_min": 840},
        "medications": {
            "name": "My own tablets",
            "catalogue_key": "",
            "drug_class": "ssri_snri",
            "dose": "50 mg",
            "started_on": "2026-10-01",
            "stopped_on": "2026-11-15",
            "as_needed": True,
        },
        "medication_doses": {
            "medication_id": "rt-medications-full",
            "taken_at": at,
            "amount": "1 tablet",
            "utc_offset_min": -720,
        },
        "exercise_sessions": {
            "started_at": at,
            "duration_min": 35,
            "intensity": "light",
            "kind": "swimming",
            "utc_offset_min": 345,
        },
        "tremor_recordings": {
            "recorded_at": at,
            "hand": "left",
            "posture": "postural",
            "sample_rate_hz": 50.0,
            "samples": _samples(),
            "utc_offset_min": -210,
        },
        "lab_results": {
            "taken_on": "2026-11-20",
            "analyte": "magnesium",
            "value": 0.68,
            "unit": "mmol/L",
            "reference_low": 0.7,
            "reference_high": 1.0,
        },
        "day_checkins": {"day": _day(at), "no_twitches": True, "kept_plan": False, "utc_offset_min": 60},
    }


def _emptiest(column: Column, full_value: Any) -> Any:
    """Null where null is a value, an empty string where one is allowed, else the full value."""
    if column.nullable:
        return None
    if column.kind == "str" and not column.required:
        return ""
    if column.kind == "list" and not column.required:
        return "[]"
    if column.kind == "bool" and not column.required:
        return False
    return full_value


def every_column_records(now_ms: int, prefix: str = "rt") -> dict[str, list[dict[str, Any]]]:
    """Per table: ``<prefix>-<table>-full`` and ``<prefix>-<table>-empty``, every writable column given."""
    full = _full(now_ms)
    records: dict[str, list[dict[str, Any]]] = {}
    for name, spec in TABLES.items():
        if spec.read_only:
            continue
        values = full[name]
        missing = {c.name for c in spec.writable_columns} - set(values)
        assert not missing, f"tests/diary/sync_records.py has no value for {name}: {sorted(missing)}"
        empty = {c.name: _emptiest(c, values[c.name]) for c in spec.writable_columns}
        if name == "caffeine_intakes":
            empty["drink"] = "espresso"  # mg null is asked of the server, from the drink
        if name == "medications":
            empty["catalogue_key"] = "sertraline"  # drug_class "" is filled from the catalogue
        if name == "day_checkins":
            empty["day"] = _day(now_ms - 4 * DAY_MS)  # one live check-in a day: another day
        records[name] = [
            {"id": f"{prefix}-{name}-full", **values},
            {"id": f"{prefix}-{name}-empty", **empty},
        ]
    for record in records["medication_doses"]:
        record["medication_id"] = f"{prefix}-medications-full"
    return records


def expected_on_pull(table: str, pushed: dict[str, Any]) -> dict[str, Any]:
    """What a pull must answer for a pushed record: the same values, except the columns the
    server fills (derived from a null/empty, or computed: a tremor recording's analysis)."""
    spec = TABLES[table]
    return {
        "id": pushed["id"],
        **{c.name: pushed[c.name] for c in spec.writable_columns if not (c.derived and pushed[c.name] in (None, ""))},
    }
