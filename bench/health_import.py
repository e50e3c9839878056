"""Health-store import through the API: counted once, in bounded memory, with its speed.

1. A year of HealthKit-shaped and a year of Health Connect-shaped samples (sleep stages from a
   watch and a phone app for the same nights, caffeine in g and mg with corrections, stale
   re-sends and deletions, workouts, our own app's samples) are POSTed to
   /api/v1/health/samples/ through gunicorn, a month per request, then all sent again. The
   diary must hold each night, drink and workout once, and the second pass must change nothing.
2. Apple Health exports (export.zip around a generated export.xml, the larger one at least
   100 MB, written to a temporary directory and deleted after) are uploaded to
   /api/v1/health/exports/ and imported by the job, run here in this process so its memory can
   be read: peak resident memory (VmHWM, reset before each run) and tracemalloc's peak of
   Python allocations in a second, traced run of the smaller file. Two sizes side by side show
   whether memory grows with the file (it must not).

Prints time per 100,000 records for both paths. ``--quick`` (CI) uses a month of samples and
exports of about 3 and 12 MB.

    .venv/bin/python bench/health_import.py [--quick]      (or: make bench-health-import)
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import tracemalloc
import uuid
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from _stack import Api, fresh_database, gunicorn, setup_django

END_DAY = date.today() - timedelta(days=1)


def vm_hwm_kib() -> int:
    """This process's peak resident memory since the last reset, in KiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def reset_peak_rss() -> None:
    # Writing 5 to clear_refs resets VmHWM to the current resident size (Linux 4.0+).
    Path("/proc/self/clear_refs").write_text("5")


def upload(port: int, token: str, path: Path) -> dict[str, Any]:
    """POST the file as multipart/form-data, streamed from disk, as the app would send it."""
    import http.client

    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: application/zip\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = len(head) + path.stat().st_size + len(tail)

    def body() -> Any:
        yield head
        with path.open("rb") as source:
            while chunk := source.read(1 << 20):
                yield chunk
        yield tail

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request(
        "POST",
        "/api/v1/health/exports/",
        body=body(),
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(size),
        },
    )
    response = conn.getresponse()
    payload = json.loads(response.read())
    assert response.status == 202, payload
    return dict(payload)


def make_export(directory: Path, *, days: int, filler_per_day: int) -> tuple[Path, int, Any]:
    """An export.zip holding apple_health_export/export.xml; returns its path, the XML's size and the truth."""
    from tests.diary.health_samples import write_export

    xml = directory / "export.xml"
    with xml.open("w", encoding="utf-8") as target:
        truth = write_export(target, end_day=END_DAY, days=days, filler_per_day=filler_per_day)
    xml_size = xml.stat().st_size
    archive = directory / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        out.write(xml, "apple_health_export/export.xml")
    xml.unlink()
    return archive, xml_size, truth


def live_counts(user: Any) -> dict[str, int]:
    from diary.models import CaffeineIntake, ExerciseSession, SleepLog

    return {
        "nights": SleepLog.objects.live().filter(user=user).count(),
        "caffeine": CaffeineIntake.objects.live().filter(user=user).count(),
        "workouts": ExerciseSession.objects.live().filter(user=user).count(),
    }


def check_counted_once(user: Any, truth: Any) -> str:
    from diary.models import CaffeineIntake, SleepLog

    counts = live_counts(user)
    expected = {"nights": len(truth.nights), "caffeine": len(truth.caffeine_mg), "workouts": truth.workouts}
    assert counts == expected, (counts, expected)
    stored = sorted(CaffeineIntake.objects.live().filter(user=user).values_list("mg", flat=True))
    assert stored == sorted(truth.caffeine_mg.values()), "caffeine amounts differ from the truth"
    minutes = SleepLog.objects.live().filter(user=user).order_by("woke_at").values_list("asleep_min", flat=True)
    total = sum(truth.nights.values())
    assert abs(sum(m or 0 for m in minutes) - total) < 0.1 * len(truth.nights), "asleep minutes differ"
    return f"{counts['nights']} nights, {counts['caffeine']} drinks, {counts['workouts']} workouts: each once"


def bench_user(name: str) -> tuple[Any, str]:
    """A new account and its device token."""
    from accounts.models import User
    from accounts.services import device_token_create

    user = User.objects.create_user(email=f"{name}@bench.example", password="x" * 12)
    _, token = device_token_create(user=user, device_name="bench")
    return user, token


def samples_pass(port: int, token: str, bodies: list[dict[str, Any]]) -> tuple[float, list[dict[str, int]]]:
    api = Api(port, token)
    # Untimed: the worker's first request loads the application.
    api.request("POST", "/api/v1/health/samples/", {"platform": bodies[0]["platform"]})
    started = time.perf_counter()
    results = []
    for body in bodies:
        status, result = api.request("POST", "/api/v1/health/samples/", body)
        assert status == 200, result
        results.append(result)
    return time.perf_counter() - started, results


