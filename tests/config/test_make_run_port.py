"""`make run PORT=N` prints and mails links on port N, not on the default 8000."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_hands_its_port_to_the_links_the_server_builds() -> None:
    make = shutil.which("make")
    assert make is not None
    plan = subprocess.run([make, "-n", "run", "PORT=8799"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    seed = next(line for line in plan.splitlines() if "seed_demo" in line)
    serve = next(line for line in plan.splitlines() if "runserver" in line)
    for line in (seed, serve):
        assert "PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://127.0.0.1:8799}" in line
    assert "--base-url ${PUBLIC_BASE_URL:-http://127.0.0.1:8799}" in seed
    assert "127.0.0.1:8000" not in plan


@pytest.mark.slow
def test_the_settings_build_share_and_email_links_from_public_base_url() -> None:
    env = {**os.environ, "PUBLIC_BASE_URL": "http://127.0.0.1:8799", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("APP_WEB_URL", None)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.PUBLIC_BASE_URL, settings.APP_WEB_URL)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["http://127.0.0.1:8799", "http://127.0.0.1:8799/open"]
