"""Apple Health's own export (export.zip holding apple_health_export/export.xml), streamed.

Real exports run to hundreds of megabytes, almost all of it heart rate and step counts, so
the file is never loaded whole: ``iterparse`` hands over one top-level element at a time and
the root is cleared after each, so memory stays flat whatever the file's size. Only sleep
analysis, dietary caffeine and workouts become samples; every other record is skipped.

The export carries no sample ids, so a sample's identity is its sync identifier where the
writing app set one (HKMetadataKeySyncIdentifier) and otherwise a digest of its content;
its source is the app's name (``sourceName``), the only name the export gives.

A problem anywhere (not a zip, no export.xml, XML that is not well formed, a known kind with
a bad unit or date) raises ``ExportError`` naming it; the caller's transaction then stores
nothing of the file.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from diary.health.samples import (
    CAFFEINE,
    EXERCISE,
    HEALTHKIT,
    HEALTHKIT_SLEEP_VALUES,
    HK_AVERAGE_METS,
    HK_CAFFEINE_TYPE,
    HK_SLEEP_TYPE,
    HK_SYNC_ID,
    HK_SYNC_VERSION,
    HK_TIME_ZONE,
    HK_USER_ENTERED,
    SLEEP,
    Sample,
    SampleError,
    caffeine_mg,
    check_time,
    content_key,
    exercise_detail,
    intensity_from_mets,
    valid_time_zone,
)

EXPORT_XML = "export.xml"
_DURATION_SECONDS = {"s": 1.0, "min": 60.0, "hr": 3600.0, "h": 3600.0}


class ExportError(ValueError):
    """The export cannot be imported; the message says why, for the person to read."""


def _time(value: str | None, what: str, now: datetime) -> datetime:
    try:
        moment = datetime.strptime(value or "", "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        raise SampleError(what, f"'{value}' is not a time as Apple Health writes them") from None
    check_time(moment, what, now)
    return moment.astimezone(UTC)


def _number_prefix(value: str | None) -> float | None:
    """'7.2 kcal/hr·kg' -> 7.2; None for anything without a number in front."""
    try:
        return float((value or "").split()[0])
    except (IndexError, ValueError):
        return None


def _sample(element: Element, now: datetime) -> Sample | None:
    tag = element.tag
    kind_type = element.get("type")
    if tag == "Record" and kind_type == HK_SLEEP_TYPE:
        kind = SLEEP
    elif tag == "Record" and kind_type == HK_CAFFEINE_TYPE:
        kind = CAFFEINE
    elif tag == "Workout":
        kind = EXERCISE
    else:
        return None
    metadata = {entry.get("key"): entry.get("value") for entry in element.iter("MetadataEntry")}
    start = _time(element.get("startDate"), "startDate", now)
    end = _time(element.get("endDate"), "endDate", now)
    if end < start:
        raise SampleError("endDate", "is before startDate")
    unit = ""
    detail: Any
    if kind == SLEEP:
        stage = HEALTHKIT_SLEEP_VALUES.get(element.get("value") or "")
        if stage is None:
            raise SampleError("value", f"unknown sleep stage '{element.get('value')}'")
        detail = [[int(start.timestamp() * 1000), int(end.timestamp() * 1000), stage]]
        unit = "min"
    elif kind == CAFFEINE:
        unit = element.get("unit") or ""
        value = _number_prefix(element.get("value"))
        if value is None:
            raise SampleError("value", f"'{element.get('value')}' is not a number")
        detail = {"mg": caffeine_mg(value, unit, "caffeine")}
    else:
        duration = _number_prefix(element.get("duration"))
        factor = _DURATION_SECONDS.get(element.get("durationUnit") or "min")
        seconds = duration * factor if duration is not None and factor else (end - start).total_seconds()
        mets = next((_number_prefix(metadata.get(key)) for key in HK_AVERAGE_METS if key in metadata), None)
        activity = (element.get("workoutActivityType") or "").removeprefix("HKWorkoutActivityType")
        detail = exercise_detail(
            seconds, intensity_from_mets(mets), "".join(f" {c.lower()}" if c.isupper() else c for c in activity).strip()
        )
        unit = element.get("durationUnit") or "min"
    sync_id = next((metadata[key] for key in HK_SYNC_ID if metadata.get(key)), None)
    version_text = next((metadata[key] for key in HK_SYNC_VERSION if metadata.get(key)), None)
    digest = content_key(kind, start, end, detail)
    entered = next((metadata[key] for key in HK_USER_ENTERED if key in metadata), None)
    return Sample(
        platform=HEALTHKIT,
        source=(element.get("sourceName") or "Apple Health")[:255],
        sync_key=(sync_id or f"export-{digest}")[:255],
        sample_id=f"export-{digest}",
        version=int(version_text) if version_text and version_text.isdigit() else None,
        kind=kind,
        start_at=start,
        end_at=end,
        detail=detail,
        user_entered=None if entered is None else entered.strip() in ("1", "true"),
        unit=unit[:16],
        time_zone=valid_time_zone(next((metadata[key] for key in HK_TIME_ZONE if key in metadata), None)),
    )


class CountingStream:
    """A binary stream that counts the bytes read from it, for the job's progress."""

    def __init__(self, stream: IO[bytes], total: int) -> None:
        self.stream, self.total, self.read_bytes = stream, total, 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.read_bytes += len(data)
        return data

    def __enter__(self) -> CountingStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()


def open_export(path: str) -> CountingStream:
    """export.xml itself, or the export.xml inside Apple Health's export.zip, as a stream
    that knows its (uncompressed) size."""
    if zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise ExportError(f"The file is not a readable zip archive ({exc}).") from None
        infos = [i for i in archive.infolist() if i.filename.rsplit("/", 1)[-1] == EXPORT_XML]
        if not infos:
            raise ExportError("The zip holds no export.xml; send the export.zip the Health app made.")
        return CountingStream(archive.open(infos[0]), infos[0].file_size)
    file = Path(path)
    return CountingStream(file.open("rb"), file.stat().st_size)


def read_export(
    stream: CountingStream | IO[bytes],
    *,
    now: datetime,
    own_sources: frozenset[str],
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[Sample]:
    """Yield the export's sleep, caffeine and workout samples, skipping our own app's.
    ``on_progress`` is called with the number of top-level records read so far, every 10,000."""
    depth = 0
    root: Element | None = None
    records = 0
    try:
        for event, element in iterparse(stream, events=("start", "end")):
            if event == "start":
                if root is None:
                    root = element
                depth += 1
                continue
            depth -= 1
            if depth != 1:
                continue
            # A top-level element is complete: read it, then drop it and everything before it.
            records += 1
            try:
                sample = _sample(element, now)
            except SampleError as exc:
                raise ExportError(
                    f"Record {records} ({element.get('type') or element.tag}) cannot be imported: "
                    f"{exc.field_name} {exc}. Nothing from this export was stored."
                ) from None
            if root is not None:
                root.clear()
            if on_progress is not None and records % 10_000 == 0:
                on_progress(records)
            if sample is not None and sample.source not in own_sources:
                yield sample
    except DefusedXmlException as exc:
        raise ExportError(f"export.xml declares entities, which an Apple Health export never does ({exc}).") from None
    except ParseError as exc:
        raise ExportError(
            f"export.xml is not well-formed XML ({exc}). Nothing from this export was stored; "
            "export again from the Health app."
        ) from None
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ExportError(f"The export could not be read to its end ({exc}). Nothing was stored.") from None
    if root is None or root.tag != "HealthData":
        raise ExportError("This is not an Apple Health export: export.xml has no HealthData element.")
    if on_progress is not None:
        on_progress(records)
