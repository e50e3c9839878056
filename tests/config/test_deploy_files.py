"""The production image's files, read as they are: the Dockerfile, docker-compose.yml, the
gunicorn settings and the health check's role detection. `make image-test` builds and runs
the image for real (podman); these keep the files' promises where podman is absent."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APP_SERVICES = ("web", "worker", "beat")


def load_module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_installs_nothing_when_a_container_starts(compose):
    for name, service in compose["services"].items():
        command = service.get("command", [])
        text = " ".join(command) if isinstance(command, list) else command
        assert "pip install" not in text, name
        assert service.get("image") != "python:3.11-slim", name


def test_web_and_the_workers_run_the_built_image_after_the_migrations(compose):
    services = compose["services"]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    for name in APP_SERVICES:
        service = services[name]
        assert service["build"]["context"] == "."
        assert service["command"] == [name]
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert service["depends_on"]["postgres"] == {"condition": "service_healthy"}
        assert service["restart"] == "unless-stopped"


def test_postgres_and_redis_have_health_checks_and_mail_goes_to_mailpit(compose):
    services = compose["services"]
    assert services["postgres"]["healthcheck"]["test"][:4] == ["CMD", "pg_isready", "-h", "127.0.0.1"]
    assert "redis-cli" in services["redis"]["healthcheck"]["test"]
    assert services["web"]["environment"]["EMAIL_URL"] == "smtp://mailpit:1025"
    assert "mailpit" in services


def test_the_dockerfile_builds_a_non_root_image_with_static_files_and_a_health_check():
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^ARG BASE_IMAGE=python:3\.11-slim-bookworm$", text, re.MULTILINE)
    assert len(re.findall(r"^FROM \$\{BASE_IMAGE\}", text, re.MULTILINE)) == 2  # wheels, then the runtime
    assert "collectstatic --noinput" in text
    assert re.findall(r"^USER (\S+)$", text, re.MULTILINE)[-1] == "twitchlog"
    assert re.search(r"^HEALTHCHECK .*\n\s+CMD \[\"python\", \"/app/deploy/healthcheck.py\"\]", text, re.MULTILINE)
    assert 'ENTRYPOINT ["/app/deploy/entrypoint.sh"]' in text


def test_the_build_context_leaves_out_secrets_and_local_state():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", ".env.*", "var", "tests", "bench"} <= set(ignored)


def test_gunicorn_takes_its_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")
    monkeypatch.setenv("PORT", "9000")
    conf = load_module("gunicorn_conf_under_test", ROOT / "deploy" / "gunicorn.conf.py")

    assert (conf.workers, conf.threads, conf.timeout, conf.bind) == (5, 4, 45, "0.0.0.0:9000")
    assert conf.accesslog == "-"  # the access log on stdout


def test_a_malformed_gunicorn_setting_stops_the_start_with_its_name(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "three")
    with pytest.raises(SystemExit, match="GUNICORN_WORKERS"):
        load_module("gunicorn_conf_bad", ROOT / "deploy" / "gunicorn.conf.py")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["/opt/venv/bin/python", "/opt/venv/bin/gunicorn", "config.wsgi", "--config", "x"], "web"),
        (["/opt/venv/bin/python", "/opt/venv/bin/celery", "-A", "config", "worker", "--hostname", "w@h"], "worker"),
        (["/opt/venv/bin/python", "/opt/venv/bin/celery", "-A", "config", "beat", "--pidfile="], "beat"),
        (["python", "manage.py", "shell"], "other"),
    ],
)
def test_the_health_check_tells_the_role_from_the_command(argv, expected):
    healthcheck = load_module("healthcheck_under_test", ROOT / "deploy" / "healthcheck.py")
    assert healthcheck.role(argv) == expected
    sys.modules.pop("healthcheck_under_test", None)
