"""gunicorn's settings in the image, each from the environment (deploy/entrypoint.sh `web`).

GUNICORN_WORKERS (default: 2 per core + 1), GUNICORN_THREADS (1), GUNICORN_TIMEOUT (30 s),
GUNICORN_GRACEFUL_TIMEOUT (30 s), GUNICORN_KEEPALIVE (5 s), GUNICORN_MAX_REQUESTS (0: never
recycle a worker), PORT (8000) and GUNICORN_BIND (0.0.0.0:$PORT). The access log goes to
stdout, the error log to stderr, where the container's log collector reads them.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise SystemExit(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"
workers = _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Paths and statuses only: a query string may carry a share or unsubscribe token.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
# Heartbeat files in memory, not on the container's (possibly read-only) disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Behind a proxy that sets X-Forwarded-*: which addresses may (FORWARDED_ALLOW_IPS, gunicorn's own).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
