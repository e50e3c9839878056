"""Diary writes, shared by the REST API and the sync push.

Every write runs in one transaction that ticks the user's sync clock (see
diary.sync_clock), checks every record (diary.record_checks) before storing any, and
announces the change after commit so the insights recompute.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from config.errors import Conflict, DomainError, NotFound
from diary import record_checks
from diary.bulk_upsert import copies, insert_returning, insert_stamped, stored_client_ids, upsert_rows
from diary.models import DayCheckin, DiaryRecord, Medication
from diary.signals import diary_changed
from diary.sync_clock import stamp_to_datetime, tick, tick_and_claim
from diary.tables import TABLES, TableSpec

_ID_ALPHABET = string.ascii_letters + string.digits


def new_client_id() -> str:
    """A WatermelonDB-style id (16 random characters) for a record created over REST."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


@dataclass
class RecordWrite:
    client_id: str
    values: dict[str, Any]
    path: str  # where the record came from, for error messages: "episodes.created[3]"
    # Columns a stored record keeps as they are: the ones an older app's push does not have.
    keep: frozenset[str] = frozenset()


def _announce_change(user: User, tables: Iterable[str], *, claimed: bool | None = None) -> None:
    """Send diary_changed once the write commits. ``claimed``: whether the write's own tick
    took the recompute claim (diary.sync_clock), None if it did not try."""
    # Received by insights.tasks.recompute_on_diary_change, connected in insights/apps.py.
    user_id, changed = user.pk, sorted(tables)
    transaction.on_commit(
        lambda: diary_changed.send(sender=DiaryRecord, user_id=user_id, tables=changed, claimed=claimed)
    )


def with_defaults(spec: TableSpec, values: dict[str, Any]) -> dict[str, Any]:
    """Every column of the table, taking its default where the record left it out, so an
    upsert always overwrites the whole record."""
    full = {c.name: (list(c.default or ()) if c.kind == "list" else c.default) for c in spec.writable_columns}
    full.update(values)
    return record_checks.complete_record(spec.name, full)


def check_records(table: str, writes: Iterable[RecordWrite], *, now: datetime) -> dict[str, list[str]]:
    """The rule errors of every record, keyed by ``<path>.<field>``."""
    errors: dict[str, list[str]] = {}
    for write in writes:
        for field, messages in record_checks.check_record(table, write.values, now=now).items():
            errors[f"{write.path}.{field}"] = messages
    return errors


def _raise_if_conflicting(spec: TableSpec, user: User, client_ids: Sequence[str], since: datetime | None) -> None:
    """WatermelonDB's rule: a record changed on the server after the client's last pull aborts the push."""
    if since is None or not client_ids:
        return
    changed = list(
        spec.model._default_manager.filter(user=user, client_id__in=client_ids, updated_at__gt=since).values_list(
            "client_id", flat=True
        )[:20]
    )
    if changed:
        raise Conflict(
            f"{spec.name} changed on the server since your last pull: pull, then push again.",
            code="sync_conflict",
            fields={spec.name: [f"changed on the server: {', '.join(changed)}"]},
        )


def _resolve_references(spec: TableSpec, user: User, writes: Sequence[RecordWrite]) -> None:
    """Turn each client id a record refers to into the row id of that user's record."""
    for column in spec.columns:
        if column.kind != "ref":
            continue
        wanted = {w.values[column.name] for w in writes}
        found = dict(Medication.objects.filter(user=user, client_id__in=wanted).values_list("client_id", "pk"))
        missing = [w for w in writes if w.values[column.name] not in found]
        if missing:
            raise DomainError(
                "A record refers to something that does not exist.",
                fields={
                    f"{w.path}.{column.name}": [f"no {column.ref_table} record with id '{w.values[column.name]}'"]
                    for w in missing[:50]
                },
            )
        # The wire column "medication_id" carries the client id; the model's attribute of
        # the same name takes the row id.
        for write in writes:
            write.values[column.name] = found[write.values[column.name]]


