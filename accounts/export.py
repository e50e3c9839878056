"""The account export: everything a user has stored, as one JSON document, produced in chunks.

The document is ``{"format", "version", "exported_at", "profile", "tables": {table: [records]}}``
with the tables in the registry's order (diary.tables.TABLES). Records are in the REST
representation: ISO 8601 times, ``YYYY-MM-DD`` dates, real arrays, and a reference as the
client id it points to (``medication_id``). Deleted records are left out.

Each table is read with one query through a database iterator, and the text is handed
out a few hundred records at a time, so a year of diary never sits in memory and the
number of queries does not grow with the number of rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from accounts.models import User
from diary.tables import TABLES, TableSpec

EXPORT_FORMAT = "twitchlog-export"
EXPORT_VERSION = 1
CHUNK_SIZE = 500

PROFILE_FIELDS = ("email", "display_name", "timezone", "weekly_summary_enabled", "birth_year", "date_joined")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _iso(value: datetime) -> str:
    # The same shape DRF gives every time on the REST API: UTC with a "Z".
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _rest_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def rest_record(spec: TableSpec, row: dict[str, Any]) -> dict[str, Any]:
    """One stored row (from ``.values(*spec.read_fields)``) as the REST API shows it."""
    record: dict[str, Any] = {"id": row["client_id"]}
    for column in spec.columns:
        record[column.name] = _rest_value(row[spec.read_field(column)])
    record["created_at"] = _iso(row["created_at"])
    record["updated_at"] = _iso(row["updated_at"])
    return record


def export_date(*, user: User, now: datetime) -> date:
    """The day of the export in the user's timezone, as the file name shows it."""
    return now.astimezone(ZoneInfo(user.timezone)).date()


def export_filename(*, user: User, now: datetime) -> str:
    return f"twitchlog-export-{export_date(user=user, now=now).isoformat()}.json"


def _profile(user: User) -> dict[str, Any]:
    return {field: _rest_value(getattr(user, field)) for field in PROFILE_FIELDS}


def _table_chunks(spec: TableSpec, user: User) -> Iterator[str]:
    """The records of one table as JSON array items, ``CHUNK_SIZE`` to a chunk, comma-joined."""
    rows = (
        spec.model._default_manager.filter(user=user, deleted_at__isnull=True)
        .order_by(spec.model.time_field, "pk")
        .values(*spec.read_fields)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    batch: list[str] = []
    separator = ""
    for row in rows:
        batch.append(_dumps(rest_record(spec, row)))
        if len(batch) == CHUNK_SIZE:
            yield separator + ",".join(batch)
            batch, separator = [], ","
    if batch:
        yield separator + ",".join(batch)


def account_export_chunks(*, user: User, now: datetime) -> Iterator[str]:
    """The export document in pieces that join into valid JSON."""
    head = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "exported_at": _iso(now), "profile": _profile(user)}
    # The head's closing brace is replaced by the opening of "tables".
    yield _dumps(head)[:-1] + ',"tables":{'
    for position, (name, spec) in enumerate(TABLES.items()):
        yield ("," if position else "") + _dumps(name) + ":["
        yield from _table_chunks(spec, user)
        yield "]"
    yield "}}"
