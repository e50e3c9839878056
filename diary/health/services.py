"""Health-store import writes: the sample ledger and the diary records derived from it.

One call applies one request (or one Apple Health export) in one transaction: the ledger
first (versions guarded, deletions kept as tombstones), then every diary record whose
samples changed is derived again (diary.health.derive) and written with the sync clock's
stamp, so the phone pulls it like any other change. A sample re-sent unchanged changes no
ledger row, so no record is written and the sync clock does not move.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from config.errors import DomainError
from diary.bulk_upsert import upsert_rows
from diary.health.apple_export import ExportError, open_export, read_export
from diary.health.derive import RECORD_PREFIXES, DerivedRecord, derive, record_key
from diary.health.samples import Deletion, Sample, read_batch
from diary.models import HealthExportJob, HealthExportJobStatus, HealthSample
from diary.signals import diary_changed
from diary.sync_clock import stamp_to_datetime, tick
from diary.tables import TABLES

# One request's ceiling: a year of one kind fits several times over; an app sends more in turns.
MAX_BATCH = 10_000
# Ledger rows read and written per round trip during a long import.
CHUNK = 2_000
# Diary records derived again per round; a night reads all its stage samples (some 30), so fewer.
REBUILD_CHUNK = 100


def own_sources() -> frozenset[str]:
    return frozenset(settings.HEALTH_IMPORT_OWN_SOURCES)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0  # an older version than the one held: never overwrites it
    deleted: int = 0
    own_skipped: int = 0
    ignored: int = 0
    record_keys: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "stale": self.stale,
            "deleted": self.deleted,
            "own_skipped": self.own_skipped,
            "ignored": self.ignored,
        }


# The ledger's columns in the order of Sample's fields, for reading samples without model instances.
_SAMPLE_COLUMNS = tuple(f.name for f in fields(Sample))


_CONTENT = ("sample_id", "kind", "start_at", "end_at", "detail", "user_entered", "unit", "time_zone")


def _newer(sample: Sample, held: HealthSample) -> bool | None:
    """True: the sample replaces what is held; False: it is older; None: the same version."""
    if held.version is not None and (sample.version is None or sample.version < held.version):
        return False
    if sample.version is not None and (held.version is None or sample.version > held.version):
        return True
    return None


def _write(row: HealthSample, sample: Sample, key: str, now: datetime) -> None:
    for name in _CONTENT:
        setattr(row, name, getattr(sample, name))
    row.version, row.record_key, row.received_at, row.deleted_at = sample.version, key, now, None


def ledger_apply(
    user: User, samples: Sequence[Sample], deletions: Sequence[Deletion], now: datetime, result: ImportResult
) -> None:
    """Store one chunk of samples and deletions in the ledger; the record keys they touch
    are added to ``result.record_keys``."""
    zone = user.timezone
    held: dict[tuple[str, str, str], HealthSample] = {}
    if samples:
        for row in HealthSample.objects.filter(user=user, sync_key__in={s.sync_key for s in samples}):
            held[(row.platform, row.source, row.sync_key)] = row
    new: dict[tuple[str, str, str], HealthSample] = {}
    changed: dict[int, HealthSample] = {}
    for sample in samples:
        identity = (sample.platform, sample.source, sample.sync_key)
        key = record_key(sample, zone)
        found = held.get(identity) or new.get(identity)
        if found is None:
            row = HealthSample(user=user, platform=sample.platform, source=sample.source, sync_key=sample.sync_key)
            _write(row, sample, key, now)
            new[identity] = row
            result.created += 1
            result.record_keys.add(key)
            continue
        row = found
        newer = _newer(sample, row)
        same = all(getattr(row, name) == getattr(sample, name) for name in _CONTENT)
        if newer is False:
            result.stale += 1
            continue
        if newer is None and (same or row.version is not None or row.deleted_at is not None):
            # The same version again: nothing to do. A deleted sample stays deleted until a newer version.
            result.unchanged += 1
            continue
        result.record_keys.update({row.record_key, key})
        _write(row, sample, key, now)
        if row.pk is not None:
            changed[row.pk] = row
        result.updated += 1
    HealthSample.objects.bulk_create(new.values(), batch_size=500)
    HealthSample.objects.bulk_update(
        changed.values(), [*_CONTENT, "version", "record_key", "received_at", "deleted_at"], batch_size=500
    )
    if deletions:
        for platform in {d.platform for d in deletions}:
            ids = {d.sample_id for d in deletions if d.platform == platform}
            gone = HealthSample.objects.filter(user=user, platform=platform, sample_id__in=ids, deleted_at__isnull=True)
            keys = set(gone.values_list("record_key", flat=True))
            result.deleted += gone.update(deleted_at=now, received_at=now)
            result.record_keys.update(keys)


def _comparable(value: Any) -> Any:
    return round(value, 3) if isinstance(value, float) else value


def _write_table(
    user: User, table: str, keys: list[str], derived: dict[str, DerivedRecord | None], stamp: Callable[[], datetime]
) -> bool:
    """Write one table's derived records of ``keys`` that differ from what is stored; True if any did."""
    model = TABLES[table].model
    wanted = [d for k in keys if (d := derived[k]) is not None]
    columns = list(wanted[0].values) if wanted else []
    stored = {
        row["client_id"]: row
        for row in model.objects.filter(user=user, client_id__in=keys).values("client_id", "deleted_at", *columns)
    }
    upserts = [
        {"client_id": d.client_id, **d.values}
        for d in wanted
        if (held := stored.get(d.client_id)) is None
        or held["deleted_at"] is not None
        or any(_comparable(held[c]) != _comparable(v) for c, v in d.values.items())
    ]
    gone = [k for k in keys if derived[k] is None and k in stored and stored[k]["deleted_at"] is None]
    if not upserts and not gone:
        return False
    upsert_rows(model, user.pk, upserts, stamp())
    if gone:
        model.objects.filter(user=user, client_id__in=gone).update(deleted_at=stamp(), updated_at=stamp())
    return True