def _upsert(
    spec: TableSpec, user: User, writes: Sequence[RecordWrite], stamp: datetime, stored: set[str] | None = None
) -> None:
    """Insert new records and overwrite existing ones (WatermelonDB: created-but-exists updates,
    updated-but-missing creates), scoped to this user's ids; a column a write keeps is only
    written when the record is new. The server-derived columns (a medication's matched catalogue
    entry and drug class) travel with the client's columns. ``stored``: see _stored_before_copies."""
    names = (*spec.column_names, *record_checks.SERVER_DERIVED.get(spec.name, ()))
    exactly = frozenset(names)
    for keep, group in _by_kept(writes).items():
        # A record that holds exactly the columns (every record of a push) is copied whole.
        rows = [
            {**w.values, "client_id": w.client_id}
            if w.values.keys() == exactly
            else {"client_id": w.client_id, **{name: w.values[name] for name in names}}
            for w in group
        ]
        upsert_rows(spec.model, user.pk, rows, stamp, keep=keep, stored=stored)


def _by_kept(writes: Iterable[RecordWrite]) -> dict[frozenset[str], list[RecordWrite]]:
    by_kept: dict[frozenset[str], list[RecordWrite]] = {}
    for write in writes:
        by_kept.setdefault(write.keep, []).append(write)
    return by_kept


def _copied_ids(name: str, table_changes: TableChanges) -> list[str]:
    """The ids of the records upsert_rows will COPY into table ``name`` (its large batches)."""
    if name in _WRITTEN_WITH_OTHERS or not copies(len(table_changes.upserts)):
        # Which check-ins are written live is only known after the day's replacement
        # (_supersede_checkins): upsert_rows looks those up itself. Fewer records than a
        # large batch are written without COPY however they are grouped.
        return []
    return [w.client_id for group in _by_kept(table_changes.upserts).values() if copies(len(group)) for w in group]


def _stored_before_copies(
    user: User, changes: dict[str, TableChanges], names: Iterable[str], *, ask: bool = True
) -> dict[type[DiaryRecord], set[str]]:
    """Which records the user already has, of those upsert_rows will COPY into the tables
    ``names``: one query for all of them, where upsert_rows would ask once per table. Asked
    after the clock's tick, as upsert_rows' own lookup is. ``ask=False`` takes none of them for
    stored without asking (changes_apply's assume_new), except in a table that carries edits."""
    wanted = {name: ids for name in names if name in changes if (ids := _copied_ids(name, changes[name]))}
    asked = {TABLES[name].model: ids for name, ids in wanted.items() if ask or changes[name].edits}
    found = stored_client_ids(user.pk, asked) if asked else {}
    return {TABLES[name].model: found.get(TABLES[name].model, set()) for name in wanted}


def _soft_delete(spec: TableSpec, user: User, client_ids: Sequence[str], stamp: datetime) -> int:
    if not client_ids:
        return 0
    return (
        spec.model.objects.live().filter(user=user, client_id__in=client_ids).update(deleted_at=stamp, updated_at=stamp)
    )


# --- Day check-ins: one live check-in per person and day ------------------------------------
# Two phones may each check in for the same day, each with its own id. The newest write for a day
# replaces any other live check-in of that day, which becomes a tombstone, so every device drops
# it on its next pull and all of them agree on one check-in. The newest says whether the day had
# no twitches; a kept_plan it leaves null ("not said") is taken from the check-in it replaces.


def _supersede_checkins(spec: TableSpec, user: User, writes: list[RecordWrite], stamp: datetime) -> list[RecordWrite]:
    """Tombstone the check-ins the writes replace; return the writes to store live (one per day).

    Within one push, the last record of a day wins; the earlier ones are stored as tombstones
    (the device that sent them learns from its next pull that they are gone).
    """
    if not writes:
        return writes
    winners: dict[Any, RecordWrite] = {}
    losers: list[RecordWrite] = []
    for write in writes:
        earlier = winners.get(write.values["day"])
        if earlier is not None and earlier.client_id != write.client_id:
            losers.append(earlier)
        winners[write.values["day"]] = write
    live = DayCheckin.objects.live().filter(user=user, day__in=list(winners))
    replaced = list(
        live.exclude(client_id__in=[w.client_id for w in winners.values()])
        .order_by("updated_at", "pk")
        .values_list("client_id", "day", "kept_plan")
    )
    said: dict[Any, bool] = {day: kept for _, day, kept in replaced if kept is not None}
    said.update({w.values["day"]: w.values["kept_plan"] for w in losers if w.values["kept_plan"] is not None})
    for day, write in winners.items():
        if write.values["kept_plan"] is None and day in said:
            write.values["kept_plan"] = said[day]
    _soft_delete(spec, user, [client_id for client_id, _, _ in replaced], stamp)
    # Written straight as tombstones: live, even for a moment, they would meet the winner's row.
    for loser in losers:
        values = {name: loser.values[name] for name in spec.column_names}
        spec.model.objects.update_or_create(
            user=user,
            client_id=loser.client_id,
            defaults={**values, "updated_at": stamp, "deleted_at": stamp},
            create_defaults={**values, "created_at": stamp, "updated_at": stamp, "deleted_at": stamp},
        )
    return list(winners.values())


