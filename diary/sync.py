"""WatermelonDB's sync protocol: pull every change since a timestamp, push a client's changes.

Pull: ``{"changes": {table: {"created": [...], "updated": [...], "deleted": [ids]}},
"timestamp": ms}``. Push: the same ``changes`` object, applied in one transaction with
WatermelonDB's rules: a created record that exists is updated, an updated record that is
missing is created, deleting a missing record is fine, and a record changed on the server
after ``last_pulled_at`` fails the whole push with 409 so the client pulls first.

Unknown tables are refused (400), as the sync docs advise a server to reject what it
cannot apply rather than drop it silently; so are records of a read-only table. Unknown
columns and WatermelonDB's own ``_status`` / ``_changed`` are ignored.

A pull answers for the app's ``schema_version``: tables and columns a later version added
are left out, and a ``migration`` (WatermelonDB's migration sync, sent after the app's
local schema was migrated) brings every live record of the tables it added and every live
record of the tables it added columns to, whatever ``last_pulled_at`` says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, Q, Subquery, Value
from django.utils import timezone

from accounts.models import DeviceToken, User
from config.errors import DomainError
from config.parsers import JsonLimitError, loads_limited
from diary import record_checks
from diary.models import SyncClock, SyncDevicePush
from diary.services import RecordWrite, TableChanges, changes_apply, is_stored_id_clash
from diary.sync_clock import stamp_to_datetime, tick
from diary.tables import (
    TableSpec,
    current_version,
    read_wire_records,
    sync_tables,
    tables_at,
    to_wire,
    valid_client_id,
)

MAX_PUSH_RECORDS = 2000
MAX_PUSH_BYTES = 5 * 1024 * 1024


class PayloadTooLarge(DomainError):
    status_code = 413


MIGRATION_RULE = (
    'must be null or a JSON object {"from": <version>, "tables": [<table>...], '
    '"columns": [{"table": <table>, "columns": [<column>...]}]} naming tables and columns of your schema_version'
)


@dataclass(frozen=True)
class Migration:
    """What an app's local migration added since its last sync: tables, and columns per table."""

    from_version: int
    tables: frozenset[str] = frozenset()
    columns: dict[str, frozenset[str]] = field(default_factory=dict)


def read_migration(raw: str | None, schema_version: int) -> Migration | None:
    """The pull's ``migration`` parameter, checked against the registry at ``schema_version``.

    The added tables and columns are the union of what the app names and what the registry
    declares between ``from`` and ``schema_version``, so neither a client's list nor the
    server's bookkeeping alone can leave a record behind; a name the registry does not have
    at that version is refused, so a client can never ask for anything outside it.
    """
    if raw is None or raw in ("", "null", "undefined"):
        return None
    try:
        data = loads_limited(raw)
    except JsonLimitError:
        data = None
    if not isinstance(data, dict) or not _is_version(data.get("from")) or data["from"] > schema_version:
        raise _bad_migration(MIGRATION_RULE)
    tables = _names(data.get("tables", []))
    entries = data.get("columns", [])
    if tables is None or not isinstance(entries, list):
        raise _bad_migration(MIGRATION_RULE)
    per_table: list[tuple[str, list[str]]] = []
    for entry in entries:
        table = entry.get("table") if isinstance(entry, dict) else None
        names = _names(entry.get("columns")) if isinstance(entry, dict) else None
        if not isinstance(table, str) or not _NAME.fullmatch(table) or names is None:
            raise _bad_migration(MIGRATION_RULE)
        per_table.append((table, names))
    known = tables_at(schema_version)
    unknown = sorted({*tables, *(t for t, _ in per_table)} - set(known))
    if unknown:
        raise _bad_migration(f"names tables your schema_version does not have: {', '.join(unknown)}")
    added_tables = set(tables)
    added_columns: dict[str, set[str]] = {}
    for table, names in per_table:
        unknown = sorted(set(names) - {c.name for c in known[table].columns_at(schema_version)})
        if unknown:
            raise _bad_migration(f"names columns {table} does not have: {', '.join(unknown)}")
        added_columns.setdefault(table, set()).update(names)
    for name, spec in known.items():
        if spec.since > data["from"]:
            added_tables.add(name)
        added_columns.setdefault(name, set()).update(
            c.name for c in spec.columns_at(schema_version) if c.since > data["from"]
        )
    return Migration(
        from_version=data["from"],
        tables=frozenset(added_tables),
        columns={name: frozenset(cols) for name, cols in added_columns.items() if cols and name not in added_tables},
    )


# Table and column names as the registry spells them; anything else is not echoed back.
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _names(value: Any) -> list[str] | None:
    """A list of table or column names, or None when it is anything else."""
    if isinstance(value, list) and all(isinstance(v, str) and _NAME.fullmatch(v) for v in value):
        return value
    return None


