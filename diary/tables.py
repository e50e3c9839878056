"""The syncable tables: their wire names, columns and how a column's value travels.

One registry serves the REST API, the WatermelonDB sync, the account export and the
tests. On the sync wire WatermelonDB has only strings, numbers and booleans, so every
time is epoch milliseconds, every list is a JSON-encoded string (as its ``@json`` fields
store it) and a date is a "YYYY-MM-DD" string. REST uses ISO 8601 and real arrays.

Each column decides its round trip here: ``nullable`` columns (WatermelonDB's
``isOptional``) keep a pushed null as null; the others never hold null (a null pushed for
one reads as its default, as WatermelonDB's own sanitizer would make it). ``since`` is the
app schema version that introduced a table or column: a pull for an older app leaves it
out, and a migration sync resends it (WatermelonDB's "Migration syncs"). Adding a column
or a table at version N is one declaration with ``since=N``.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from itertools import repeat
from typing import Any

from config.parsers import JsonLimitError, loads_limited
from diary import models as m

# WatermelonDB makes 16 random characters; we accept any id of this shape.
CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

# The kinds' own ranges: an integer column is a 32-bit integer in the database, and a float
# column holds finite numbers only (JSON has no Infinity; an export must stay JSON).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
FLOAT_MAX = sys.float_info.max


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
    # Null is a value of its own: a pushed null is stored and pulled back as null.
    nullable: bool = False
    # The app schema version that introduced the column.
    since: int = 1
    # The server fills it when it comes as null (caffeine mg from the drink, a medicine's class).
    derived: bool = False
    # For a number: the inclusive range a value must fall in (diary.record_checks checks it on REST and
    # sync alike); left as None, the kind's own range (a 32-bit integer, a finite float).
    low: float | None = None
    high: float | None = None
    # For a date: how many days after today it may be (a planned end of a course of medicine).
    # Every time and date starts at EARLIEST_DAY and a time may be at most FUTURE_TOLERANCE ahead
    # (diary.time_bounds).
    future_days: int = 1

    @property
    def value_range(self) -> tuple[float, float] | None:
        """The inclusive range of a number column, declared or the kind's own; None for other kinds."""
        if self.kind == "int":
            return (INT_MIN if self.low is None else self.low, INT_MAX if self.high is None else self.high)
        if self.kind == "float":
            return (-FLOAT_MAX if self.low is None else self.low, FLOAT_MAX if self.high is None else self.high)
        return None

    @property
    def wire_type(self) -> str:
        """WatermelonDB's column type: string, number or boolean."""
        return _WIRE_TYPES[self.kind]


@dataclass(frozen=True)
class TableSpec:
    name: str  # the sync and export name, e.g. "episodes"
    model: type[m.DiaryRecord]
    route: str  # the REST path segment, e.g. "caffeine-intakes"
    columns: tuple[Column, ...]
    # The app schema version that introduced the table.
    since: int = 1
    # Written by the server only: pulled, never pushed (a push with records of it is a 400).
    read_only: bool = False

    def columns_at(self, version: int) -> tuple[Column, ...]:
        """The columns an app at schema ``version`` has."""
        return tuple(c for c in self.columns if c.since <= version)

    # Cached: a push reads these for every record (the dataclass is frozen, the registry fixed).
    @cached_property
    def writable_columns(self) -> tuple[Column, ...]:
        """The columns a client writes (all but the server's computed ones)."""
        return tuple(c for c in self.columns if not c.read_only)

    @cached_property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.writable_columns)

    @cached_property
    def keepable_columns(self) -> frozenset[str]:
        """The writable columns a stored record keeps when a push leaves them out (all but the
        derived ones, which are derived again)."""
        return frozenset(c.name for c in self.writable_columns if not c.derived)

    @cached_property
    def wire_reader(self) -> Callable[[Any], WireRecord]:
        """``read_wire_record`` of this table, compiled once (see _compile_reader)."""
        return _compile_reader(self.writable_columns)

    @cached_property
    def wire_column_reader(self) -> Callable[[list[Any]], list[WireRecord] | None]:
        """``read_wire_records``' column by column road for this table (see _compile_column_reader)."""
        return _compile_column_reader(self.writable_columns)

    def read_field(self, column: Column) -> str:
        """The lookup that reads a column's wire value: a reference reads the client id it points to."""
        return f"{column.name[:-3]}__client_id" if column.kind == "ref" else column.name

    @cached_property
    def read_fields(self) -> tuple[str, ...]:
        return ("client_id", "created_at", "updated_at", "deleted_at", *(self.read_field(c) for c in self.columns))