def records_rebuild(user: User, keys: Iterable[str]) -> list[str]:
    """Derive again every diary record named in ``keys`` from its live samples and write the
    ones that changed, a chunk of keys at a time (so memory does not grow with an export's
    length). Returns the tables written. Runs inside the caller's transaction."""
    ordered = sorted(set(keys))
    stamps: list[datetime] = []

    def stamp() -> datetime:
        # One stamp for the whole import, taken (and the sync clock locked) only if something changes.
        if not stamps:
            stamps.append(stamp_to_datetime(tick(user)))
        return stamps[0]

    written: set[str] = set()
    for start in range(0, len(ordered), REBUILD_CHUNK):
        part = ordered[start : start + REBUILD_CHUNK]
        grouped: dict[str, list[Sample]] = {}
        live = HealthSample.objects.filter(user=user, record_key__in=part, deleted_at__isnull=True).order_by("pk")
        for key, *values in live.values_list("record_key", *_SAMPLE_COLUMNS):
            grouped.setdefault(key, []).append(Sample(*values))
        derived = {key: derive(key, grouped.get(key, [])) for key in part}
        for table, prefix in RECORD_PREFIXES.items():
            table_keys = [k for k in part if k.startswith(prefix)]
            if table_keys and _write_table(user, table, table_keys, derived, stamp):
                written.add(table)
    if written:
        user_id, tables = user.pk, sorted(written)
        transaction.on_commit(lambda: diary_changed.send(sender=HealthSample, user_id=user_id, tables=tables))
    return sorted(written)


def samples_import(*, user: User, payload: Any, now: datetime | None = None) -> ImportResult:
    """Import one request of HealthKit samples or Health Connect records (diary.health.samples)."""
    now = now or timezone.now()
    batch = read_batch(payload, now=now, own_sources=own_sources())
    if not batch.errors and len(batch.samples) + len(batch.deletions) > MAX_BATCH:
        batch.errors["samples"] = [f"at most {MAX_BATCH} samples and deletions per request; send the rest in turns"]
    if batch.errors:
        raise DomainError(
            "Some samples cannot be imported; nothing was stored.",
            fields=dict(list(batch.errors.items())[:50]),
        )
    result = ImportResult(own_skipped=batch.own_skipped, ignored=batch.ignored)
    with transaction.atomic():
        ledger_apply(user, batch.samples, batch.deletions, now, result)
        records_rebuild(user, result.record_keys)
    return result


# --- Apple Health's export: a one-time import by a job the app polls ------------------------

PROGRESS_TIMEOUT_S = 24 * 3600


def progress_cache_key(job_id: Any) -> str:
    return f"health-export-progress:{job_id}"


def export_job_create(*, user: User, upload: Any, enqueue: Any) -> HealthExportJob:
    """Keep the uploaded file where the worker reads it and queue the import after commit."""
    if upload.size > settings.HEALTH_EXPORT_MAX_BYTES:
        raise DomainError(
            f"The export is larger than {settings.HEALTH_EXPORT_MAX_BYTES // 1024**2} MB.",
            code="too_large",
            fields={"file": ["too large"]},
            status_code=413,
        )
    directory = Path(settings.HEALTH_IMPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    job = HealthExportJob(user=user, created_at=timezone.now(), size_bytes=upload.size)
    path = directory / f"{job.id}.upload"
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    job.path = str(path)
    job.save()
    job_id = str(job.pk)
    transaction.on_commit(lambda: enqueue(job_id))
    return job


def export_job_run(*, job_id: str, now: datetime | None = None) -> HealthExportJob | None:
    """Import the job's file, all or nothing. Safe to run twice: a finished job is left alone,
    and a run a crashed worker left half-way stored nothing (its transaction rolled back)."""
    claimed = HealthExportJob.objects.filter(
        pk=job_id, status__in=[HealthExportJobStatus.QUEUED, HealthExportJobStatus.RUNNING]
    ).update(status=HealthExportJobStatus.RUNNING, started_at=timezone.now())
    job = HealthExportJob.objects.filter(pk=job_id).select_related("user").first()
    if job is None or not claimed:
        return job
    now = now or timezone.now()
    result = ImportResult()

    try:
        with transaction.atomic(), open_export(job.path) as stream:

            def progress(records: int) -> None:
                # The transaction hides the job row's own changes until the end: progress goes by the cache.
                cache.set(
                    progress_cache_key(job_id),
                    {"records_read": records, "bytes_read": stream.read_bytes, "bytes_total": stream.total},
                    PROGRESS_TIMEOUT_S,
                )

            chunk: list[Sample] = []
            for sample in read_export(stream, now=now, own_sources=own_sources(), on_progress=progress):
                chunk.append(sample)
                if len(chunk) >= CHUNK:
                    ledger_apply(job.user, chunk, (), now, result)
                    chunk = []
            ledger_apply(job.user, chunk, (), now, result)
            records_rebuild(job.user, result.record_keys)
    except (ExportError, FileNotFoundError) as exc:
        job.status, job.error = HealthExportJobStatus.FAILED, str(exc)
    else:
        job.status = HealthExportJobStatus.DONE
        job.samples_imported = result.created + result.updated
    finally:
        Path(job.path).unlink(missing_ok=True)
    read = cache.get(progress_cache_key(job_id)) or {}
    job.records_read = read.get("records_read", 0)
    job.bytes_read = read.get("bytes_read", 0)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "samples_imported", "records_read", "bytes_read", "finished_at"])
    return job
