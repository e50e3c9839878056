"""WatermelonDB's sync protocol: pull every change since a timestamp, push a client's changes.

Pull: ``{"changes": {table: {"created": [...], "updated": [...], "deleted": [ids]}},
"timestamp": ms}``. Push: the same ``changes`` object, applied in one transaction with
WatermelonDB's rules: a created record that exists is updated, an updated record that is
missing is created, deleting a missing record is fine, and a record changed on the server
after ``last_pulled_at`` fails the whole push with 409 so the client pulls first.

Unknown tables are refused (400), as the sync docs advise a server to reject what it
cannot apply rather than drop it silently; unknown columns and WatermelonDB's own
``_status`` / ``_changed`` are ignored.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from config.errors import DomainError
from diary.models import SyncClock
from diary.services import RecordWrite, TableChanges, changes_apply, check_records, with_defaults
from diary.sync_clock import stamp_to_datetime
from diary.tables import READ_ONLY_TABLES, TABLES, pulled_tables, read_wire_record, to_wire, valid_client_id

MAX_PUSH_RECORDS = 2000
MAX_PUSH_BYTES = 5 * 1024 * 1024


class PayloadTooLarge(DomainError):
    status_code = 413


def pull(*, user: User, last_pulled_at: int | None, schema_version: int | None = None) -> dict[str, Any]:
    """Every change after ``last_pulled_at`` (ms), one query per table plus the clock's lock.

    Only the tables the app's ``schema_version`` knows are sent (none given: version 1).
    """
    with transaction.atomic():
        # Waiting for the clock's lock means every write stamped before our timestamp has
        # committed; every later write will be stamped after it.
        stamp = (
            SyncClock.objects.select_for_update().filter(user=user).values_list("last_stamp_ms", flat=True).first() or 0
        )
        upper = stamp_to_datetime(stamp)
        since = stamp_to_datetime(last_pulled_at) if last_pulled_at else None
        changes = {
            name: _table_changes(spec, user, since, upper) for name, spec in pulled_tables(schema_version).items()
        }
    return {"changes": changes, "timestamp": stamp}


def _table_changes(spec: Any, user: User, since: Any, upper: Any) -> dict[str, list[Any]]:
    rows = spec.model.objects.filter(user=user, updated_at__lte=upper)
    if since is None:
        rows = rows.filter(deleted_at__isnull=True)
    else:
        rows = rows.filter(updated_at__gt=since)
    created: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    deleted: list[str] = []
    for row in rows.order_by("pk").values(*spec.read_fields):
        if row["deleted_at"] is not None:
            deleted.append(row["client_id"])
        elif since is None or row["created_at"] > since:
            created.append(to_wire(spec, row))
        else:
            updated.append(to_wire(spec, row))
    return {"created": created, "updated": updated, "deleted": deleted}


def _parse_push(body: Any) -> tuple[dict[str, TableChanges], dict[str, list[str]]]:
    if not isinstance(body, dict):
        raise DomainError("The push body must be an object of tables.", fields={"changes": ["must be an object"]})
    changes = body.get("changes", body) if isinstance(body.get("changes"), dict) else body
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(changes) - set(TABLES) - set(READ_ONLY_TABLES))
    if unknown:
        errors["changes"] = [f"unknown tables: {', '.join(unknown)}; valid tables: {', '.join(TABLES)}"]
    # i16: the server's own tables are pulled, never pushed. WatermelonDB lists every table of
    # the app's schema in each push, so an empty one is fine; a record in one is refused.
    errors.update(
        {
            name: ["is read-only: the server writes it, so a push may not create, update or delete its records"]
            for name in READ_ONLY_TABLES
            if name in changes and _carries_records(changes[name])
        }
    )
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
    for name, spec in TABLES.items():
        if name not in changes:
            continue
        table = changes[name]
        if not isinstance(table, dict):
            errors[name] = ["must be an object with created, updated and deleted"]
            continue
        writes: list[RecordWrite] = []
        seen: set[str] = set()
        for kind in ("created", "updated"):
            # A kind may be left out, but one that is sent is a list: null is not "nothing".
            records = table.get(kind, [])
            if not isinstance(records, list):
                errors[f"{name}.{kind}"] = ["must be a list of records"]
                continue
            for index, raw in enumerate(records):
                path = f"{name}.{kind}[{index}]"
                client_id, values, record_errors = read_wire_record(spec, raw)
                errors.update({f"{path}.{field}": messages for field, messages in record_errors.items()})
                if client_id is None or record_errors:
                    continue
                if client_id in seen:
                    errors[f"{path}.id"] = [f"'{client_id}' appears more than once in this push"]
                    continue
                seen.add(client_id)
                writes.append(RecordWrite(client_id=client_id, values=with_defaults(spec, values), path=path))
        deletions = table.get("deleted", [])
        if not isinstance(deletions, list) or not all(isinstance(i, str) and valid_client_id(i) for i in deletions):
            errors[f"{name}.deleted"] = ["must be a list of record ids: 1-64 letters, digits, '_' or '-'"]
            deletions = []
        errors.update(check_records(name, writes, now=now))
        parsed[name] = TableChanges(upserts=writes, deletions=deletions)
    return parsed, errors


def _carries_records(table: Any) -> bool:
    return not isinstance(table, dict) or any(table.get(kind) for kind in ("created", "updated", "deleted"))


def push(*, user: User, last_pulled_at: int | None, body: Any) -> dict[str, int]:
    """Check every record, then apply all of them or none. Returns how many were applied."""
    changes, errors = _parse_push(body)
    if errors:
        first = next(iter(errors))
        raise DomainError(f"Nothing was stored: {first} {errors[first][0]}.", code="invalid_push", fields=errors)
    since = stamp_to_datetime(last_pulled_at) if last_pulled_at else None
    changes_apply(user=user, changes=changes, since=since)
    return {name: len(c.upserts) + len(c.deletions) for name, c in changes.items()}
