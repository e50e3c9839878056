"""Sync push throughput against PostgreSQL, beside its two baselines, in one run.

Pushes 5,000 mixed records (episodes, caffeine, sleep, stress, exercise) in batches of
500 through the real HTTP stack (gunicorn, one sync worker), then inserts the same rows for
another user with psycopg COPY (on a connection already open, as the server's are): in one
transaction, the target's baseline, and again with a commit per 500 rows as each push must
commit (for reading only: how much of the gap the disk's flush per push is). Five rounds
alternate them (the push first in one round, the COPYs first in the next), each with users and
rows of its own; the pushing user has written once before its round (a user's first write makes
its clock row and insight state, which no COPY does). Last, POSTs records one at a time
through REST for one more user. Prints each round and records/s over
all rounds for each path, and the two ratios (targets: push >= 0.5 of COPY and >= 10x one
REST POST per record; docs/architecture.md, "Benchmark targets"). One round of each lasts
a tenth of a second or two, so a single round swings with whatever else the machine does:
the rounds side by side, and their sum, are the figure.

    .venv/bin/python bench/sync_push.py        (or: make bench-sync)
"""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from _quick import quick
from _stack import Api, fresh_database, gunicorn, setup_django

TOTAL = quick(5000, 1000)
BATCH = 500
ROUNDS = quick(5, 1)
REST_SAMPLE = quick(300, 30)  # one POST per record is slow; its rate is measured on a sample


def mixed_records(prefix: str, total: int, seed: int) -> list[tuple[str, dict[str, Any]]]:
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=365)
    records: list[tuple[str, dict[str, Any]]] = []
    for i in range(total):
        at = start + timedelta(minutes=rng.randrange(0, 363 * 24 * 60))
        ms = int(at.timestamp() * 1000)
        kind = i % 5
        cid = f"{prefix}{i}"
        if kind == 0:
            records.append(
                (
                    "episodes",
                    {
                        "id": cid,
                        "started_at": ms,
                        "duration_s": rng.randrange(1, 300),
                        "body_sites": json.dumps(
                            rng.sample(["left_index", "left_thumb", "right_middle", "left_eyelid"], 2)
                        ),
                        "character": "twitch",
                        "intensity": rng.randrange(1, 11),
                        "context": "at_rest",
                        "symptoms": json.dumps(["tingling"] if rng.random() < 0.2 else []),
                        "notes": "",
                    },
                )
            )
        elif kind == 1:
            records.append(
                (
                    "caffeine_intakes",
                    {"id": cid, "consumed_at": ms, "drink": "brewed_coffee", "servings": rng.choice([1, 1.5, 2])},
                )
            )
        elif kind == 2:
            records.append(
                (
                    "sleep_logs",
                    {
                        "id": cid,
                        "bed_at": ms,
                        "woke_at": ms + rng.randrange(4, 10) * 3_600_000,
                        "quality": rng.randrange(1, 6),
                    },
                )
            )
        elif kind == 3:
            records.append(("stress_logs", {"id": cid, "recorded_at": ms, "level": rng.randrange(0, 11)}))
        else:
            records.append(
                (
                    "exercise_sessions",
                    {
                        "id": cid,
                        "started_at": ms,
                        "duration_min": rng.randrange(10, 90),
                        "intensity": "moderate",
                        "kind": "run",
                    },
                )
            )
    return records


