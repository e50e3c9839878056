"""The production image, built and run for real with podman (`make image-test`).

Builds the image from the Dockerfile on a Debian bookworm base made with debootstrap
(deploy/build_base_image.sh; no image registry is needed) with the wheels installed offline,
then runs it as production would, every container on the host's network (all traffic on
127.0.0.1):

1. the one-off migrations container against a fresh PostgreSQL database of its own;
2. web (gunicorn), a Celery worker and beat, each from the same image with its own command,
   against a Redis server this script starts on a free port and an SMTP sink it listens with;
3. each container's own HEALTHCHECK (podman healthcheck run) must pass: /healthz for web, a
   ping to its own node for the worker, the liveness file for beat;
4. through the API: register, confirm the address with the code the emailed link carries (weekly
   emails wait for it), push a diary with the sync endpoint, and wait until the worker has
   recomputed the insights (GET /api/v1/insights/ shows computed_at);
5. beat sends this week's summary task on a schedule stored in the database, the worker
   renders it and sends it over SMTP: the sink receives the weekly email.

Everything it started is stopped and removed at the end, pass or fail; on failure the
containers' logs are printed. Exit 0 passed, 1 failed; deploy/image_test.sh skips (exit 0,
with its reason) where podman cannot run.
"""

from __future__ import annotations