# Concentrations are never negative, and no analyte in any unit the app offers reaches a
# million (vitamin B12 in pg/mL, the largest numbers, is in the hundreds to low thousands).
LAB_VALUE_MAX = 1_000_000.0

_WIRE_TYPES = {
    "datetime": "number",
    "date": "string",
    "int": "number",
    "float": "number",
    "str": "string",
    "bool": "boolean",
    "list": "string",
    "ref": "string",
    "samples": "string",
}

# The phone's UTC offset when the record was logged (minutes, -720 to +840), so the record's local
# day is the person's day where they were. Optional: an older app's records take the profile's zone.
UTC_OFFSET = Column(
    "utc_offset_min",
    "int",
    required=False,
    default=None,
    nullable=True,
    since=3,
    low=m.MIN_UTC_OFFSET_MIN,
    high=m.MAX_UTC_OFFSET_MIN,
)

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "episodes",
            m.Episode,
            "episodes",
            (
                Column("started_at", "datetime"),
                Column("duration_s", "int", low=0, high=3600),
                Column("body_sites", "list"),
                Column("character", "str", max_length=32),
                Column("intensity", "int", low=1, high=10),
                Column("context", "str", required=False, default="", max_length=32),
                Column("symptoms", "list", required=False, default=()),
                Column("notes", "str", required=False, default="", max_length=2000, nullable=True),
                UTC_OFFSET,
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
                Column("mg", "float", required=False, default=None, nullable=True, derived=True, low=0, high=2000),
                UTC_OFFSET,
            ),
        ),
        TableSpec(
            "sleep_logs",
            m.SleepLog,
            "sleep-logs",
            (
                Column("bed_at", "datetime"),
                Column("woke_at", "datetime"),
                Column("quality", "int", required=False, default=None, nullable=True, low=1, high=5),
                UTC_OFFSET,
            ),
        ),
        TableSpec(
            "stress_logs",
            m.StressLog,
            "stress-logs",
            (
                Column("recorded_at", "datetime"),
                Column("level", "int", low=0, high=10),
                UTC_OFFSET,
            ),
        ),
        TableSpec(
            "medications",
            m.Medication,
            "medications",
            (
                Column("name", "str", max_length=120),
                Column("catalogue_key", "str", required=False, default="", max_length=64),
                # Derived by the server from the catalogue key or the name as typed (diary.record_checks):
                # the catalogue medicine matched ("" for none) and its drug class ("other").
                Column("drug_class", "str", required=False, default="other", max_length=32, read_only=True),
                Column("matched_key", "str", required=False, default="", max_length=64, read_only=True),
                Column("dose", "str", required=False, default="", max_length=120),
                # A course of medicine may be entered with its planned dates, up to a year ahead.
                Column("started_on", "date", required=False, default=None, nullable=True, future_days=366),
                Column("stopped_on", "date", required=False, default=None, nullable=True, future_days=366),
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
                UTC_OFFSET,
            ),
        ),
        TableSpec(
            "exercise_sessions",
            m.ExerciseSession,
            "exercise-sessions",
            (
                Column("started_at", "datetime"),
                Column("duration_min", "int", low=1, high=1440),
                Column("intensity", "str", required=False, default="moderate", max_length=16),
                Column("kind", "str", required=False, default="", max_length=60),
                UTC_OFFSET,
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
                UTC_OFFSET,
                *(
                    # Null until the analysis job has run, except the description, which starts blank.
                    Column(name, kind, required=False, default=default, read_only=True, nullable=default is None)
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
                Column("value", "float", low=0, high=LAB_VALUE_MAX),
                Column("unit", "str", max_length=20),
                Column(
                    "reference_low", "float", required=False, default=None, nullable=True, low=0, high=LAB_VALUE_MAX
                ),
                Column(
                    "reference_high", "float", required=False, default=None, nullable=True, low=0, high=LAB_VALUE_MAX
                ),
            ),
        ),
        TableSpec(
            "day_checkins",
            m.DayCheckin,
            "day-checkins",
            (
                Column("day", "date"),
                Column("no_twitches", "bool", required=False, default=False),
                Column("kept_plan", "bool", required=False, default=None, nullable=True),
                UTC_OFFSET,
            ),
            since=3,
        ),
    )
}


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
                Column("stopped_on", "date", required=False, default=None, nullable=True),
            ),
            read_only=True,
            since=2,
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
            since=2,
        ),
    )
}


def sync_tables() -> dict[str, TableSpec]:
    """Every table the sync knows: what clients write, and what the server writes for them to pull."""
    return {**TABLES, **READ_ONLY_TABLES}


class WireError(ValueError):
    """A value that cannot be read as its column's kind; the message names the rule."""


