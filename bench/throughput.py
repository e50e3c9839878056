"""Episode POST throughput under wrk: the product path against a bare Django view, one server.

One gunicorn (3 workers) on a fresh PostgreSQL database serves both: the real
``POST /api/v1/episodes/`` (knox token, DRF, validation, the sync clock, the recompute
queued on Redis) and a bare Django function view that INSERTs the same episode row for a
fixed user (bench/bare_urls.py, mounted only here through bench/bare_settings.py). wrk
POSTs to each in turn, with unique episode ids made in Lua (bench/episode_post.lua), the
product requests spread over many users' tokens as many phones would send them, each phone
having written once before the clock starts (a user's first write makes its sync clock row and
insight state: another operation than the everyday write measured here). The two
are interleaved over several rounds, in turns (product-bare, bare-product, ...), so the
machine's noise and any drift through the run fall on both alike.

Prints requests/s of each, the ratio (target >= 0.6, docs/architecture.md, "Benchmark targets") and the
machine's load. Exits non-zero if any request failed.

    bash bench/throughput.sh [--seconds 10] [--rounds 3]    (or: make bench-throughput)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from _stack import ROOT, Api, flush_bench_redis, fresh_database, gunicorn, setup_django

PRODUCT_PATH = "/api/v1/episodes/"
BARE_PATH = "/bench/bare-episode/"
# Enough phones that none nears the per-user throttle (1,200 requests a minute).
PHONES = 100
SCRIPT = ROOT / "bench" / "episode_post.lua"
RESULT = re.compile(r"RESULT (.*)")


def wrk(port: int, path: str, tag: str, seconds: int, connections: int, tokens_file: Path | None) -> dict[str, int]:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(SCRIPT),
        f"http://127.0.0.1:{port}",
        "--",
        path,
        tag,
    ]
    if tokens_file:
        command.append(str(tokens_file))
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = RESULT.search(output)
    if not found:
        raise SystemExit(f"wrk printed no result:\n{output}")
    return {key: int(value) for key, value in (pair.split("=") for pair in found.group(1).split())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="product/bare pairs of runs (default 3)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--quick", action="store_true", help="one round of 2 s per path")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds = 2, 1
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk (bench/throughput.sh does it)")

    database_url = fresh_database("bench_load_throughput")
    setup_django(database_url)
    flush_bench_redis()
    from accounts.models import User
    from accounts.services import device_token_create

    phones = [User.objects.create_user(email=f"phone{n}@example.org", password=None) for n in range(PHONES)]
    tokens = [device_token_create(user=user, device_name="phone")[1] for user in phones]
    bare_user = User.objects.create_user(email="bare@example.org", password=None)

    workdir = Path(tempfile.mkdtemp(prefix="bench_load_"))
    tokens_file = workdir / "tokens.txt"
    tokens_file.write_text("\n".join(tokens) + "\n")
    env = {"DJANGO_SETTINGS_MODULE": "bench.bare_settings", "BENCH_BARE_USER_ID": str(bare_user.pk)}
    load_before = os.getloadavg()
    runs: dict[str, list[dict[str, int]]] = {"product": [], "bare": []}
    with gunicorn(database_url, workers=args.workers, extra_env=env) as port:
        # Warm every worker on both paths, and check both answer 201 before measuring. Then one
        # write from every phone: a user's first write is another operation (it makes the user's
        # sync clock row and insight state and queues the first recompute), which the bare
        # view, writing for one fixed user, never does; the bench measures the everyday write.
        body = {
            "started_at": "2026-01-01T08:00:00Z",
            "duration_s": 30,
            "body_sites": ["left_index"],
            "character": "twitch",
            "intensity": 4,
            "context": "at_rest",
            "symptoms": [],
            "notes": "",
        }
        warm = Api(port, tokens[0])
        for n in range(3 * args.workers):
            for path in (PRODUCT_PATH, BARE_PATH):
                warm.conn.close()
                status, answer = warm.request("POST", path, {"id": f"warm{n}", **body})
                assert status == 201, (path, status, answer)
        for n, token in enumerate(tokens):
            phone = Api(port, token)
            status, answer = phone.request("POST", PRODUCT_PATH, {"id": f"first{n}", **body})
            phone.conn.close()
            assert status == 201, (status, answer)
        paths = (("product", PRODUCT_PATH, tokens_file), ("bare", BARE_PATH, None))
        for round_number in range(args.rounds):
            # Product first in one round, bare first in the next: a machine that warms up (or
            # slows down) through the run favours neither path.
            for name, path, token_list in paths if round_number % 2 == 0 else paths[::-1]:
                tag = f"{name}{round_number}"
                runs[name].append(wrk(port, path, tag, args.seconds, args.connections, token_list))
    load_after = os.getloadavg()
    shutil.rmtree(workdir)

    print(
        f"episode POST under wrk: 2 threads, {args.connections} connections, {args.rounds} rounds of "
        f"{args.seconds} s per path, gunicorn {args.workers} workers, PostgreSQL + Redis on loopback, "
        f"{os.cpu_count()} cores"
    )
    print(
        f"machine load average (1/5/15 min): before {load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, "
        f"after {load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f}"
    )
    print(f"{'path':<44}{'round':>6}{'requests':>10}{'req/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}")
    rates: dict[str, float] = {}
    failed = 0
    for name, label in (("product", f"POST {PRODUCT_PATH} (DRF, token)"), ("bare", "bare Django view, same INSERT")):
        total_requests = total_seconds = 0.0
        for round_number, run in enumerate(runs[name]):
            errors = sum(run[k] for k in ("non_2xx", "connect", "read", "write", "timeout"))
            failed += errors
            seconds = run["duration_us"] / 1e6
            total_requests += run["requests"]
            total_seconds += seconds
            print(
                f"{label:<44}{round_number + 1:>6}{run['requests']:>10}{run['requests'] / seconds:>9.1f}"
                f"{run['p50_us'] / 1000:>8.1f}{run['p99_us'] / 1000:>8.1f}{errors:>8}"
            )
        rates[name] = total_requests / total_seconds
    print(f"product {rates['product']:.1f} req/s, bare {rates['bare']:.1f} req/s")
    print(f"product / bare = {rates['product'] / rates['bare']:.2f} (target >= 0.6)")
    if failed:
        raise SystemExit(f"FAILED: {failed} requests failed (non-2xx or socket errors)")


if __name__ == "__main__":
    main()
