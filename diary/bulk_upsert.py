"""Insert-or-update many diary rows of one user in as few round trips as the database allows.

On PostgreSQL a large batch is written with COPY: the rows the user does not have yet are COPYed
straight into the table; the ones the user has, tombstones too, are COPYed into a temporary table
and merged with one ``INSERT ... SELECT ... ON CONFLICT (user_id, client_id) DO UPDATE``. Which
are which, one lookup says (stored_client_ids, asked once for all of a push's tables); a sync
push first takes them all for new and asks only if the COPY meets a stored id (diary.sync.push).
COPY skips the parsing of thousands of bound parameters that a multi-row INSERT pays for, and in its binary
format (used whenever every value is exactly of its column's kind) times and numbers travel as
the database stores them: that is what lets a 500-record sync push run near the speed of a
bare COPY (bench/sync_push.py).
A small batch (a REST write, a phone's everyday push) and every batch elsewhere (SQLite,
the embedded default) take Django's bulk_create with update_conflicts, the same merge in
one ``INSERT ... VALUES ... ON CONFLICT`` round trip: for a few rows the staging table's
four round trips and its TRUNCATE cost more than the parameters they save
(bench/throughput.sh).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from json.encoder import encode_basestring_ascii as _json_string
from operator import attrgetter, is_not, itemgetter
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
    stored: set[str] | None = None,
) -> None:
    """Each row maps model attribute names (``medication_id`` for a foreign key) to values.
    The columns in ``keep`` are written to new rows only; an existing row keeps its own.
    ``stored``, when the caller has looked them up (stored_client_ids, after its tick), holds
    every one of the rows' ids the user already has in this table; otherwise a large batch
    looks them up itself.

    Call it inside the transaction that ticked the user's sync clock (diary.services does):
    every write of the user's rows takes that lock first, so the rows found new below stay
    new until the COPY that stores them has committed."""
    if not rows:
        return
    if copies(len(rows)):
        # A large push is mostly records the server has never seen: those are COPYed straight
        # into the table, as fast as the bare COPY the sync bench compares with; only the ids
        # the user already has (tombstones too) go through the merge.
        if stored is None:
            stored = stored_client_ids(user_id, {model: [row["client_id"] for row in rows]})[model]
        _copy_rows(model, model._meta.db_table, user_id, [row for row in rows if row["client_id"] not in stored], stamp)
        rows = [row for row in rows if row["client_id"] in stored]
        if not rows:
            return
    if copies(len(rows)):
        _copy_merge(model, user_id, rows, stamp, keep)
    else:
        _bulk_create_merge(model, user_id, rows, stamp, keep)


def copies(count: int) -> bool:
    """Whether upsert_rows writes ``count`` rows with COPY (PostgreSQL, a large batch)."""
    return count >= COPY_MIN_ROWS and connection.vendor == "postgresql"


def stored_client_ids(
    user_id: int, client_ids: dict[type[DiaryRecord], list[str]]
) -> dict[type[DiaryRecord], set[str]]:
    """Of each table's ``client_ids``, the ones the user already has there (tombstones too), for
    every table in one query.

    The ids travel as one JSON text per table, which the driver passes as it is (an array
    parameter of hundreds of strings is quoted element by element in Python), and are joined to
    the table rather than listed in ``= ANY``: on a table the planner has no statistics for yet (a
    new database, as in bench/sync_push.py), ``= ANY`` was filtered row by row over all of the
    user's rows, a cost that grew with every push; the join hashes the ids or probes the unique
    index."""
    models = list(client_ids)
    found: dict[type[DiaryRecord], set[str]] = {model: set() for model in models}
    if not models:
        return found
    # Every identifier below comes from the models' own metadata, never from a request.
    selects = [
        f"SELECT {n}, stored.client_id FROM jsonb_array_elements_text(%s::jsonb) AS pushed(client_id) "  # noqa: S608
        f'JOIN "{model._meta.db_table}" AS stored ON stored.user_id = %s AND stored.client_id = pushed.client_id'
        for n, model in enumerate(models)
    ]
    params: list[Any] = []
    for model in models:
        params += [json.dumps(client_ids[model]), user_id]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        for n, client_id in cursor.fetchall():
            found[models[n]].add(client_id)
    return found


def _copy_rows(
    model: type[DiaryRecord], table: str, user_id: int, rows: Sequence[dict[str, Any]], stamp: datetime
) -> None:
    """COPY ``rows`` into ``table`` (the model's own, or a staging table with its columns).

    In COPY's binary format when every value is exactly of its column's kind (see _copy_plan):
    the driver then packs times and numbers as the database stores them, where the text format
    spends most of a row's time writing times out as text and the server parsing them back.
    Anything else (an integer past its column's range, a time without a zone, a float in an
    integer column) goes in the text format, for the server to read and refuse as it always did.
    A JSON column's value travels as its JSON text, not wrapped for the driver to dump one by one.
    """
    if not rows:
        return
    value_columns = tuple(name for name in rows[0] if name != "client_id")
    plan = _copy_plan(model, value_columns)
    records: list[Any] = [*map(itemgetter("client_id", *value_columns), rows)]
    binary = plan.binary_types is not None and _fits_binary(records, plan.checks, stamp)
    # The columns every row has the same value in come last, so a row is its record and one tuple.
    at: Any = stamp if binary else stamp.isoformat()  # as text once, not written out twice per row
    same = (user_id, at, at, None)
    if plan.json_at:
        # JSON null for None too, as psycopg's Jsonb(None); in binary, jsonb's version byte first.
        records = [list(record) for record in records]
        for record in records:
            for i in plan.json_at:
                record[i] = b"\x01" + _json_text(record[i]).encode() if binary else _json_text(record[i])
            record.extend(same)
    else:
        records = [record + same for record in records]
    column_list = ", ".join(f'"{c}"' for c in ("client_id", *value_columns, *_SAME_IN_EVERY_ROW))
    statement = f'COPY "{table}" ({column_list}) FROM STDIN' + (" (FORMAT BINARY)" if binary else "")
    # The psycopg cursor, for COPY; the identifiers come from the model's own metadata. Its errors
    # are raised as Django's (an IntegrityError for a stored id: diary.services.is_stored_id_clash).
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        if binary:
            copy.set_types(plan.binary_types)
        write_row = copy.write_row
        for record in records:
            write_row(record)


_SAME_IN_EVERY_ROW = ("user_id", "created_at", "updated_at", "deleted_at")


@dataclass(frozen=True)
class _CopyPlan:
    # psycopg's type for each COPY column (client_id, the values, then _SAME_IN_EVERY_ROW), for
    # the binary format; None when a column's type has no entry in _BINARY_TYPES.
    binary_types: list[str] | None
    # (position in a record, the Python type every non-null value must have, its range or None):
    # a record is (client_id, *values).
    checks: tuple[tuple[int, type, int | None, int | None], ...]
    json_at: tuple[int, ...]  # positions of JSON columns in a record


# The binary form of each column type a diary table has, as psycopg names it, the Python type a
# value must be to be packed as the server would have read it from text, and an integer's range.
# A JSON column is sent as bytes: jsonb's binary input is a version byte and the JSON text.
_BINARY_TYPES: dict[str, tuple[str, type | None, int | None, int | None]] = {
    "bigint": ("int8", int, -(2**63), 2**63 - 1),
    "integer": ("int4", int, -(2**31), 2**31 - 1),
    "smallint": ("int2", int, -(2**15), 2**15 - 1),
    "boolean": ("bool", bool, None, None),
    "double precision": ("float8", float, None, None),
    "date": ("date", date, None, None),
    "timestamp with time zone": ("timestamptz", datetime, None, None),
    "text": ("text", str, None, None),
    "jsonb": ("bytea", None, None, None),
}
_COPY_PLANS: dict[tuple[type[DiaryRecord], tuple[str, ...]], _CopyPlan] = {}


def _copy_plan(model: type[DiaryRecord], value_columns: tuple[str, ...]) -> _CopyPlan:
    plan = _COPY_PLANS.get((model, value_columns))
    if plan is None:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        types: list[str] | None = ["text"]
        checks: list[tuple[int, type, int | None, int | None]] = [(0, str, None, None)]
        json_at: list[int] = []
        for position, name in enumerate(value_columns, start=1):
            db_type = str(fields[name].db_type(connection))
            binary_type, python_type, low, high = _BINARY_TYPES.get(
                "text" if db_type.startswith("varchar(") else db_type, (None, None, None, None)
            )
            if fields[name].get_internal_type() == "JSONField":
                json_at.append(position)
            elif python_type is not None:
                checks.append((position, python_type, low, high))
            if binary_type is None or types is None:
                types = None
            else:
                types.append(binary_type)
        if types is not None:
            types += ["int8", "timestamptz", "timestamptz", "timestamptz"]  # _SAME_IN_EVERY_ROW
        plan = _COPY_PLANS[(model, value_columns)] = _CopyPlan(types, tuple(checks), tuple(json_at))
    return plan


def _fits_binary(
    records: list[tuple[Any, ...]], checks: tuple[tuple[int, type, int | None, int | None], ...], stamp: datetime
) -> bool:
    """Whether every checked value is exactly of its column's Python type (a bool is no integer
    here, an integer no float), an integer within its column's range and a time zone-aware, so
    that the binary format stores what the text format would have. Column by column, in C."""
    if stamp.tzinfo is None:
        return False
    for position, python_type, low, high in checks:
        column = list(filter(_is_value, map(itemgetter(position), records)))
        if not column:
            continue
        if set(map(type, column)) != {python_type}:
            return False
        if low is not None and (min(column) < low or max(column) > high):
            return False
        if python_type is datetime and None in set(map(_zone_of, column)):
            return False
    return True


_is_value = partial(is_not, None)
_zone_of = attrgetter("tzinfo")


def _json_text(value: Any) -> str:
    """``value`` as json.dumps writes it (what psycopg's Jsonb sends): a list of strings (body
    sites, symptoms) without building an encoder for each."""
    if type(value) is list:
        try:
            return "[" + ", ".join(map(_json_string, value)) + "]"
        except TypeError:  # an item that is not a string
            pass
    return json.dumps(value)


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
        # Made and emptied in one round trip (two statements, no parameters).
        cursor.cursor.execute(f'{create_staging}; TRUNCATE "{staging}"')
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


def insert_stamped(model: type[DiaryRecord], user_id: int, row: dict[str, Any]) -> tuple[DiaryRecord | None, bool]:
    """``insert_returning`` and the sync clock's tick in one statement, one round trip, no
    BEGIN/COMMIT around it (PostgreSQL; see diary.sync_clock.ticking). Returns the stored record,
    or None when nothing was written: the id is one of the user's live records, or the user has
    no clock row yet; the caller then takes the transactional path, which tells the two apart.
    And whether the tick took the recompute claim (diary.sync_clock), written or not: the tick
    has committed either way.

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
        found = cursor.fetchone()
    if found is None:  # no clock row: nothing ticked, nothing written
        return None, False
    claimed, stored = bool(found[0]), found[1:]
    return (None if stored[insert.pk_index] is None else insert.rows.make(stored)), claimed