import contextlib
import email
import email.header
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("TWITCHLOG_IMAGE_CACHE", "/var/tmp/twitchlog-image"))
IMAGE = os.environ.get("IMAGE_TAG", "localhost/twitchlog:image-test")
PG_ADMIN_URL = os.environ.get("IMAGE_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("IMAGE_TEST_DB", "twitchlog_image")
PODMAN = ["podman", "--runtime", "runc"]
RUN_ID = f"twl-image-{os.getpid()}"


def log(message: str) -> None:
    print(f"[image-test {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, check=True, text=True, **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- Build ---------------------------------------------------------------------------------


def base_image() -> str:
    output = run(["bash", str(ROOT / "deploy" / "build_base_image.sh")], capture_output=True).stdout
    return output.strip().splitlines()[-1]


def pip_environment() -> list[str]:
    """The host's pip settings that reach an index, handed to pip in a container as they are
    (read from the environment, never written in the repository)."""
    options = []
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST", "PIP_DEFAULT_TIMEOUT"):
        if os.environ.get(name):
            options += ["-e", f"{name}={os.environ[name]}"]
    return options


def wheelhouse(base: str) -> Path:
    """Wheels for requirements.txt built by the base image's own Python (its markers, say
    python_full_version, decide which dependencies apply), cached while requirements.txt
    stays the same."""
    wheels = CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    requirements = (ROOT / "requirements.txt").read_bytes()
    stamp = wheels / ".requirements.txt"
    if stamp.exists() and stamp.read_bytes() == requirements:
        return wheels
    log("building wheels for requirements.txt in the base image (cached after the first run)")
    mounts = ["-v", f"{wheels}:/wheels", "-v", f"{ROOT / 'requirements.txt'}:/tmp/requirements.txt:ro"]
    host_ca = Path("/etc/ssl/certs/ca-certificates.crt")
    if host_ca.exists():  # a host whose index is reached through its own certificate authority
        mounts += ["-v", f"{host_ca}:/etc/ssl/host-ca.crt:ro", "-e", "PIP_CERT=/etc/ssl/host-ca.crt"]
    run(
        [
            *PODMAN,
            "run",
            "--rm",
            "--network",
            "host",
            *mounts,
            *pip_environment(),
            "-e",
            "PIP_DISABLE_PIP_VERSION_CHECK=1",
            base,
            "sh",
            "-c",
            "python3 -m venv /tmp/venv && /tmp/venv/bin/pip wheel -q --find-links /wheels -w /wheels "
            "-r /tmp/requirements.txt",
        ]
    )
    stamp.write_bytes(requirements)
    return wheels


def build_image(base: str, wheels: Path) -> None:
    house = ROOT / "deploy" / "wheelhouse"
    for old in house.glob("*.whl"):
        old.unlink()
    for wheel in wheels.glob("*.whl"):
        target = house / wheel.name
        try:
            os.link(wheel, target)
        except OSError:  # another filesystem
            shutil.copy2(wheel, target)
    log(f"podman build (base {base}, wheels offline)")
    started = time.monotonic()
    try:
        run(
            [
                *PODMAN,
                "build",
                "--format",
                "docker",  # the OCI format has no HEALTHCHECK
                "--network",
                "host",
                "--build-arg",
                f"BASE_IMAGE={base}",
                "--build-arg",
                "PIP_NO_INDEX=1",
                "-t",
                IMAGE,
                str(ROOT),
            ],
            stdout=subprocess.DEVNULL if os.environ.get("IMAGE_TEST_QUIET_BUILD", "1") == "1" else None,
        )
    finally:
        for wheel in house.glob("*.whl"):
            wheel.unlink()
    log(f"image {IMAGE} built in {time.monotonic() - started:.0f} s")


# --- Services the containers use -------------------------------------------------------------


def fresh_database() -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgres://") + "/" + DATABASE


def drop_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


@contextlib.contextmanager
def redis_server() -> Iterator[int]:
    """A Redis of this run's own, on a free port, keeping nothing on disk."""
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="twl-image-redis-")
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


class SmtpSink:
    """An SMTP server on loopback that keeps every message it receives (aiosmtpd)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.Message] = []
        self.port = free_port()
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


# --- Containers ------------------------------------------------------------------------------


class Containers:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.names: list[str] = []

    def _env_options(self, extra: dict[str, str] | None = None) -> list[str]:
        options = []
        for key, value in {**self.env, **(extra or {})}.items():
            options += ["-e", f"{key}={value}"]
        return options

    def one_off(self, *command: str, extra: dict[str, str] | None = None) -> str:
        result = run(
            [*PODMAN, "run", "--rm", "--network", "host", *self._env_options(extra), IMAGE, *command],
            capture_output=True,
        )
        return result.stdout

    def start(self, role: str, extra: dict[str, str] | None = None) -> str:
        name = f"{RUN_ID}-{role}"
        run(
            [
                *PODMAN,
                "run",
                "-d",
                "--name",
                name,
                "--hostname",
                name,
                "--network",
                "host",
                *self._env_options(extra),
                IMAGE,
                role,
            ],
            stdout=subprocess.DEVNULL,
        )
        self.names.append(name)
        return name

    def healthy(self, name: str, within: float) -> str:
        """Run the image's own HEALTHCHECK until it passes; its last output on failure."""
        deadline = time.monotonic() + within
        output = ""
        while time.monotonic() < deadline:
            result = subprocess.run([*PODMAN, "healthcheck", "run", name], capture_output=True, text=True)
            if result.returncode == 0:
                return "healthy"
            output = (result.stdout + result.stderr).strip()
            if not self.running(name):
                raise AssertionError(f"{name} stopped: {output}")
            time.sleep(2)
        raise AssertionError(f"{name} not healthy within {within:.0f} s: {output}")

    def running(self, name: str) -> bool:
        result = subprocess.run([*PODMAN, "inspect", "-f", "{{.State.Running}}", name], capture_output=True, text=True)
        return result.stdout.strip() == "true"

    def user(self, name: str) -> str:
        return run([*PODMAN, "exec", name, "id", "-un"], capture_output=True).stdout.strip()

    def print_logs(self) -> None:
        for name in self.names:
            result = subprocess.run([*PODMAN, "logs", "--tail", "40", name], capture_output=True, text=True)
            print(f"----- {name} (last 40 lines) -----\n{result.stdout}{result.stderr}", flush=True)

    def remove(self) -> None:
        for name in self.names:
            subprocess.run([*PODMAN, "rm", "-f", "-t", "10", name], capture_output=True)


# --- The API, as a phone uses it -------------------------------------------------------------


class Api:
    def __init__(self, port: int) -> None:
        self.port = port
        self.token = ""

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json", "Host": "localhost"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        return response.status, json.loads(raw) if raw and raw[:1] in b"{[" else raw


def diary_push(days: int) -> dict[str, Any]:
    """A fortnight of episodes and coffee, as WatermelonDB pushes them (times in ms)."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    episodes, coffee = [], []
    for day in range(1, days + 1):
        at = now - timedelta(days=day, hours=2)
        ms = int(at.timestamp() * 1000)
        coffee.append(
            {"id": f"c{day}", "consumed_at": ms - 3_600_000, "drink": "brewed_coffee", "servings": 1 + day % 3}
        )
        for n in range(day % 3):
            episodes.append(
                {
                    "id": f"e{day}x{n}",
                    "started_at": ms + n * 600_000,
                    "duration_s": 20,
                    "body_sites": json.dumps(["left_index"]),
                    "character": "twitch",
                    "intensity": 3,
                    "context": "at_rest",
                    "symptoms": "[]",
                    "notes": "",
                }
            )
    return {
        "episodes": {"created": episodes, "updated": [], "deleted": []},
        "caffeine_intakes": {"created": coffee, "updated": [], "deleted": []},
    }


def wait_for(what: str, within: float, probe: Any) -> Any:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"{what}: not within {within:.0f} s")


# Run inside a one-off container (manage.py shell): this week's summary row for the user, and a
# one-off beat schedule that sends it every 5 s until it ran once.
SCHEDULE_SUMMARY = """
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from accounts.models import User
from insights.summaries.models import WeeklySummary
from insights.summaries.weeks import local_now
import json, datetime
user = User.objects.get(email={email!r})
today = local_now(datetime.datetime.now(datetime.UTC), user.timezone).date()
week_start = today - datetime.timedelta(days=today.weekday() + 7)
summary = WeeklySummary.objects.create(user=user, week_start=week_start)
every, _ = IntervalSchedule.objects.get_or_create(every=5, period=IntervalSchedule.SECONDS)
PeriodicTask.objects.create(
    name="image-test weekly summary", task="email.send_weekly_summary", interval=every,
    args=json.dumps([summary.pk]), one_off=True,
)
print(summary.pk)
"""


def exercise(port: int, containers: Containers, sink: SmtpSink) -> None:
    api = Api(port)
    address = f"image-test-{secrets.token_hex(4)}@example.org"
    status, body = api.request(
        "POST",
        "/api/v1/auth/register/",
        {"email": address, "password": "image-test-passphrase-7", "timezone": "UTC", "device_name": "image test"},
    )
    assert status == 201, (status, body)
    api.token = body["token"]
    log(f"registered {address} through the API")

    # Weekly emails wait for a confirmed address: confirm it with the code the emailed link carries.
    def confirmation() -> Any:
        return next((m for m in _mail_to(sink, address) if "Confirm your email" in _subject(m)), None)

    letter = wait_for("the confirmation email (web -> SMTP)", 60, confirmation)
    code = re.search(r"confirm-email\?token=(\S+)", _body(letter))
    assert code, "the confirmation email carries no link"
    status, body = api.request("POST", "/api/v1/auth/email/confirm/", {"token": code.group(1)})
    assert status == 200, (status, body)
    log("confirmed the address with the code from the emailed link")

    push = diary_push(days=14)
    status, body = api.request("POST", "/api/v1/sync/", push)
    assert status == 200, (status, body)
    records = sum(len(table["created"]) for table in push.values())
    log(f"pushed {records} records through /api/v1/sync/")

    def recomputed() -> Any:
        status, body = api.request("GET", "/api/v1/insights/")
        assert status == 200, (status, body)
        return body if body.get("computed_at") and body.get("up_to_date") else None

    insights = wait_for("the worker's recompute (insights computed_at)", 90, recomputed)
    log(f"the worker recomputed the insights at {insights['computed_at']}: {insights['status']!r}")

    summary_id = containers.one_off(
        "python", "manage.py", "shell", "-v", "0", "-c", SCHEDULE_SUMMARY.format(email=address)
    )
    log(f"weekly summary {summary_id.strip()} scheduled in the database for beat")

    def delivered() -> Any:
        return [m for m in _mail_to(sink, address) if _subject(m).startswith("Your Twitchlog week")]

    messages = wait_for("the weekly email (beat -> worker -> SMTP)", 90, delivered)
    log(f"the weekly email arrived over SMTP: {_subject(messages[0])!r}")


def _mail_to(sink: SmtpSink, address: str) -> list[email.message.Message]:
    with sink.lock:
        return [m for m in sink.messages if address in str(m.get("To", ""))]


def _subject(message: email.message.Message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


def _body(message: email.message.Message) -> str:
    part = next((p for p in message.walk() if p.get_content_type() == "text/plain"), message)
    payload = part.get_payload(decode=True)
    return payload.decode(part.get_content_charset() or "utf-8") if isinstance(payload, bytes) else str(payload)


def main() -> int:
    started = time.monotonic()
    base = base_image()
    probe = subprocess.run([*PODMAN, "run", "--rm", "--network", "host", base, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["no message"])[-1]
        print(f"image-test SKIPPED: podman cannot run a container here: {reason}")
        return 0
    build_image(base, wheelhouse(base))

    database_url = fresh_database()
    web_port = free_port()
    with redis_server() as redis_port, SmtpSink() as sink:
        env = {
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
            "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
            # Plain HTTP on loopback: no TLS proxy in front here.
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "PUBLIC_BASE_URL": f"http://localhost:{web_port}",
            "PORT": str(web_port),
            "GUNICORN_WORKERS": "2",
            "CELERY_CONCURRENCY": "1",
        }
        containers = Containers(env)
        try:
            log("migrations (one-off container)")
            containers.one_off("migrate")
            web = containers.start("web")
            worker = containers.start("worker")
            beat = containers.start("beat")
            for name in (web, worker, beat):
                log(
                    f"{name}: {containers.healthy(name, within=120)} (its HEALTHCHECK), runs as {containers.user(name)}"
                )
            status, _ = Api(web_port).request("GET", "/admin/login/")
            assert status == 200, f"the admin login answered {status}: are the static files collected?"
            status, _ = Api(web_port).request("GET", "/static/admin/css/base.css")
            assert status == 200, f"a collected static file answered {status}"
            log("the admin login page and its static files answer 200")
            exercise(web_port, containers, sink)
        except (AssertionError, subprocess.CalledProcessError) as exc:
            containers.print_logs()
            if isinstance(exc, subprocess.CalledProcessError) and exc.stderr:
                print(exc.stderr, file=sys.stderr)
            log(f"FAILED: {exc}")
            return 1
        finally:
            containers.remove()
            drop_database()
    log(f"passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
