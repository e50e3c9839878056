"""Production settings refuse DEBUG and serve the admin's static files (issue 23, finding 9)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.config.production_env import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180, check=False
    )


SETUP = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup()\n"


def test_production_refuses_to_start_with_debug_on():
    result = _run(SETUP, {**PRODUCTION_ENV, "DJANGO_DEBUG": "true"})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_DEBUG must not be true with DJANGO_ENV=production" in result.stderr


@pytest.mark.slow
def test_production_starts_with_debug_off():
    result = _run(
        SETUP + "from django.conf import settings; print(settings.DEBUG)\n", {**PRODUCTION_ENV, "DJANGO_DEBUG": "false"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.slow
def test_the_admin_and_its_css_are_served_in_production_after_collectstatic(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "STATIC_ROOT": str(tmp_path / "static"),
        # The admin login's throttle counts in the cache: this suite's own Redis, not the deployment's.
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "DATABASE_URL": os.environ.get("DATABASE_URL", PRODUCTION_ENV["DATABASE_URL"]),
    }
    collected = subprocess.run(
        # The API docs' bundles (the largest files, slow to compress) are left out: the admin's are the point.
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0", "-i", "drf_spectacular_sidecar"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert collected.returncode == 0, collected.stderr
    code = SETUP + (
        "import re\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='api.example.org')\n"
        "page = client.get('/admin/login/', secure=True)\n"
        "print(page.status_code)\n"
        "css = re.search(r'/static/admin/css/base\\.[0-9a-f]+\\.css', page.content.decode()).group(0)\n"
        "served = client.get(css, secure=True)\n"
        "body = b''.join(served.streaming_content).decode()\n"
        "print(served.status_code, served['Content-Type'], '{' in body)\n"
    )
    result = _run(code, env)

    assert result.returncode == 0, result.stderr
    page_status, css_line = result.stdout.strip().splitlines()
    assert page_status == "200"
    assert css_line.startswith("200 text/css") and css_line.endswith("True")