@dataclass
class TableChanges:
    upserts: list[RecordWrite]
    deletions: list[str]
    # Whether any upsert came as an edit of a record the app has synced before (WatermelonDB's
    # "updated"): such a table's ids are looked up, never assumed new (changes_apply's assume_new).
    edits: bool = False


def changes_apply(
    *,
    user: User,
    changes: dict[str, TableChanges],
    since: datetime | None,
    assume_new: bool = False,
    savepoint: bool = True,
) -> int:
    """Apply checked changes to several tables in one transaction, in the registry's order
    (medications before their doses). ``since`` enables WatermelonDB's conflict rule.
    Returns the sync clock's stamp (ms) the changes carry.

    ``assume_new``: the large batches are COPYed into their tables without first asking which of
    their ids the user already has (except in a table whose changes include edits, which are of
    stored records). If one was stored after all, the COPY breaks the table's unique (user, client
    id) constraint and the transaction fails with an IntegrityError (see is_stored_id_clash); the
    caller then applies the changes again without it. New records are most of what a sync push
    carries, and the question costs such a push a tenth of its time.

    ``savepoint=False``: inside a caller's transaction the changes join it without a savepoint of
    their own, for a caller whose own atomic block ends with them when they fail (a sync push,
    which writes its device stamp in the same transaction: the savepoint cost it two round trips).
    Any other caller keeps the savepoint, so a refused change leaves its transaction usable."""
    # The app lists every table in each push, most of them empty; only the ones with records
    # are news. Announcing the rest would send every push that lists an empty tremor_recordings
    # down the tremor analysis path, a task per push on the reports queue, instead of the one
    # debounced recompute.
    changed = [name for name, table_changes in changes.items() if table_changes.upserts or table_changes.deletions]
    with transaction.atomic(savepoint=savepoint):
        # A write with news takes the recompute claim in its tick: no statement of its own after.
        stamp_ms, claimed = tick_and_claim(user) if changed else (tick(user), False)
        stamp = stamp_to_datetime(stamp_ms)
        stored: dict[type[DiaryRecord], set[str]] | None = None
        order = list(TABLES)
        for name, spec in TABLES.items():
            table_changes = changes.get(name)
            if table_changes is None:
                continue
            _raise_if_conflicting(
                spec, user, [w.client_id for w in table_changes.upserts] + table_changes.deletions, since
            )
            _resolve_references(spec, user, table_changes.upserts)
            if name == "day_checkins":
                table_changes.upserts = _supersede_checkins(spec, user, table_changes.upserts, stamp)
            if stored is None and _copied_ids(name, table_changes):
                # At the first table with records to COPY, for it and every table after it.
                stored = _stored_before_copies(user, changes, order[order.index(name) :], ask=not assume_new)
            _upsert(spec, user, table_changes.upserts, stamp, (stored or {}).get(spec.model))
            _soft_delete(spec, user, table_changes.deletions, stamp)
        if changed:
            _announce_change(user, changed, claimed=claimed)
    return stamp_ms


def is_stored_id_clash(error: IntegrityError) -> bool:
    """Whether ``error`` is a row COPYed as new meeting the user's stored row of the same id
    (the unique constraint every diary table has on user and client id: models.unique_client_id)."""
    cause = error.__cause__
    constraint = getattr(getattr(cause, "diag", None), "constraint_name", None) or ""
    return getattr(cause, "sqlstate", None) == _UNIQUE_VIOLATION and constraint.endswith("_unique_client_id")


_UNIQUE_VIOLATION = "23505"