class _StampedInsert:
    """insert_stamped's statement for one table and set of columns, and the reader of its row."""

    def __init__(self, model: type[DiaryRecord], names: tuple[str, ...]) -> None:
        table = model._meta.db_table
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        self.fields = [(name, by_name[name]) for name in names]
        self.rows = model_rows(model)
        self.pk_index = [f.attname for f in model._meta.concrete_fields].index(model._meta.pk.attname)
        columns = ", ".join(f'"{c}"' for c in ("user_id", "created_at", "updated_at", "deleted_at", *names))
        # Typed placeholders: in INSERT ... SELECT a bare literal would be read as text.
        values = ", ".join(f"CAST(%s AS {by_name[name].db_type(connection)})" for name in names)
        updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in ("updated_at", "deleted_at", *names) if c != "client_id")
        # Every identifier below comes from the model's own metadata, never from a request.
        # The clock's row comes back even when the INSERT writes nothing (a live record with this
        # id), with the claim its tick took: LEFT JOIN.
        self.statement = (
            f', stored AS (INSERT INTO "{table}" ({columns}) SELECT %s, {STAMP_SQL}, {STAMP_SQL}, NULL, {values} '  # noqa: S608
            f'FROM clock ON CONFLICT ("user_id", "client_id") DO UPDATE SET {updates} '
            f'WHERE "{table}"."deleted_at" IS NOT NULL RETURNING {self.rows.bare_columns}) '
            "SELECT clock.claimed, stored.* FROM clock LEFT JOIN stored ON true"
        )


_STAMPED_INSERTS: dict[tuple[type[DiaryRecord], tuple[str, ...], str], _StampedInsert] = {}
