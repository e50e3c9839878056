"""A phone's first sync of 2,000 records with the real WatermelonDB client, beside a plain pull.

Seeds 2,000 mixed records (episodes, caffeine, sleep, stress, exercise) for one user on a
fresh PostgreSQL database, serves them with gunicorn, then in one run:
- a plain pull: one HTTP GET of /api/v1/sync/ for the whole diary, JSON decoded (Python);
- the real client: WatermelonDB's synchronize() (Node, LokiJS adapter in memory, the app-side
  code of tests/e2e/watermelon/sync.js) on a brand-new device: the same GET, then every
  record written to the local database.
Each is run several times on fresh devices; the medians are printed with their ratio
(docs/architecture.md, "Benchmark targets": reported, no target). Needs Node and `npm ci` in tests/e2e/watermelon.

    .venv/bin/python bench/first_sync.py        (or: make bench-first-sync)
"""

from __future__ import annotations

import statistics
import sys
import time

from _quick import QUICK, quick
from _stack import Api, fresh_database, gunicorn, setup_django
from sync_push import as_push, mixed_records

TOTAL = quick(2000, 200)
RUNS = quick(5, 1)


def plain_pull(port: int, token: str) -> tuple[float, int]:
    api = Api(port, token)
    started = time.perf_counter()
    status, body = api.request("GET", "/api/v1/sync/?last_pulled_at=null&schema_version=1&migration=null")
    seconds = time.perf_counter() - started
    assert status == 200, status
    return seconds, sum(len(t["created"]) for t in body["changes"].values())


def main() -> None:
    from tests.e2e.watermelon_app import WatermelonDevices, missing_node

    if missing_node():
        if QUICK:  # CI without Node: say so, as the end-to-end tests do
            print(f"bench/first_sync.py skipped: it needs the real client: {missing_node()}")
            return
        sys.exit(f"bench/first_sync.py needs the real client: {missing_node()}")
    database_url = fresh_database("twitchlog_bench_first_sync")
    setup_django(database_url)

    from accounts.models import User
    from accounts.services import device_token_create
    from diary import sync

    user = User.objects.create_user(email="first-sync@example.org", password="bench-passphrase-long")
    sync.push(user=user, last_pulled_at=None, body=as_push(mixed_records("fs", TOTAL, seed=11)))
    tokens = [device_token_create(user=user, device_name=f"phone {n}")[1] for n in range(RUNS + 1)]

    plain: list[float] = []
    client: list[float] = []
    with gunicorn(database_url) as port:
        base_url = f"http://127.0.0.1:{port}"
        devices = WatermelonDevices(base_url)
        try:
            # Warm-up: the server's code loaded and its connection open, Node's modules compiled.
            plain_pull(port, tokens[0])
            devices.open("warm-up", tokens[0])
            assert devices.sync("warm-up")["synced"]
            for run in range(RUNS):
                seconds, count = plain_pull(port, tokens[run + 1])
                assert count == TOTAL, count
                plain.append(seconds)
                device = f"phone-{run}"
                devices.open(device, tokens[run + 1])
                started = time.perf_counter()
                answer = devices.sync(device)
                client.append(time.perf_counter() - started)
                assert answer["synced"], answer
                stored = sum(len(rows) for rows in devices.dump(device)["tables"].values())
                assert stored == TOTAL, stored
        finally:
            devices.close()

    plain_s, client_s = statistics.median(plain), statistics.median(client)
    print(f"first sync of {TOTAL} records, median of {RUNS} fresh devices, PostgreSQL, gunicorn (1 worker)")
    print(f"plain pull (HTTP GET + JSON decode):              {plain_s * 1000:8.0f} ms")
    print(f"WatermelonDB synchronize() (LokiJS, in memory):   {client_s * 1000:8.0f} ms")
    print(f"real client / plain pull = {client_s / plain_s:.1f}x")


if __name__ == "__main__":
    main()
