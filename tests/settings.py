"""The settings pytest loads (pyproject.toml): the project's own, as DJANGO_ENV=test selects them.

A bare ``pytest`` on the embedded default sets nothing, so without this the suite would run as
DJANGO_ENV=development (Argon2, the browsable API) while CI runs as test. Defaulting it here gives
every run the same test settings, the fast password hasher among them; an explicit DJANGO_ENV wins.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_ENV", "test")

from config.settings import *  # noqa: F403

# Uploaded Apple Health exports that a test queues but never imports (the schema fuzz) land in a
# temporary folder of the run, not in the project's var/.
HEALTH_IMPORT_DIR = tempfile.mkdtemp(prefix="twl-test-health-imports-")
