"""Insert-or-update many diary rows of one user in as few round trips as the database allows.

On PostgreSQL a large batch is streamed with COPY into a temporary table and merged with
one ``INSERT ... SELECT ... ON CONFLICT (user_id, client_id) DO UPDATE``: COPY skips the
parsing of thousands of bound parameters that a multi-row INSERT pays for, which is what
lets a 500-record sync push run near the speed of a bare COPY (bench/sync_push.py).
A small batch (a REST write, a phone's everyday push) and every batch elsewhere (SQLite,
the embedded default) take Django's bulk_create with update_conflicts, the same merge in
one ``INSERT ... VALUES ... ON CONFLICT`` round trip: for a few rows the staging table's
four round trips and its TRUNCATE cost more than the parameters they save
(bench/throughput.sh).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections

from config.model_rows import model_rows
from config.prepared_sql import prepared_cursor
from diary.models import DiaryRecord
from diary.sync_clock import STAMP_SQL, ticking

# From this many rows on, PostgreSQL merges through COPY and a staging table.
COPY_MIN_ROWS = 50
# Columns a merge never overwrites: the row's owner, its id and when the server first saw it.
_KEPT_ON_CONFLICT = ("user_id", "client_id", "created_at")


def upsert_rows(
    model: type[DiaryRecord],
    user_id: int,
    rows: Sequence[dict[str, Any]],
    stamp: datetime,
    keep: frozenset[str] = frozenset(),
) -> None:
    """Each row maps model attribute names (``medication_id`` for a foreign key) to values.
    The columns in ``keep`` are written to new rows only; an existing row keeps its own.

    Call it inside the transaction that ticked the user's sync clock (diary.services does):
    every write of the user's rows takes that lock first, so the rows found new below stay
    new until the COPY that stores them has committed."""
    if not rows:
        return
    if connection.vendor == "postgresql" and len(rows) >= COPY_MIN_ROWS:
        # A large push is mostly records the server has never seen: those are COPYed straight
        # into the table, as fast as the bare COPY the sync bench compares with; only the ids
        # the user already has (tombstones too) go through the merge.
        stored = _stored_client_ids(model, user_id, [row["client_id"] for row in rows])
        _copy_rows(model, model._meta.db_table, user_id, [row for row in rows if row["client_id"] not in stored], stamp)
        rows = [row for row in rows if row["client_id"] in stored]
        if not rows:
            return
    if connection.vendor == "postgresql" and len(rows) >= COPY_MIN_ROWS:
        _copy_merge(model, user_id, rows, stamp, keep)
    else:
        _bulk_create_merge(model, user_id, rows, stamp, keep)


def _stored_client_ids(model: type[DiaryRecord], user_id: int, client_ids: list[str]) -> set[str]:
    """The ids the user already has in this table, tombstones included. One array parameter
    (= ANY), not an IN list of hundreds that the driver would have to splice into the query."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT client_id FROM "{table}" WHERE user_id = %s AND client_id = ANY(%s)',  # noqa: S608
            [user_id, client_ids],
        )
        return {row[0] for row in cursor.fetchall()}


def _copy_rows(
    model: type[DiaryRecord], table: str, user_id: int, rows: Sequence[dict[str, Any]], stamp: datetime
) -> None:
    """COPY ``rows`` into ``table`` (the model's own, or a staging table with its columns)."""
    if not rows:
        return
    from psycopg.types.json import Jsonb

    fields = {f.attname: f for f in model._meta.concrete_fields}
    value_columns = [name for name in rows[0] if name != "client_id"]
    json_columns = {name for name in value_columns if fields[name].get_internal_type() == "JSONField"}
    columns = ["user_id", "client_id", "created_at", "updated_at", "deleted_at", *value_columns]
    column_list = ", ".join(f'"{c}"' for c in columns)
    # The psycopg cursor, for COPY; the identifiers come from the model's own metadata.
    with connection.cursor() as cursor, cursor.cursor.copy(f'COPY "{table}" ({column_list}) FROM STDIN') as copy:
        for row in rows:
            values = [Jsonb(row[c]) if c in json_columns else row[c] for c in value_columns]
            copy.write_row((user_id, row["client_id"], stamp, stamp, None, *values))


def _bulk_create_merge(
    model: type[DiaryRecord], user_id: int, rows: Sequence[dict[str, Any]], stamp: datetime, keep: frozenset[str]
) -> None:
    objects = [model(user_id=user_id, created_at=stamp, updated_at=stamp, deleted_at=None, **row) for row in rows]
    columns = [name for name in rows[0] if name != "client_id" and name not in keep]
    model._default_manager.bulk_create(
        objects,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["user", "client_id"],
        update_fields=[*columns, "updated_at", "deleted_at"],
    )