def as_push(records: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for table, record in records:
        body.setdefault(table, {"created": [], "updated": [], "deleted": []})["created"].append(record)
    return body


def warm_up(port: int, token: str) -> None:
    """One push of a full batch and one POST first: a running server has its code loaded, its
    connections open and its large-batch path (COPY) taken before, and the first request of a
    fresh worker pays for all of that (a 10-record warm-up left the COPY path cold, and the
    first round ran at half the rate of the others)."""
    api = Api(port, token)
    status, _ = api.request("POST", "/api/v1/sync/", as_push(mixed_records("warm", BATCH, seed=3)))
    assert status == 200
    table, record = mixed_records("warmrest", 1, seed=4)[0]
    status, _ = api.request("POST", f"/api/v1/{REST_ROUTES[table]}/", as_rest(table, record))
    assert status == 201


def first_write(port: int, token: str, round_number: int) -> None:
    api = Api(port, token)
    status, _ = api.request("POST", "/api/v1/sync/", as_push(mixed_records(f"first{round_number}-", 1, seed=5)))
    api.conn.close()
    assert status == 200


def push_through_http(port: int, token: str, records: list[tuple[str, dict[str, Any]]]) -> float:
    """The pushes' JSON is written before the clock starts, as copy_rows makes its rows first:
    both time the server's side (a phone spends its own CPU writing the JSON)."""
    api = Api(port, token)
    texts = [json.dumps(as_push(records[offset : offset + BATCH])) for offset in range(0, len(records), BATCH)]
    started = time.perf_counter()
    for text in texts:
        status, body = api.request("POST", "/api/v1/sync/", text)
        assert status == 200, (status, body)
    return time.perf_counter() - started


def copy_rows(
    database_url: str, user_id: int, records: list[tuple[str, dict[str, Any]]], commit_every: int | None = None
) -> float:
    """The same rows straight into the tables with COPY: the floor any write path can reach.
    ``commit_every``: a commit after each batch of that many records (each push is a
    transaction of its own, which the disk must make durable before the phone is answered);
    by default one commit for them all."""
    import psycopg
    from psycopg.types.json import Jsonb

    from diary.services import with_defaults
    from diary.tables import TABLES, read_wire_record

    now = datetime.now(UTC)
    batch = commit_every or len(records)
    batches: list[dict[str, list[tuple[Any, ...]]]] = []
    for offset in range(0, len(records), batch):
        by_table: dict[str, list[tuple[Any, ...]]] = {}
        for table, raw in records[offset : offset + batch]:
            spec = TABLES[table]
            client_id, values, errors = read_wire_record(spec, raw)
            assert not errors
            values = with_defaults(spec, values)
            row = [user_id, client_id, now, now, None]
            row += [Jsonb(values[c]) if c in ("body_sites", "symptoms") else values[c] for c in spec.column_names]
            by_table.setdefault(table, []).append(tuple(row))
        batches.append(by_table)
    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
        started = time.perf_counter()
        for by_table in batches:
            for table, rows in by_table.items():
                spec = TABLES[table]
                columns = ["user_id", "client_id", "created_at", "updated_at", "deleted_at", *spec.column_names]
                with conn.cursor().copy(f"COPY {spec.model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            conn.commit()
        return time.perf_counter() - started


REST_ROUTES = {
    "episodes": "episodes",
    "caffeine_intakes": "caffeine-intakes",
    "sleep_logs": "sleep-logs",
    "stress_logs": "stress-logs",
    "exercise_sessions": "exercise-sessions",
}


def as_rest(table: str, record: dict[str, Any]) -> dict[str, Any]:
    body = {}
    for key, value in record.items():
        if key.endswith("_at"):
            body[key] = datetime.fromtimestamp(value / 1000, tz=UTC).isoformat()
        elif key in ("body_sites", "symptoms"):
            body[key] = json.loads(value)
        else:
            body[key] = value
    return body


def post_one_by_one(port: int, token: str, records: list[tuple[str, dict[str, Any]]]) -> float:
    api = Api(port, token)
    posts = [(f"/api/v1/{REST_ROUTES[table]}/", json.dumps(as_rest(table, record))) for table, record in records]
    started = time.perf_counter()
    for path, text in posts:
        status, body = api.request("POST", path, text)
        assert status == 201, (status, body)
    return time.perf_counter() - started


def main() -> None:
    database_url = fresh_database("twitchlog_bench_sync")
    setup_django(database_url)
    from accounts.models import User
    from accounts.services import device_token_create

    # Per round a pushing user and two COPY users of its own; one more for the REST sample.
    users = [
        User.objects.create_user(email=f"bench{n}@example.org", password="bench-passphrase-1")
        for n in range(3 * ROUNDS + 1)
    ]
    tokens = [device_token_create(user=u, device_name="bench")[1] for u in users]

    push_rounds: list[float] = []
    copy_rounds: list[float] = []
    batched_rounds: list[float] = []
    with gunicorn(database_url) as port:
        warm_up(port, tokens[-1])
        for round_number in range(ROUNDS):
            pushing, copying, batching = 3 * round_number, 3 * round_number + 1, 3 * round_number + 2
            # The pushing user's first write, before the clock: a user's first write makes its
            # sync clock row and insight state and queues its first recompute, which no COPY does.
            first_write(port, tokens[pushing], round_number)

            pushed = mixed_records(f"p{round_number}-", TOTAL, seed=round_number)
            copied = mixed_records(f"c{round_number}-", TOTAL, seed=round_number)
            batched = mixed_records(f"b{round_number}-", TOTAL, seed=round_number)
            # The push first in one round, the COPYs first in the next: drift through the run (a
            # checkpoint, autovacuum after thousands of new rows) falls on both alike.
            if round_number % 2:
                copy_rounds.append(copy_rows(database_url, users[copying].pk, copied))
                batched_rounds.append(copy_rows(database_url, users[batching].pk, batched, BATCH))
            push_rounds.append(push_through_http(port, tokens[pushing], pushed))
            if not round_number % 2:
                copy_rounds.append(copy_rows(database_url, users[copying].pk, copied))
                batched_rounds.append(copy_rows(database_url, users[batching].pk, batched, BATCH))
        rest_records = mixed_records("r", REST_SAMPLE, seed=3 * ROUNDS + 1)
        rest_seconds = post_one_by_one(port, tokens[-1], rest_records)

    push_seconds, copy_seconds = sum(push_rounds), sum(copy_rounds)
    records = TOTAL * ROUNDS
    push_rate = records / push_seconds
    copy_rate = records / copy_seconds
    rest_rate = REST_SAMPLE / rest_seconds
    print(f"{'round':<8}{'push records/s':>16}{'COPY records/s':>16}{'push / COPY':>13}")
    for round_number, (pushed, copied) in enumerate(zip(push_rounds, copy_rounds, strict=True)):
        print(f"{round_number + 1:<8}{TOTAL / pushed:>16.0f}{TOTAL / copied:>16.0f}{copied / pushed:>13.2f}")
    print(f"{'path':<44}{'records':>9}{'seconds':>10}{'records/s':>12}")
    print(f"{'sync push, batches of 500 (HTTP, gunicorn)':<44}{records:>9}{push_seconds:>10.2f}{push_rate:>12.0f}")
    print(f"{'psycopg COPY of the same rows (baseline)':<44}{records:>9}{copy_seconds:>10.2f}{copy_rate:>12.0f}")
    batched = sum(batched_rounds)
    batched_rate = records / batched
    print(f"{'COPY again, a commit per 500 (as pushes)':<44}{records:>9}{batched:>10.2f}{batched_rate:>12.0f}")
    print(f"{'REST POST, one per record (baseline)':<44}{REST_SAMPLE:>9}{rest_seconds:>10.2f}{rest_rate:>12.0f}")
    print(f"push / COPY = {push_rate / copy_rate:.2f} (target >= 0.5)")
    print(f"push / COPY with a commit per 500 = {push_rate / batched_rate:.2f} (for reading only)")
    print(f"push / REST = {push_rate / rest_rate:.1f}x (target >= 10x)")


if __name__ == "__main__":
    main()
