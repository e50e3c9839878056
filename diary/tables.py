"""The syncable tables: their wire names, columns and how a column's value travels.

One registry serves the REST API, the WatermelonDB sync, the account export and the
tests. On the sync wire WatermelonDB has only strings, numbers and booleans, so every
time is epoch milliseconds, every list is a JSON-encoded string (as its ``@json`` fields
store it) and a date is a "YYYY-MM-DD" string. REST uses ISO 8601 and real arrays.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from diary import models as m

# WatermelonDB makes 16 random characters; we accept any id of this shape.
CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # datetime | date | int | float | str | bool | list | ref | samples
    required: bool = True
    default: Any = None
    max_length: int | None = None
    # For kind "ref": the model field holding the foreign key and the table it points to.
    ref_table: str | None = None
    # Computed by the server (a tremor recording's analysis): sent on pulls and REST reads,
    # ignored when a client sends it.
    read_only: bool = False


@dataclass(frozen=True)
class TableSpec:
    name: str  # the sync and export name, e.g. "episodes"
    model: type[m.DiaryRecord]
    route: str  # the REST path segment, e.g. "caffeine-intakes"
    columns: tuple[Column, ...]
    # --- i16 (self-experiments): the smallest additions for server-written tables ---
    # Pulled, never pushed: the server writes the table and a push naming it is refused.
    read_only: bool = False
    # The app's sync schema version that introduced the table; older apps never get it.
    since_version: int = 1

    @property
    def writable_columns(self) -> tuple[Column, ...]:
        """The columns a client writes (all but the server's computed ones)."""
        return tuple(c for c in self.columns if not c.read_only)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.writable_columns)

    def read_field(self, column: Column) -> str:
        """The lookup that reads a column's wire value: a reference reads the client id it points to."""
        return f"{column.name[:-3]}__client_id" if column.kind == "ref" else column.name

    @property
    def read_fields(self) -> tuple[str, ...]:
        return ("client_id", "created_at", "updated_at", "deleted_at", *(self.read_field(c) for c in self.columns))


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "episodes",
            m.Episode,
            "episodes",
            (
                Column("started_at", "datetime"),
                Column("duration_s", "int"),
                Column("body_sites", "list"),
                Column("character", "str", max_length=32),
                Column("intensity", "int"),
                Column("context", "str", required=False, default="", max_length=32),
                Column("symptoms", "list", required=False, default=()),
                Column("notes", "str", required=False, default="", max_length=2000),
            ),
        ),
        TableSpec(
            "caffeine_intakes",
            m.CaffeineIntake,
            "caffeine-intakes",
            (
                Column("consumed_at", "datetime"),
                Column("drink", "str", required=False, default="", max_length=32),
                Column("servings", "float", required=False, default=1.0),
                Column("mg", "float", required=False, default=None),
            ),
        ),
        TableSpec(
            "sleep_logs",
            m.SleepLog,
            "sleep-logs",
            (
                Column("bed_at", "datetime"),
                Column("woke_at", "datetime"),
                Column("quality", "int", required=False, default=None),
            ),
        ),
        TableSpec(
            "stress_logs",
            m.StressLog,
            "stress-logs",
            (
                Column("recorded_at", "datetime"),
                Column("level", "int"),
            ),
        ),
        TableSpec(
            "medications",
            m.Medication,
            "medications",
            (
                Column("name", "str", max_length=120),
                Column("catalogue_key", "str", required=False, default="", max_length=64),
                Column("drug_class", "str", required=False, default="", max_length=32),
                Column("dose", "str", required=False, default="", max_length=120),
                Column("started_on", "date", required=False, default=None),
                Column("stopped_on", "date", required=False, default=None),
                Column("as_needed", "bool", required=False, default=False),
            ),
        ),
        TableSpec(
            "medication_doses",
            m.MedicationDose,
            "medication-doses",
            (
                Column("medication_id", "ref", ref_table="medications"),
                Column("taken_at", "datetime"),
                Column("amount", "str", required=False, default="", max_length=60),
            ),
        ),
        TableSpec(
            "exercise_sessions",
            m.ExerciseSession,
            "exercise-sessions",
            (
                Column("started_at", "datetime"),
                Column("duration_min", "int"),
                Column("intensity", "str", required=False, default="moderate", max_length=16),
                Column("kind", "str", required=False, default="", max_length=60),
            ),
        ),
        TableSpec(
            "tremor_recordings",
            m.TremorRecording,
            "tremor-recordings",
            (
                Column("recorded_at", "datetime"),
                Column("hand", "str", max_length=8),
                Column("posture", "str", max_length=12),
                Column("sample_rate_hz", "float"),
                Column("samples", "samples"),
                *(
                    # Null until the analysis job has run, except the description, which starts blank.
                    Column(name, kind, required=False, default=default, read_only=True)
                    for name, kind, default in (
                        ("analysed_at", "datetime", None),
                        ("dominant_hz", "float", None),
                        ("power", "float", None),
                        ("rhythmicity", "float", None),
                        ("rhythmic", "bool", None),
                        ("amplitude", "float", None),
                        ("description", "str", ""),
                    )
                ),
            ),
        ),
        TableSpec(
            "lab_results",
            m.LabResult,
            "lab-results",
            (
                Column("taken_on", "date"),
                Column("analyte", "str", max_length=32),
                Column("value", "float"),
                Column("unit", "str", max_length=20),
                Column("reference_low", "float", required=False, default=None),
                Column("reference_high", "float", required=False, default=None),
            ),
        ),
    )
}


