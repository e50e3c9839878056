"""Load test: simulated phones against gunicorn, PostgreSQL and a real Celery worker.

Makes a fresh PostgreSQL database, starts gunicorn (3 workers) and a Celery worker process
on loopback (Redis broker), and runs locust headless with bench/locustfile.py: by default
50 phones for 60 s, each registering or logging in (one device token each), logging
episodes over REST, syncing the WatermelonDB way (pull, then push mixed records) and
reading insights, flags and lists. Then it waits for the worker to drain the recomputes
the writes queued, and prints:

- requests/s and p50/p95/p99 latency, overall and per request type, and the errors;
- per table, the rows the phones got a 2xx for against SELECT count(*) in the database;
- whether the worker ran every queued recompute.

It exits non-zero on any failed request, any row lost or extra, a pull that missed a
record, or a recompute left undone.

    .venv/bin/python bench/load.py [--users 50] [--seconds 60]    (or: make bench-load)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from _stack import ROOT, celery_worker, flush_bench_redis, fresh_database, gunicorn, setup_django

PASSWORD = "load-test-passphrase-1"  # the locustfile's
# Every phone comes from 127.0.0.1, so the per-address sign-in throttles (10 registrations
# an hour) would refuse all but the first few; the load test measures the API, not them.
SIGN_IN_THROTTLES = {"THROTTLE_REGISTER_IP": "100000/hour", "THROTTLE_LOGIN_IP": "100000/min"}
# The diary tables the phones write, and the account tables their sign-ins fill.
WRITTEN_TABLES = ("episodes", "caffeine_intakes", "sleep_logs", "stress_logs")


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def create_login_accounts(count: int, run_id: str) -> list[str]:
    """The accounts the phones that log in (rather than register) sign in to."""
    from accounts.models import User

    emails = [f"login-{run_id}-{n}@example.org" for n in range(count)]
    for email in emails:
        User.objects.create_user(email=email, password=PASSWORD)
    return emails


def warm_up(port: int, workers: int) -> None:
    """Wait until gunicorn answers /healthz (database, cache and broker reachable), then give
    each worker a few requests: a running server has its code loaded, a fresh worker does not."""
    deadline = time.monotonic() + 60
    answered = 0
    while answered < 3 * workers:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
                answered += response.status == 200
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def run_locust(port: int, users: int, seconds: int, emails: list[str], run_id: str, workdir: Path) -> dict[str, Any]:
    results = workdir / "results.json"
    log = workdir / "locust.log"
    env = {
        **os.environ,
        "LOAD_RESULTS": str(results),
        "LOAD_RUN_ID": run_id,
        "LOAD_LOGIN_ACCOUNTS": json.dumps({"emails": emails}),
    }
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 10)),
        "--run-time",
        f"{seconds}s",
        # At the end each phone finishes the request it is making, so every request the
        # server answered is one the phone counted.
        "--stop-timeout",
        "30",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with log.open("w") as out:
        subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if not results.exists():
        print(log.read_text()[-4000:])
        raise SystemExit("locust wrote no results")
    return dict(json.loads(results.read_text()))


def wait_for_recomputes(timeout: float) -> tuple[float, int]:
    """Wait until no user is dirty or has a recompute queued; the seconds it took and how many are left."""
    from django.db.models import Q

    from insights.models import InsightState

    started = time.monotonic()
    pending = Q(dirty=True) | Q(recompute_queued=True)
    while True:
        left = InsightState.objects.filter(pending).count()
        if left == 0 or time.monotonic() - started > timeout:
            return time.monotonic() - started, left
        time.sleep(0.5)


def stored_counts() -> dict[str, int]:
    from accounts.models import DeviceToken, User
    from diary.tables import TABLES

    counts = {table: TABLES[table].model._default_manager.count() for table in WRITTEN_TABLES}
    counts["users"] = User.objects.count()
    counts["device_tokens"] = DeviceToken.objects.count()
    return counts


def print_latencies(results: dict[str, Any]) -> int:
    seconds = results["seconds"]
    times: dict[str, list[float]] = results["response_times_ms"]
    failures: dict[str, int] = results["failures"]
    every = sorted(t for values in times.values() for t in values)
    print(f"{'request':<26}{'count':>8}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    rows = [(name, sorted(values)) for name, values in sorted(times.items())] + [("all", every)]
    for name, values in rows:
        errors = sum(failures.values()) if name == "all" else failures.get(name, 0)
        print(
            f"{name:<26}{len(values):>8}{errors:>8}{len(values) / seconds:>8.1f}"
            f"{percentile(values, 0.50):>9.0f}{percentile(values, 0.95):>9.0f}{percentile(values, 0.99):>9.0f}"
        )
    for sample in results["failure_samples"]:
        print(f"  error: {sample}")
    return sum(failures.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated phones (default 50)")
    parser.add_argument("--seconds", type=int, default=60, help="how long they run (default 60)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--database", default="bench_load_run", help="PostgreSQL database to (re)create")
    args = parser.parse_args()

    run_id = str(int(time.time()))
    database_url = fresh_database(args.database)
    setup_django(database_url)
    flush_bench_redis()
    emails = create_login_accounts(args.users // 2, run_id)
    before = {**stored_counts(), "users": 0, "device_tokens": 0}
    load_before = os.getloadavg()

    workdir = Path(tempfile.mkdtemp(prefix="bench_load_"))
    with (
        celery_worker(database_url, workdir / "worker.log") as worker,
        gunicorn(database_url, workers=args.workers, extra_env=SIGN_IN_THROTTLES) as port,
    ):
        warm_up(port, args.workers)
        results = run_locust(port, args.users, args.seconds, emails, run_id, workdir)
        load_during = os.getloadavg()
        from insights.tasks import DEBOUNCE_SECONDS

        drain_seconds, still_pending = wait_for_recomputes(timeout=DEBOUNCE_SECONDS + 120)
        worker_alive = worker.poll() is None

    print(
        f"load test: {args.users} phones for {args.seconds} s, gunicorn {args.workers} workers, "
        f"1 Celery worker, PostgreSQL + Redis on loopback, {os.cpu_count()} cores"
    )
    print(
        f"machine load average (1/5/15 min): before {load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, "
        f"at the end {load_during[0]:.2f}/{load_during[1]:.2f}/{load_during[2]:.2f}"
    )
    print()
    errors = print_latencies(results)
    print(f"measured over {results['seconds']:.1f} s")

    print()
    accepted: dict[str, int] = results["accepted"]
    stored = stored_counts()
    stored["users"] -= len(emails)  # the login accounts were made here, not by the phones
    mismatches = 0
    print(f"{'table':<20}{'sent (2xx)':>12}{'stored':>10}")
    for table in (*WRITTEN_TABLES, "users", "device_tokens"):
        sent, rows = accepted.get(table, 0), stored[table] - before.get(table, 0)
        mismatches += sent != rows
        print(f"{table:<20}{sent:>12}{rows:>10}{'' if sent == rows else '   MISMATCH'}")
    missed = results["missed_in_pull"]
    print(f"records a pull failed to hand back to the phone that wrote them: {len(missed)}")

    from django.db.models import Sum

    from insights.models import InsightState

    recomputes = InsightState.objects.aggregate(total=Sum("recompute_count"))["total"] or 0
    changed_users = InsightState.objects.count()
    print(
        f"Celery worker: {recomputes} recomputes for {changed_users} users whose diary changed; "
        f"drained {drain_seconds:.1f} s after the load stopped; {still_pending} users still pending"
        f"{'' if worker_alive else ' (the worker died)'}"
    )

    problems = []
    if errors:
        problems.append(f"{errors} failed requests")
    if mismatches:
        problems.append(f"{mismatches} tables whose rows differ from what the phones were told was stored")
    if missed:
        problems.append(f"{len(missed)} records missing from a pull")
    if still_pending or not worker_alive or (changed_users and not recomputes):
        problems.append("recomputes not done by the worker")
    if problems:
        print("FAILED: " + "; ".join(problems))
        print(f"the locust and worker logs are in {workdir}")
        raise SystemExit(1)
    shutil.rmtree(workdir)
    print("OK: no errors, nothing lost, every queued recompute done")


if __name__ == "__main__":
    main()