def run_export(user: Any, port: int, token: str, archive: Path, *, traced: bool) -> dict[str, Any]:
    from diary.health.services import export_job_run
    from diary.models import HealthExportJob

    job = upload(port, token, archive)
    reset_peak_rss()
    before = vm_hwm_kib()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    export_job_run(job_id=job["id"])
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if traced else 0
    if traced:
        tracemalloc.stop()
    done = HealthExportJob.objects.get(pk=job["id"])
    assert done.status == "done", done.error
    return {
        "seconds": seconds,
        "records": done.records_read,
        "rss_peak_mib": vm_hwm_kib() / 1024,
        "rss_growth_mib": (vm_hwm_kib() - before) / 1024,
        "traced_peak_mib": traced_peak / 1024**2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a month of samples and exports of ~3 and ~12 MB (CI)")
    args = parser.parse_args()
    days = 30 if args.quick else 365
    # (days of data, heart-rate records a day). Each size holds more relevant samples than one
    # round of the import (diary.health.services.CHUNK), so the comparison is of steady states.
    export_sizes = ((120, 30), (480, 30)) if args.quick else ((180, 320), (730, 320))

    imports = Path(tempfile.mkdtemp(prefix="twl-health-imports-"))
    os.environ["HEALTH_IMPORT_DIR"] = str(imports)
    # As the worker runs in production: with DEBUG on, Django would keep the last 9,000 queries' SQL.
    os.environ["DJANGO_DEBUG"] = "false"
    database_url = fresh_database("twl_bench_health_import")
    setup_django(database_url)
    from tests.diary.health_samples import year_of_samples

    with gunicorn(database_url, extra_env={"HEALTH_IMPORT_DIR": str(imports)}) as port:
        print(f"Health-store import, PostgreSQL, gunicorn (1 worker){' --quick' if args.quick else ''}")
        for platform in ("healthkit", "health_connect"):
            user, token = bench_user(platform)
            bodies, truth = year_of_samples(platform, end_day=END_DAY, days=days)
            first, _ = samples_pass(port, token, bodies)
            again, results = samples_pass(port, token, bodies)
            unchanged = all(r["created"] == 0 and r["updated"] == 0 and r["deleted"] == 0 for r in results)
            assert unchanged, "re-sending changed something"
            print(
                f"  {platform:<15} {truth.samples:>7,} samples in {len(bodies)} requests: "
                f"{first / truth.samples * 1e5:6.1f} s per 100,000 first time, "
                f"{again / truth.samples * 1e5:6.1f} s per 100,000 re-sent (nothing changed); "
                + check_counted_once(user, truth)
            )

        rows, traced = [], []
        for n, (export_days, filler) in enumerate(export_sizes):
            with tempfile.TemporaryDirectory(prefix="twl-export-") as tmp:
                archive, xml_size, truth = make_export(Path(tmp), days=export_days, filler_per_day=filler)
                user, token = bench_user(f"export{n}")
                result = run_export(user, port, token, archive, traced=False)
                rows.append((xml_size, result, check_counted_once(user, truth)))
                # tracemalloc slows Python several times over: the same file again, into another
                # account, for its peak of Python allocations only.
                user, token = bench_user(f"export-traced{n}")
                traced.append(run_export(user, port, token, archive, traced=True))
        traced_small, traced_large = traced

    print("  Apple Health export.zip uploaded, then the import job (streamed, one transaction):")
    print(f"  {'export.xml':>12} {'records':>10} {'s/100k rec':>11} {'peak RSS':>10} {'RSS growth':>11}")
    for xml_size, result, counted in rows:
        per_100k = result["seconds"] / result["records"] * 1e5
        print(
            f"  {xml_size / 1024**2:9.1f} MB {result['records']:>10,} {per_100k:11.1f} "
            f"{result['rss_peak_mib']:7.1f} MiB {result['rss_growth_mib']:8.1f} MiB  {counted}"
        )
    (small, small_result, _), (large, large_result, _) = rows
    if not args.quick:
        assert large >= 100 * 1024**2, f"the large export.xml is {large / 1024**2:.1f} MB, under 100 MB"
    flat = traced_large["traced_peak_mib"] < 2 * traced_small["traced_peak_mib"] + 8
    time_ratio = large_result["seconds"] / small_result["seconds"]
    print(
        f"  export.xml {large / small:.1f}x larger: import time {time_ratio:.1f}x, "
        f"peak Python allocations (tracemalloc, separate runs) {traced_small['traced_peak_mib']:.1f} MiB against "
        f"{traced_large['traced_peak_mib']:.1f} MiB: "
        + ("memory stays flat as the file grows" if flat else "MEMORY GROWS WITH THE FILE")
    )
    for leftover in imports.iterdir():
        leftover.unlink()
    imports.rmdir()


if __name__ == "__main__":
    main()
