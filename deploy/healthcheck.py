"""The image's health check: it tells the container's role from its own command (PID 1,
deploy/entrypoint.sh execs the role) and checks what fits that role.

- web (gunicorn): GET /healthz answers 200 (database, cache and broker reachable).
- worker (celery worker): a ping to this container's own node (worker@<hostname>) answers.
- beat (celery beat): its liveness file (BEAT_LIVENESS_FILE) was touched within
  BEAT_LIVENESS_MAX_AGE seconds (default 60; the scheduler ticks at least every 5 s).

Exit 0 healthy, 1 unhealthy (what Docker and podman expect), with one line saying why.
"""

from __future__ import annotations

import os
import socket
import sys
import time
import urllib.request
from pathlib import Path


def role(argv: list[str] | None = None) -> str:
    """web, worker, beat or other, from a command line (PID 1's by default)."""
    if argv is None:
        argv = [w.decode(errors="replace") for w in Path("/proc/1/cmdline").read_bytes().split(b"\0") if w]
    words = [Path(w).name for w in argv]
    if "gunicorn" in words:
        return "web"
    if "celery" in words:
        return "beat" if "beat" in words else "worker" if "worker" in words else "other"
    return "other"


def check_web() -> str:
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz",
        # A host the settings allow (DJANGO_ALLOWED_HOSTS must include it in production).
        headers={"Host": os.environ.get("HEALTHCHECK_HOST", "localhost")},
    )
    with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310 (loopback, fixed scheme)
        if response.status != 200:
            raise RuntimeError(f"/healthz answered {response.status}")
    return "/healthz 200"


def check_worker() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, "/app")
    from config.celery_app import app

    node = f"worker@{socket.gethostname()}"
    replies = app.control.ping(destination=[node], timeout=5) or []
    if not any(node in reply for reply in replies):
        raise RuntimeError(f"{node} did not answer a ping")
    return f"{node} answered"


def check_beat() -> str:
    path = Path(os.environ.get("BEAT_LIVENESS_FILE", "/tmp/celerybeat.alive"))
    max_age = float(os.environ.get("BEAT_LIVENESS_MAX_AGE", "60"))
    age = time.time() - path.stat().st_mtime
    if age > max_age:
        raise RuntimeError(f"{path} is {age:.0f} s old (more than {max_age:.0f} s)")
    return f"{path} touched {age:.0f} s ago"


def main() -> int:
    checks = {"web": check_web, "worker": check_worker, "beat": check_beat}
    current = role()
    if current not in checks:
        print(f"no health check for this command ({current})")
        return 0
    try:
        print(f"{current}: {checks[current]()}")
    except Exception as exc:  # any failure is unhealthy, said in one line
        print(f"{current}: unhealthy: {exc.__class__.__name__}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