def _is_version(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _bad_migration(rule: str) -> DomainError:
    return DomainError(f"Invalid migration: it {rule}.", code="invalid_migration", fields={"migration": [rule]})


def read_schema_version(value: int | None) -> int:
    """The app's schema version; the first one when the app leaves it out, so an app too old to
    say never receives a table it lacks. One the server has never heard of is refused: the app
    is newer than the server and would miss its tables."""
    newest = current_version()
    if value is None:
        return 1
    if not 1 <= value <= newest:
        rule = f"must be a schema version this server knows: 1 to {newest}"
        raise DomainError(f"Invalid schema_version: it {rule}.", fields={"schema_version": [rule]})
    return value


def pull(
    *,
    user: User,
    last_pulled_at: int | None,
    schema_version: int | None = None,
    migration: Migration | None = None,
    device: DeviceToken | None = None,
) -> dict[str, Any]:
    """Every change after ``last_pulled_at`` (ms) in the tables and columns of the app's schema
    version, plus what its migration added; one query per table plus the clock's lock.

    The records the pulling ``device`` created with its last push come as "updated": it has
    them already. (Every other device gets them as "created".)
    """
    version = read_schema_version(schema_version)
    with transaction.atomic():
        # Waiting for the clock's lock means every write stamped before our timestamp has
        # committed; every later write will be stamped after it. The device's last push
        # stamp comes in the same query.
        own_push = SyncDevicePush.objects.filter(token=device).values("stamp_ms")[:1] if device else None
        clock = (
            SyncClock.objects.select_for_update()
            .filter(user=user)
            .annotate(own_push=Subquery(own_push) if own_push is not None else Value(None, BigIntegerField()))
            .values_list("last_stamp_ms", "own_push")
            .first()
        )
        stamp, own_push_ms = clock or (0, None)
        own = stamp_to_datetime(own_push_ms) if own_push_ms else None
        if not stamp:
            # WatermelonDB refuses a zero timestamp: an account that never wrote gets a real
            # stamp now, and every later write is stamped after it, so nothing is missed.
            stamp = tick(user)
        upper = stamp_to_datetime(stamp)
        since = stamp_to_datetime(last_pulled_at) if last_pulled_at else None
        changes = {
            name: _table_changes(spec, user, since, upper, version, migration, own)
            for name, spec in tables_at(version).items()
        }
    return {"changes": changes, "timestamp": stamp}


def _table_changes(
    spec: TableSpec, user: User, since: Any, upper: Any, version: int, migration: Migration | None, own: Any
) -> dict[str, list[Any]]:
    rows = spec.model._default_manager.filter(user=user, updated_at__lte=upper)
    if migration and spec.name in migration.tables:
        since = None  # a table new to the app: all of it, as on a first sync
    if since is None:
        rows = rows.live()
    elif migration and spec.name in migration.columns:
        # Columns new to the app: every live record again (with them), and what was deleted since.
        rows = rows.filter(Q(deleted_at__isnull=True) | Q(updated_at__gt=since))
    else:
        rows = rows.filter(updated_at__gt=since)
    columns = spec.columns_at(version)
    created: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    deleted: list[str] = []
    for row in rows.order_by("pk").values(*spec.read_fields):
        if row["deleted_at"] is not None:
            deleted.append(row["client_id"])
        elif since is None or (row["created_at"] > since and row["created_at"] != own):
            created.append(to_wire(spec, row, columns))
        else:
            updated.append(to_wire(spec, row, columns))
    return {"created": created, "updated": updated, "deleted": deleted}


def _parse_push(body: Any) -> tuple[dict[str, TableChanges], dict[str, list[str]]]:
    if not isinstance(body, dict):
        raise DomainError("The push body must be an object of tables.", fields={"changes": ["must be an object"]})
    changes = body.get("changes", body) if isinstance(body.get("changes"), dict) else body
    errors: dict[str, list[str]] = {}
    known = sync_tables()
    unknown = sorted(set(changes) - set(known))
    if unknown:
        errors["changes"] = [f"unknown tables: {', '.join(unknown)}; valid tables: {', '.join(known)}"]
    # Only lists count: anything else in their place is refused below, naming the table.
    count = sum(
        len(items)
        for table in changes.values()
        if isinstance(table, dict)
        for items in (table.get(kind) for kind in ("created", "updated", "deleted"))
        if isinstance(items, list)
    )
    if count > MAX_PUSH_RECORDS:
        raise PayloadTooLarge(
            f"A push may carry at most {MAX_PUSH_RECORDS} records; this one has {count}. Push in smaller batches.",
            code="too_many_records",
            fields={"changes": [f"at most {MAX_PUSH_RECORDS} records per push"]},
        )
    now = timezone.now()
    parsed: dict[str, TableChanges] = {}
    for name, spec in known.items():
        if name not in changes:
            continue
        table = changes[name]
        if not isinstance(table, dict):
            errors[name] = ["must be an object with created, updated and deleted"]
            continue
        if spec.read_only and any(table.get(kind) for kind in ("created", "updated", "deleted")):
            # The app lists every table in a push, so an empty one is fine; records are not.
            errors[name] = [f"is read-only: the server writes {name}, an app only pulls it"]
            continue
        writes: list[RecordWrite] = []
        seen: set[str] = set()
        # A column the record does not carry at all is one the app does not have (an older app
        # version): a stored record keeps its value. A derived one is derived again.
        keepable = spec.keepable_columns
        for kind in ("created", "updated"):
            # A kind may be left out, but one that is sent is a list: null is not "nothing".
            records = table.get(kind, [])
            if not isinstance(records, list):
                errors[f"{name}.{kind}"] = ["must be a list of records"]
                continue
            for index, (raw, (client_id, values, record_errors)) in enumerate(
                zip(records, read_wire_records(spec, records), strict=True)
            ):
                path = f"{name}.{kind}[{index}]"
                if record_errors:
                    errors.update({f"{path}.{field}": messages for field, messages in record_errors.items()})
                    continue
                if client_id is None:
                    continue
                if client_id in seen:
                    errors[f"{path}.id"] = [f"'{client_id}' appears more than once in this push"]
                    continue
                seen.add(client_id)
                # A record read without errors has every writable column (with_defaults has
                # nothing to add): only what the server derives is filled in.
                writes.append(
                    RecordWrite(
                        client_id=client_id,
                        values=record_checks.complete_record(name, values),
                        path=path,
                        keep=keepable.difference(raw),
                    )
                )
        deletions = table.get("deleted", [])
        if not isinstance(deletions, list) or not all(isinstance(i, str) and valid_client_id(i) for i in deletions):
            errors[f"{name}.deleted"] = ["must be a list of record ids: 1-64 letters, digits, '_' or '-'"]
            deletions = []
        check = record_checks.record_checker(name, now)
        for write in writes:
            broken = check(write.values)
            if broken:
                errors.update({f"{write.path}.{field}": messages for field, messages in broken.items()})
        parsed[name] = TableChanges(upserts=writes, deletions=deletions, edits=bool(table.get("updated")))
    return parsed, errors


def push(*, user: User, last_pulled_at: int | None, body: Any, device: DeviceToken | None = None) -> dict[str, int]:
    """Check every record, then apply all of them or none. Returns how many were applied.
    ``device`` (the pushing device's token) is remembered with the push's stamp."""
    changes, errors = _parse_push(body)
    if errors:
        first = next(iter(errors))
        raise DomainError(f"Nothing was stored: {first} {errors[first][0]}.", code="invalid_push", fields=errors)
    since = stamp_to_datetime(last_pulled_at) if last_pulled_at else None
    try:
        _apply_push(user, changes, since, device, assume_new=True)
    except IntegrityError as error:
        if not is_stored_id_clash(error):
            raise
        # A record the push took for new was stored already (an app sending a push again after
        # losing its answer, an id brought back after its deletion): nothing was kept, and the
        # changes, which applying them may have rewritten (references, check-ins), are read again.
        changes, _ = _parse_push(body)
        _apply_push(user, changes, since, device, assume_new=False)
    return {name: len(c.upserts) + len(c.deletions) for name, c in changes.items()}


def _apply_push(
    user: User, changes: dict[str, TableChanges], since: Any, device: DeviceToken | None, *, assume_new: bool
) -> None:
    with transaction.atomic():
        # This block is the push's transaction (or its savepoint): it ends with the changes if they fail.
        stamp = changes_apply(user=user, changes=changes, since=since, assume_new=assume_new, savepoint=False)
        if device is not None and any(c.upserts for c in changes.values()):
            # One INSERT ... ON CONFLICT, where update_or_create made a locking SELECT and a write
            # (in SQL: the ORM's bulk_create cost more than twice as much to build it).
            with connection.cursor() as cursor:
                cursor.execute(_DEVICE_PUSH_SQL, [device.pk, stamp])


_DEVICE_PUSH_SQL = (
    f'INSERT INTO "{SyncDevicePush._meta.db_table}" ("token_id", "stamp_ms") VALUES (%s, %s) '  # noqa: S608
    'ON CONFLICT ("token_id") DO UPDATE SET "stamp_ms" = EXCLUDED."stamp_ms"'
)
