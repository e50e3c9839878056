"""The account export: everything a user has stored, as one JSON document, produced in chunks.

The document is ``{"format", "version", "exported_at", "profile", "tables": {table: [records]},
"health_samples": [samples]}`` with the tables in the registry's order (diary.tables.TABLES)
and, last, every sample imported from Apple Health or Health Connect with its source, version,
unit and time zone, and the id of the diary record it feeds (``record_id``; diary.health). Records are in the REST
representation: ISO 8601 times, ``YYYY-MM-DD`` dates, real arrays, and a reference as the
client id it points to (``medication_id``). Deleted records are left out.

Each table is read with one query through a database cursor (rows.live_rows), and the
text is handed out a few hundred records at a time, so a year of diary never sits in
memory and the number of queries does not grow with the number of rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from accounts.models import User
from accounts.selectors import timezone_periods
from diary.exports.rows import iso_utc, live_rows, record_fields
from diary.models import HealthSample
from diary.tables import TABLES, TableSpec

EXPORT_FORMAT = "twitchlog-export"
EXPORT_VERSION = 1
CHUNK_SIZE = 500

PROFILE_FIELDS = ("email", "display_name", "timezone", "weekly_summary_enabled", "birth_year", "date_joined")


def _dumps(value: Any) -> str:
    # allow_nan=False: the export is JSON (RFC 8259) or it fails loudly, never "Infinity". Every
    # float column is finite by its check constraint, so nothing stored can make it fail.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _rest_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def rest_record(spec: TableSpec, row: tuple[Any, ...]) -> dict[str, Any]:
    """One stored row (the values of ``record_fields(spec)``) as the REST API shows it."""
    client_id, *values, created_at, updated_at = row
    record: dict[str, Any] = {"id": client_id}
    for column, value in zip(spec.columns, values, strict=True):
        record[column.name] = _rest_value(value)
    record["created_at"] = iso_utc(created_at)
    record["updated_at"] = iso_utc(updated_at)
    return record


def _profile(user: User) -> dict[str, Any]:
    profile = {field: _rest_value(getattr(user, field)) for field in PROFILE_FIELDS}
    # The zones the profile has had, each from its moment on (null: from the beginning).
    profile["timezone_history"] = [
        {"from": iso_utc(start) if start else None, "timezone": zone} for start, zone in timezone_periods(user=user)
    ]
    return profile


def _chunked(items: Iterator[dict[str, Any]]) -> Iterator[str]:
    """JSON array items, ``CHUNK_SIZE`` to a chunk, comma-joined."""
    batch: list[str] = []
    separator = ""
    for item in items:
        batch.append(_dumps(item))
        if len(batch) == CHUNK_SIZE:
            yield separator + ",".join(batch)
            batch, separator = [], ","
    if batch:
        yield separator + ",".join(batch)


def _table_chunks(spec: TableSpec, user: User) -> Iterator[str]:
    """The records of one table as JSON array items in chunks."""
    return _chunked(rest_record(spec, row) for row in live_rows(spec.model, user, record_fields(spec)))


def account_export_chunks(*, user: User, now: datetime) -> Iterator[str]:
    """The export document in pieces that join into valid JSON."""
    head = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "exported_at": iso_utc(now), "profile": _profile(user)}
    # The head's closing brace is replaced by the opening of "tables".
    yield _dumps(head)[:-1] + ',"tables":{'
    for position, (name, spec) in enumerate(TABLES.items()):
        yield ("," if position else "") + _dumps(name) + ":["
        yield from _table_chunks(spec, user)
        yield "]"
    yield '},"health_samples":['
    yield from _chunked(_health_samples(user))
    yield "]}"


HEALTH_SAMPLE_FIELDS = (
    "platform",
    "source",
    "sample_id",
    "sync_key",
    "version",
    "kind",
    "start_at",
    "end_at",
    "detail",
    "user_entered",
    "unit",
    "time_zone",
    "record_key",
)


def _health_samples(user: User) -> Iterator[dict[str, Any]]:
    """The ledger of imported samples, deleted ones left out, oldest first; one query through a cursor."""
    rows = (
        HealthSample.objects.filter(user=user, deleted_at__isnull=True)
        .order_by("start_at", "pk")
        .values_list(*HEALTH_SAMPLE_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for row in rows:
        sample = {name: _rest_value(value) for name, value in zip(HEALTH_SAMPLE_FIELDS, row, strict=True)}
        sample["record_id"] = sample.pop("record_key")
        yield sample
