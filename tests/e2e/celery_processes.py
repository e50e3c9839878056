"""Real `celery worker` and `celery beat` processes for the end-to-end tests, and their shutdown.

Each process is started in a session of its own, so it leads a process group holding the
prefork pool's children too: a kill reaches all of them, and nothing outlives the test.
Every wait has a deadline, so a hung worker fails its test within seconds instead of
stalling the suite. Output goes to a log file whose tail is quoted when something fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection

LAUNCHER = "tests.e2e.celery_launcher"
STOP_GRACE_SECONDS = 10


def wait_for(condition: Callable[[], object], seconds: float, poll: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return bool(condition())


def shared_database_url() -> str:
    """DATABASE_URL naming the database this test process runs on (pytest-django's test_<name>[_gwN])."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return parts._replace(path="/" + connection.settings_dict["NAME"]).geturl()


def celery_environment(**extra: str) -> dict[str, str]:
    """The environment of a Celery process that shares this test process's database and broker."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "E2E_"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_ENV="test",
        DATABASE_URL=shared_database_url(),
        # settings.REDIS_URL already names this xdist process's own Redis database; with
        # PYTEST_XDIST_WORKER left out above, the child's settings take it as it is.
        REDIS_URL=str(settings.REDIS_URL),
        CELERY_BROKER_URL=str(settings.CELERY_BROKER_URL),
        PYTHONPATH=str(settings.BASE_DIR),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return environment


class CeleryProcess:
    def __init__(self, args: list[str], environment: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", LAUNCHER, "-A", "config", *args],
                cwd=settings.BASE_DIR,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return f"--- last lines of {self.log_path.name} ---\n" + "\n".join(text.splitlines()[-lines:])

    def _signal_group(self, signum: int) -> None:
        with suppress(ProcessLookupError):  # the whole group is gone already
            os.killpg(self.pid, signum)

    def kill(self) -> None:
        """SIGKILL the main process and its pool children at once: a crash, no shutdown code runs."""
        self._signal_group(signal.SIGKILL)
        self.popen.wait(timeout=STOP_GRACE_SECONDS)

    def request_stop(self) -> None:
        """Ask for a warm shutdown: the worker finishes its tasks and hands prefetched messages back."""
        if self.popen.poll() is None:
            self._signal_group(signal.SIGTERM)

    def stop(self) -> None:
        """A warm shutdown, made a kill if it does not finish in time; then nothing of the group is left."""
        self.request_stop()
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=STOP_GRACE_SECONDS)
        # Also reaps pool children orphaned by a main process that died first.
        self._signal_group(signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=STOP_GRACE_SECONDS)


class CeleryProcesses:
    """Starts workers and beats for one test; ``stop_all`` ends every one of them."""

    def __init__(self, log_dir: Path, **environment: str) -> None:
        self.log_dir = log_dir
        self.environment = environment
        self.started: list[CeleryProcess] = []

    def _start(self, kind: str, args: list[str], **environment: str) -> CeleryProcess:
        name = f"{kind}{len(self.started) + 1}"
        process = CeleryProcess(
            args, celery_environment(**self.environment, **environment), self.log_dir / f"{name}.log"
        )
        self.started.append(process)
        return process

    def worker(self, *queues: str, concurrency: int = 1, **environment: str) -> CeleryProcess:
        args = [
            "worker",
            "--queues",
            ",".join(queues),
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--hostname",
            f"e2e-{uuid.uuid4().hex[:8]}@%h",
            # Nothing here needs the cluster chatter, and mingle would add seconds to start-up.
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ]
        return self._start("worker", args, **environment)

    def beat(self, **environment: str) -> CeleryProcess:
        """Beat with the production scheduler, django-celery-beat's DatabaseScheduler."""
        return self._start("beat", ["beat", "--loglevel", "INFO"], **environment)

    def logs(self) -> str:
        return "\n".join(process.log_tail() for process in self.started)

    def stop_all(self) -> None:
        # All are asked at once, so their shutdowns overlap rather than add up.
        for process in self.started:
            process.request_stop()
        for process in self.started:
            process.stop()


@contextmanager
def celery_processes(log_dir: Path, **environment: str) -> Iterator[CeleryProcesses]:
    processes = CeleryProcesses(log_dir, **environment)
    try:
        yield processes
    finally:
        processes.stop_all()