def _is_number(value: Any) -> bool:
    """A JSON number: a finite float or any integer (10**400 is a number, only a range refuses it)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def ms_to_datetime(value: Any) -> datetime:
    if not _is_number(value):
        raise WireError("must be a time in epoch milliseconds (a number)")
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):  # beyond year 1-9999, or an integer past any float
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


def _read_json_text(value: str, rule: str) -> Any:
    """A WatermelonDB ``@json`` string, read under the same limits as a request body."""
    try:
        return loads_limited(value)
    except JsonLimitError as exc:
        raise WireError(f"{rule} ({exc})") from None


def _read_list(value: Any) -> list[str]:
    if value == "[]":
        return []  # the everyday empty list (no symptoms), without the JSON reader
    if isinstance(value, str):
        value = _read_json_text(value, "must be a JSON-encoded list of strings") if value.strip() else []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise WireError("must be a JSON-encoded list of strings")
    return value


def _read_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # any size: the column's range refuses what does not fit
    if _is_number(value) and float(value).is_integer():
        return int(value)
    raise WireError("must be a whole number")


def _read_float(value: Any) -> float:
    if _is_number(value):
        try:
            return float(value)
        except OverflowError:
            raise WireError(f"must be a finite number (at most {FLOAT_MAX:g} either side of 0)") from None
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
        value = _read_json_text(value, 'must be a JSON-encoded object {"x": [...], "y": [...], "z": [...]}')
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


def read_wire_record(spec: TableSpec, raw: Any) -> WireRecord:
    """Read one record of a sync push into (client id, python values, errors by column).

    Columns the table does not have, and WatermelonDB's own ``_status`` and ``_changed``,
    are ignored, as its sync documentation advises for forward compatibility. A nullable
    column keeps null; any other optional column left out or sent as null takes its default.
    A record read without errors has a value for every writable column, in their order.
    """
    return spec.wire_reader(raw)


def read_wire_records(spec: TableSpec, raws: list[Any]) -> list[WireRecord]:
    """``read_wire_record`` of each of ``raws``, the same values and errors, faster on a clean batch.

    A sync push carries hundreds of records of a table, nearly always each value of its column's
    everyday kind. Those are read a column at a time: the values' types looked at in C, an int or
    a str column taken as it is, every other value through its kind's own reader without the
    record loop around it. The first value that is not clean (missing from a required column,
    refused by its reader, an id that is not one) sends the whole batch record by record, so
    every error is found and worded exactly as read_wire_record words it."""
    return spec.wire_column_reader(raws) or [spec.wire_reader(raw) for raw in raws]


WireRecord = tuple[str | None, dict[str, Any], dict[str, list[str]]]


def _compile_reader(columns: tuple[Column, ...]) -> Callable[[Any], WireRecord]:
    """``read_wire_record`` for one table: what each column needs (its reader, whether an empty
    string means "none", its default) is looked up once here, not for every value of every
    record of a push."""
    plan = tuple(
        (c.name, c.kind != "str", c.required, c.nullable, c.kind == "list", c.default, _READERS[c.kind])
        for c in columns
    )
    id_matches = _CLIENT_ID.fullmatch

    def read(raw: Any) -> WireRecord:
        if not isinstance(raw, dict):
            return None, {}, {"record": ["must be an object of column values"]}
        errors: dict[str, list[str]] = {}
        client_id = raw.get("id")
        if not isinstance(client_id, str) or id_matches(client_id) is None:
            errors["id"] = ["must be 1-64 characters of letters, digits, '_' or '-'"]
            client_id = None
        values: dict[str, Any] = {}
        get = raw.get
        for name, empty_is_none, required, nullable, is_list, default, reader in plan:
            value = get(name)
            # An empty string is a value of a string column; for any other kind it means "none".
            if value is None or (empty_is_none and value == ""):
                if required:
                    errors[name] = ["is required"]
                elif nullable and name in raw:
                    values[name] = None
                else:
                    values[name] = list(default or ()) if is_list else default
                continue
            try:
                values[name] = reader(value)
            except WireError as exc:
                errors[name] = [str(exc)]
        return client_id, values, errors

    return read


class _NotClean(Exception):
    """A value the column by column road leaves to the record by record one, for its error."""


# The kinds whose reader gives back any value of this exact type as it is (see _read_int, _read_str).
_TAKEN_AS_IS = {"int": {int}, "str": {str}, "ref": {str}}
_NUMBERS = {int, float}
_NO_ERRORS: dict[str, list[str]] = {}  # shared by every clean record: nobody writes to it


def _compile_column_reader(columns: tuple[Column, ...]) -> Callable[[list[Any]], list[WireRecord] | None]:
    """read_wire_records' column by column road for one table: None when a record is not clean."""
    plan = tuple(
        (c.name, c.kind, c.kind != "str", c.required, c.nullable, c.kind == "list", c.default, _READERS[c.kind])
        for c in columns
    )
    names = tuple(c.name for c in columns)
    id_matches = _CLIENT_ID.fullmatch

    def read_column(raws: list[dict[str, Any]], step: tuple[Any, ...]) -> list[Any]:
        name, kind, empty_is_none, required, nullable, is_list, default, reader = step
        values: list[Any] = [raw.get(name) for raw in raws]
        types = set(map(type, values))
        if type(None) in types or (empty_is_none and "" in values):
            # Some records leave it out (or send null, or "" for none): as read_wire_record fills it.
            if required:
                raise _NotClean
            return [
                (None if nullable and name in raw else list(default or ()) if is_list else default)
                if value is None or (empty_is_none and value == "")
                else reader(value)
                for raw, value in zip(raws, values, strict=True)
            ]
        if types == _TAKEN_AS_IS.get(kind) and (kind == "int" or "\x00" not in "".join(values)):
            return values
        if kind == "datetime" and types <= _NUMBERS:
            try:  # ms_to_datetime without its checks, which any failure here sends back to it
                return [datetime.fromtimestamp(ms / 1000, tz=UTC) for ms in values]
            except (OverflowError, OSError, ValueError):
                raise _NotClean from None
        if kind == "list" and types == {str}:
            # Body sites and symptoms: a few distinct JSON texts over hundreds of records, each
            # read once; every record gets a list of its own.
            lists = {text: reader(text) for text in set(values)}
            return [list(lists[text]) for text in values]
        return list(map(reader, values))

    def read_columns(raws: list[Any]) -> list[WireRecord] | None:
        if not raws or set(map(type, raws)) != {dict}:
            return None
        ids = [raw.get("id") for raw in raws]
        if set(map(type, ids)) != {str} or None in map(id_matches, ids):
            return None
        try:
            read = [read_column(raws, step) for step in plan]
        except (_NotClean, WireError):
            return None
        return list(zip(ids, map(dict, map(zip, repeat(names), zip(*read, strict=True))), repeat(_NO_ERRORS)))

    return read_columns