def _copy_merge(
    model: type[DiaryRecord], user_id: int, rows: Sequence[dict[str, Any]], stamp: datetime, keep: frozenset[str]
) -> None:
    table = model._meta.db_table
    value_columns = [name for name in rows[0] if name != "client_id"]
    columns = ["user_id", "client_id", "created_at", "updated_at", "deleted_at", *value_columns]
    # One staging table per column set: a REST write and a sync push may carry different columns.
    staging = f"staging_{table}_{len(columns)}"
    updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns if c not in _KEPT_ON_CONFLICT and c not in keep)
    column_list = ", ".join(f'"{c}"' for c in columns)
    # Every identifier below comes from the model's own metadata, never from a request.
    create_staging = (
        f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" ON COMMIT DELETE ROWS AS '  # noqa: S608
        f'SELECT {column_list} FROM "{table}" WITH NO DATA'
    )
    merge = (
        f'INSERT INTO "{table}" ({column_list}) SELECT {column_list} FROM "{staging}" '  # noqa: S608
        f'ON CONFLICT ("user_id", "client_id") DO UPDATE SET {updates}'
    )
    with connection.cursor() as cursor:
        # The staging table has the columns' types and nothing else (no identity, no
        # constraints); it empties itself at every commit, and every write runs in one.
        cursor.cursor.execute(create_staging)
        cursor.cursor.execute(f'TRUNCATE "{staging}"')
    _copy_rows(model, staging, user_id, rows, stamp)
    with connection.cursor() as cursor:
        cursor.cursor.execute(merge)


def insert_returning(
    model: type[DiaryRecord], user_id: int, row: dict[str, Any], stamp: datetime
) -> DiaryRecord | None:
    """Store one new record and return it as stored, in one round trip; None if the user already
    has a live record with this client id (nothing is written then).

    A REST create: a tombstone with the same id is brought back with the new values (as the
    upsert does), a live record is left alone. RETURNING hands back the row, so the answer
    needs no second SELECT and no EXISTS check before.
    """
    table = model._meta.db_table
    fields = {f.attname: f for f in model._meta.concrete_fields}
    values = {"user_id": user_id, "created_at": stamp, "updated_at": stamp, "deleted_at": None, **row}
    columns = list(values)
    updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns if c not in _KEPT_ON_CONFLICT)
    column_list = ", ".join(f'"{c}"' for c in columns)
    returned = ", ".join(f'"{f.column}"' for f in model._meta.concrete_fields)
    placeholders = ", ".join(["%s"] * len(columns))
    # Every identifier below comes from the model's own metadata, never from a request.
    sql = (
        f'INSERT INTO "{table}" ({column_list}) VALUES ({placeholders}) '  # noqa: S608
        f'ON CONFLICT ("user_id", "client_id") DO UPDATE SET {updates} WHERE "{table}"."deleted_at" IS NOT NULL '
        f"RETURNING {returned}"
    )
    params = [fields[c].get_db_prep_save(value, connection) for c, value in values.items()]
    # A raw query applies each field's conversion from the database (JSON, times), as a SELECT would.
    return next(iter(model._default_manager.raw(sql, params)), None)


def insert_stamped(model: type[DiaryRecord], user_id: int, row: dict[str, Any]) -> DiaryRecord | None:
    """``insert_returning`` and the sync clock's tick in one statement, one round trip, no
    BEGIN/COMMIT around it (PostgreSQL; see diary.sync_clock.ticking). None when nothing was
    written: the id is one of the user's live records, or the user has no clock row yet; the
    caller then takes the transactional path, which tells the two apart.

    The statement is written once per table and set of columns (_StampedInsert), and the
    returned row is made into the model as a raw queryset would: composing the SQL and a
    RawQuerySet's set-up cost more CPU per REST create than the database's work."""
    names = tuple(row)
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: each look-up through the proxy costs
    key = (model, names, db.vendor)
    insert = _STAMPED_INSERTS.get(key)
    if insert is None:
        insert = _STAMPED_INSERTS[key] = _StampedInsert(model, names)
    params = [user_id, *(field.get_db_prep_save(row[name], db) for name, field in insert.fields)]
    sql, params = ticking(user_id, insert.statement, params)
    with prepared_cursor() as cursor:
        cursor.execute(sql, cast(list[Any], params))
        stored = cursor.fetchone()
    return None if stored is None else insert.rows.make(stored)


class _StampedInsert:
    """insert_stamped's statement for one table and set of columns, and the reader of its row."""

    def __init__(self, model: type[DiaryRecord], names: tuple[str, ...]) -> None:
        table = model._meta.db_table
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        self.fields = [(name, by_name[name]) for name in names]
        self.rows = model_rows(model)
        columns = ", ".join(f'"{c}"' for c in ("user_id", "created_at", "updated_at", "deleted_at", *names))
        # Typed placeholders: in INSERT ... SELECT a bare literal would be read as text.
        values = ", ".join(f"CAST(%s AS {by_name[name].db_type(connection)})" for name in names)
        updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in ("updated_at", "deleted_at", *names) if c != "client_id")
        # Every identifier below comes from the model's own metadata, never from a request.
        self.statement = (
            f'INSERT INTO "{table}" ({columns}) SELECT %s, {STAMP_SQL}, {STAMP_SQL}, NULL, {values} FROM clock '  # noqa: S608
            f'ON CONFLICT ("user_id", "client_id") DO UPDATE SET {updates} WHERE "{table}"."deleted_at" IS NOT NULL '
            f"RETURNING {self.rows.bare_columns}"
        )


_STAMPED_INSERTS: dict[tuple[type[DiaryRecord], tuple[str, ...], str], _StampedInsert] = {}
