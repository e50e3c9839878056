"""Per-record cost of a sync push inside one process: the parts bench/sync_push.py adds up.

Builds bench/sync_push.py's mixed records and pushes them in batches of 500, in process (no
gunicorn, no HTTP client): the push's reading and checks alone (``_parse_push``), the service
(``diary.sync.push``) for records new to the server and again once they are all stored (the
merge), and the whole request through Django's test client (authentication, the JSON parser).
Prints microseconds per record, CPU (process_time, what decides between two versions of the
code on a busy machine) beside wall time. As behind gunicorn, the cache and the broker are on
Redis (BENCH_REDIS_URL), so a push queues its recompute instead of running it here.

    .venv/bin/python bench/push_profile.py [--rounds N] [--profile | --profile-http] [--quick]

``--profile`` prints cProfile's functions of the service by CPU time, ``--profile-http`` of
the whole request.
"""

from __future__ import annotations

import cProfile
import gc
import json
import logging
import os
import pstats
import sys
import time
from collections.abc import Callable
from typing import Any

from _quick import quick
from _stack import BENCH_REDIS_URL, fresh_database
from sync_push import BATCH, as_push, mixed_records

TOTAL = quick(5000, 1000)
ROUNDS = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else quick(3, 1)


def setup() -> None:
    database_url = fresh_database("twitchlog_bench_push_profile")
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = BENCH_REDIS_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    logging.disable(logging.INFO)
    # As config/wsgi.py does in the server: what loading made is left out of the collector's passes.
    gc.collect()
    gc.freeze()


def per_record(run: Callable[[], None]) -> tuple[float, float]:
    """CPU and wall microseconds per record of one ``run`` over TOTAL records."""
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    return (time.process_time() - cpu) / TOTAL * 1e6, (time.perf_counter() - wall) / TOTAL * 1e6


def main() -> None:
    setup()
    from django.test import Client

    from accounts.models import User
    from accounts.services import device_token_create
    from diary import sync

    records = mixed_records("p", TOTAL, seed=1)
    texts = [json.dumps(as_push(records[o : o + BATCH])) for o in range(0, TOTAL, BATCH)]
    users = iter(range(1_000_000))

    def fresh_user() -> Any:
        return User.objects.create_user(email=f"profile{next(users)}@example.org", password="bench-passphrase-1")

    def parse() -> None:
        for text in texts:
            _, errors = sync._parse_push(json.loads(text))
            assert not errors, errors

    def service(user: Any) -> Callable[[], None]:
        bodies = [json.loads(text) for text in texts]

        def run() -> None:
            for body in bodies:
                sync.push(user=user, last_pulled_at=None, body=body)

        return run

    def request(user: Any) -> Callable[[], None]:
        token = device_token_create(user=user, device_name="profile")[1]
        client = Client(HTTP_AUTHORIZATION=f"Token {token}")

        def run() -> None:
            for text in texts:
                response = client.post("/api/v1/sync/", text, content_type="application/json")
                assert response.status_code == 200, response.content

        return run

    # A running server has its code loaded and its connections open: one push of each kind first.
    service(fresh_user())()
    request(fresh_user())()

    if "--profile" in sys.argv or "--profile-http" in sys.argv:
        user = fresh_user()
        new = service(user) if "--profile" in sys.argv else request(user)
        profile = cProfile.Profile(time.process_time)
        profile.runcall(new)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
        return

    print(f"{TOTAL} records in batches of {BATCH}; us per record, CPU / wall")
    for round_ in range(ROUNDS):
        user = fresh_user()
        figures = {
            "read and check": per_record(parse),
            "push, new": per_record(service(user)),
            "push, stored": per_record(service(user)),
            "request, new": per_record(request(fresh_user())),
        }
        print(
            f"round {round_ + 1}: " + "  ".join(f"{k} {cpu:5.1f} / {wall:5.1f}" for k, (cpu, wall) in figures.items())
        )


if __name__ == "__main__":
    main()