_CLIENT_ID = re.compile(CLIENT_ID_PATTERN.removeprefix("^").removesuffix("$"))


def valid_client_id(value: str) -> bool:
    # fullmatch, not the pattern's "$": that would let a trailing newline through.
    return _CLIENT_ID.fullmatch(value) is not None


def to_wire(spec: TableSpec, row: dict[str, Any], columns: tuple[Column, ...] | None = None) -> dict[str, Any]:
    """One stored row (as from ``.values()``) as WatermelonDB expects it on a pull, with
    ``columns`` only (an older app's), every column by default. Lists are encoded as
    JavaScript's JSON.stringify writes them, so a pushed list string comes back unchanged."""
    record: dict[str, Any] = {"id": row["client_id"]}
    for column in spec.columns if columns is None else columns:
        value = row[spec.read_field(column)]
        if value is None:
            record[column.name] = None
        elif column.kind == "datetime":
            record[column.name] = datetime_to_ms(value)
        elif column.kind == "date":
            record[column.name] = value.isoformat()
        elif column.kind in ("list", "samples"):
            record[column.name] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        else:
            record[column.name] = value
    return record


def current_version() -> int:
    """The newest app schema version the server knows: the latest any table or column declares."""
    return max(max(spec.since, *(c.since for c in spec.columns)) for spec in sync_tables().values())


def tables_at(version: int) -> dict[str, TableSpec]:
    """The tables an app at schema ``version`` has, in the registry's order."""
    return {name: spec for name, spec in sync_tables().items() if spec.since <= version}


def watermelon_schema(version: int | None = None) -> dict[str, Any]:
    """The app's WatermelonDB schema at ``version`` (the newest by default), as the data of
    ``appSchema({version, tables: [tableSchema({name, columns})]})``: what the end-to-end
    client builds its database from and what tests/e2e/watermelon/schema.js is checked against."""
    version = current_version() if version is None else version
    return {
        "version": version,
        "tables": [
            {
                "name": name,
                "columns": [
                    {
                        "name": c.name,
                        "type": c.wire_type,
                        **({"isOptional": True} if c.nullable else {}),
                        **({"isIndexed": True} if c.kind == "ref" else {}),
                    }
                    for c in spec.columns_at(version)
                ],
            }
            for name, spec in tables_at(version).items()
        ],
    }