# --- i16 (self-experiments): read-only tables, kept out of TABLES -------------------------------
# TABLES is what clients write (REST CRUD, push, export, demo all walk it); these tables are
# written by the server only and reach the app through the pull alone.
READ_ONLY_TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "experiments",
            m.Experiment,
            "experiments",
            (
                Column("trigger", "str", max_length=32),
                Column("label", "str", max_length=60),
                Column("start_date", "date"),
                Column("end_date", "date"),
                Column("status", "str", max_length=12),
                Column("stopped_on", "date", required=False, default=None),
            ),
            read_only=True,
            since_version=2,
        ),
        TableSpec(
            "experiment_days",
            m.ExperimentDay,
            "experiment-days",
            (
                Column("experiment_id", "ref", ref_table="experiments"),
                Column("day", "date"),
                Column("assignment", "str", max_length=8),
                Column("label", "str", max_length=60),
                Column("instruction", "str", max_length=200),
            ),
            read_only=True,
            since_version=2,
        ),
    )
}
# The newest sync schema version the server knows; a pull without one is read as version 1.
SCHEMA_VERSION = 2


def pulled_tables(schema_version: int | None) -> dict[str, TableSpec]:
    """Every table a pull sends to an app at ``schema_version``: none it does not know yet."""
    version = schema_version or 1
    return {name: spec for name, spec in {**TABLES, **READ_ONLY_TABLES}.items() if spec.since_version <= version}


class WireError(ValueError):
    """A value that cannot be read as its column's kind; the message names the rule."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def ms_to_datetime(value: Any) -> datetime:
    if not _is_number(value):
        raise WireError("must be a time in epoch milliseconds (a number)")
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise WireError("is not a valid time in epoch milliseconds") from None


def datetime_to_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _read_date(value: Any) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise WireError("must be a date as YYYY-MM-DD") from None
    if _is_number(value):
        return ms_to_datetime(value).date()
    raise WireError("must be a date as YYYY-MM-DD")


def _read_list(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except json.JSONDecodeError:
            raise WireError("must be a JSON-encoded list of strings") from None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise WireError("must be a JSON-encoded list of strings")
    return value


def _read_int(value: Any) -> int:
    if _is_number(value) and float(value).is_integer():
        return int(value)
    raise WireError("must be a whole number")


def _read_float(value: Any) -> float:
    if _is_number(value):
        return float(value)
    raise WireError("must be a number")


def _read_str(value: Any) -> str:
    if not isinstance(value, str):
        raise WireError("must be a string")
    # PostgreSQL text cannot hold NUL; REST's CharField refuses it the same way.
    if "\x00" in value:
        raise WireError("must not contain null characters")
    return value


def _read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    raise WireError("must be true or false")


def read_samples(value: Any) -> dict[str, Any]:
    """Three equal-length axes of m/s^2; a JSON-encoded string on the sync wire. The numbers
    themselves are checked by the tremor rules, which name the axis and the problem."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise WireError('must be a JSON-encoded object {"x": [...], "y": [...], "z": [...]}') from None
    if not isinstance(value, dict) or not all(isinstance(value.get(axis), list) for axis in ("x", "y", "z")):
        raise WireError('must be an object {"x": [...], "y": [...], "z": [...]} of numbers')
    return {axis: value[axis] for axis in ("x", "y", "z")}


_READERS = {
    "datetime": ms_to_datetime,
    "date": _read_date,
    "int": _read_int,
    "float": _read_float,
    "str": _read_str,
    "bool": _read_bool,
    "list": _read_list,
    "ref": _read_str,
    "samples": read_samples,
}


def read_wire_record(spec: TableSpec, raw: Any) -> tuple[str | None, dict[str, Any], dict[str, list[str]]]:
    """Read one record of a sync push into (client id, python values, errors by column).

    Columns the table does not have, and WatermelonDB's own ``_status`` and ``_changed``,
    are ignored, as its sync documentation advises for forward compatibility.
    """
    errors: dict[str, list[str]] = {}
    if not isinstance(raw, dict):
        return None, {}, {"record": ["must be an object of column values"]}
    client_id = raw.get("id")
    if not isinstance(client_id, str) or not valid_client_id(client_id):
        errors["id"] = ["must be 1-64 characters of letters, digits, '_' or '-'"]
        client_id = None
    values: dict[str, Any] = {}
    for column in spec.columns:
        if column.read_only:
            continue
        value = raw.get(column.name)
        if value is None or (value == "" and column.kind not in ("str",)):
            if column.required:
                errors[column.name] = ["is required"]
            else:
                values[column.name] = column.default if column.kind != "list" else list(column.default or ())
            continue
        try:
            values[column.name] = _READERS[column.kind](value)
        except WireError as exc:
            errors[column.name] = [str(exc)]
    return client_id, values, errors


def valid_client_id(value: str) -> bool:
    return 1 <= len(value) <= 64 and all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in value)


def to_wire(spec: TableSpec, row: dict[str, Any]) -> dict[str, Any]:
    """One stored row (as from ``.values()``) as WatermelonDB expects it on a pull."""
    record: dict[str, Any] = {"id": row["client_id"]}
    for column in spec.columns:
        value = row[spec.read_field(column)]
        if value is None:
            record[column.name] = None
        elif column.kind == "datetime":
            record[column.name] = datetime_to_ms(value)
        elif column.kind == "date":
            record[column.name] = value.isoformat()
        elif column.kind in ("list", "samples"):
            record[column.name] = json.dumps(value)
        else:
            record[column.name] = value
    return record
