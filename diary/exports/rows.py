"""What every export shares: the rows it reads, the order of a record's fields, the time shapes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from accounts.models import User
from diary.models import DiaryRecord
from diary.tables import TableSpec

# Rows fetched per round trip of the database cursor.
CHUNK_SIZE = 1000


def record_fields(spec: TableSpec) -> tuple[str, ...]:
    """The fields an export writes for a record, in order: its id, its columns (a reference as
    the client id it points to), then the server's times."""
    return ("client_id", *(spec.read_field(c) for c in spec.columns), "created_at", "updated_at")


def live_rows(model: type[DiaryRecord], user: User, fields: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    """The user's records of one table that are not deleted, oldest first, as tuples of ``fields``;
    one query, read through a database cursor."""
    return (
        model.objects.live()
        .filter(user=user)
        .order_by(model.time_field, "pk")
        .values_list(*fields)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def iso_utc(value: datetime) -> str:
    """A time as the REST API shows it: ISO 8601 in UTC with a "Z"."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def export_filename(*, today: date, extension: str, kind: str = "") -> str:
    """An export's file name, dated by the user's day: "twitchlog-2026-08-04.csv.zip", or with its
    kind for the account's export, "twitchlog-export-2026-08-04.json"."""
    return f"twitchlog-{kind}{'-' if kind else ''}{today.isoformat()}.{extension}"
