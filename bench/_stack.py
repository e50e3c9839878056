"""Shared set-up for the HTTP benchmarks: a fresh PostgreSQL database and gunicorn on loopback."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Celery puts the working directory on sys.path while it loads modules; run from the
# repository root so bench/insights.py never shadows the insights package.
os.chdir(ROOT)

BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def fresh_database(name: str) -> str:
    """Drop and create database ``name``, migrate it, and return its URL."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return url


def flush_bench_redis() -> None:
    """Empty the bench's own Redis database: queues, throttle counts and cache of an earlier run."""
    import redis

    redis.Redis.from_url(BENCH_REDIS_URL).flushdb()


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)  # tasks run eagerly in-process, mail to the console
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a server process: the bench database, tasks queued on a real Redis
    broker (a database of its own), no debug, quiet logs."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": BENCH_REDIS_URL,
        **(extra or {}),
    }


@contextlib.contextmanager
def gunicorn(
    database_url: str, workers: int = 1, *, extra_env: dict[str, str] | None = None, wsgi: str = "config.wsgi"
) -> Iterator[int]:
    port = free_port()
    # As in production: tasks are queued on a real Redis broker, so a write pays for
    # enqueueing its recompute, not for running it (a worker, if any, is another process).
    env = server_env(database_url, extra_env)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            wsgi,
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def celery_worker(database_url: str, log: Path, concurrency: int = 1) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker on the bench's broker, consuming every queue, its output in ``log``;
    stopped warmly."""
    output = log.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "insights,email,reports",
            "-c",
            str(concurrency),
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=server_env(database_url),
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()


class Api:
    """A keep-alive HTTP client for one user, as a phone would hold one."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """``body`` is data to send as JSON, or a JSON text already written (str)."""
        text = body if isinstance(body, str) or body is None else json.dumps(body)
        self.conn.request(method, path, body=text, headers=self.headers)
        response = self.conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None