def record_save(
    *,
    user: User,
    table: str,
    client_id: str | None,
    values: dict[str, Any],
    partial: bool = False,
    existing: bool | None = None,
) -> DiaryRecord:
    """Create or update one record over REST; a partial update merges with what is stored.

    ``existing`` is what the caller expects: None upserts as sync does, True requires the
    user's record to exist (an update: NotFound otherwise, so another user's id never
    creates a row), False requires it not to (a create: Conflict if the id is taken).
    """
    spec = TABLES[table]
    client_id = client_id or new_client_id()
    if existing and not partial:
        record_get(user=user, table=table, client_id=client_id)
    if partial:
        current = record_get(user=user, table=table, client_id=client_id)
        merged = {c.name: _current_value(spec, current, c.name, c.kind) for c in spec.writable_columns}
        for derived, inputs in record_checks.DERIVED_FROM.get(table, {}).items():
            if derived not in values and any(name in values for name in inputs):
                merged[derived] = None
        merged.update(values)
        values = merged
    values = with_defaults(spec, values)
    write = RecordWrite(client_id=client_id, values=values, path=table)
    errors = check_records(table, [write], now=timezone.now())
    if errors:
        raise DomainError("Invalid input.", fields={key.split(".", 1)[1]: msgs for key, msgs in errors.items()})
    try:
        if existing is False and table not in _WRITTEN_WITH_OTHERS:
            return _create_one(spec, user, write)
        if existing is False and spec.model.objects.live().filter(user=user, client_id=client_id).exists():
            raise _already_exists(spec, client_id)
        changes_apply(user=user, changes={table: TableChanges(upserts=[write], deletions=[])}, since=None)
    except DomainError as exc:
        # A single REST record has no path: name its fields as the request did ("medication_id").
        exc.fields = {key.removeprefix(f"{table}."): msgs for key, msgs in exc.fields.items()}
        raise
    return record_get(user=user, table=table, client_id=client_id)


# A write to these tables changes other rows too (a day's check-in replaces the day's other one),
# so a REST create goes through changes_apply like a push rather than the one-INSERT path.
_WRITTEN_WITH_OTHERS = frozenset({"day_checkins"})


def _already_exists(spec: TableSpec, client_id: str) -> Conflict:
    return Conflict(
        f"You already have a {spec.name} record with id '{client_id}'; update it instead.",
        code="already_exists",
        fields={"id": ["already exists"]},
    )


def _create_one(spec: TableSpec, user: User, write: RecordWrite) -> DiaryRecord:
    """A REST create: the clock's stamp and the row in one transaction, the stored row handed
    back by the INSERT itself; Conflict (nothing written) if the id is one of the user's live records."""
    names = (*spec.column_names, *record_checks.SERVER_DERIVED.get(spec.name, ()))

    def row() -> dict[str, Any]:
        return {"client_id": write.client_id, **{name: write.values[name] for name in names}}

    fast = connection.vendor == "postgresql" and not any(c.kind == "ref" for c in spec.columns)
    if fast and not connection.in_atomic_block:
        # The everyday case in one round trip: the clock's tick, the recompute claim and the row
        # in one statement.
        record, claimed = insert_stamped(spec.model, user.pk, row())
        if record is not None:
            _announce_change(user, [spec.name], claimed=claimed)
            return record
        if claimed:
            # Nothing was written (the path below says why) but the claim was taken and has
            # committed: queue its recompute, or no write would queue one until it expired.
            _announce_change(user, [], claimed=True)
    with transaction.atomic():
        stamp = stamp_to_datetime(tick(user))
        _resolve_references(spec, user, [write])  # a reference's client id becomes its row id
        record = insert_returning(spec.model, user.pk, row(), stamp)
        if record is None:
            # Raised inside the transaction: the clock's tick is rolled back with it.
            raise _already_exists(spec, write.client_id)
        _announce_change(user, [spec.name])
    return record


def _current_value(spec: TableSpec, record: DiaryRecord, name: str, kind: str) -> Any:
    if kind == "ref":
        return getattr(record, name[:-3]).client_id
    return getattr(record, name)


def record_get(*, user: User, table: str, client_id: str) -> DiaryRecord:
    spec = TABLES[table]
    record = spec.model.objects.live().filter(user=user, client_id=client_id).first()
    if record is None:
        raise NotFound(f"No {table} record with id '{client_id}'.")
    return record


def record_delete(*, user: User, table: str, client_id: str) -> None:
    record_get(user=user, table=table, client_id=client_id)
    changes_apply(user=user, changes={table: TableChanges(upserts=[], deletions=[client_id])}, since=None)
