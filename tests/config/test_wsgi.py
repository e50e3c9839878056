"""config.wsgi loads the whole project, URL conf and views included, before it freezes what it
loaded: a server process's collector then never walks those objects again."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings


def test_loading_the_wsgi_application_freezes_the_project_with_its_views():
    probe = (
        "import gc, json, sys; import config.wsgi; "
        "print(json.dumps({'frozen': gc.get_freeze_count(), 'tracked': len(gc.get_objects()), "
        "'views': 'diary.views' in sys.modules and 'insights.reports.views' in sys.modules}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
    )
    loaded = json.loads(found.stdout.strip().splitlines()[-1])

    assert loaded["views"]  # imported before the freeze, not at the first request
    assert loaded["frozen"] > 100_000
    assert loaded["tracked"] < 1_000  # nothing of the loading is left for the collector to walk
