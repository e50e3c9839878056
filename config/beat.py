"""Celery beat's scheduler: django-celery-beat's, keeping a liveness file fresh.

Beat is no worker, so nothing can ping it; instead every tick (at most every 5 s with the
database scheduler) touches BEAT_LIVENESS_FILE when that variable is set (the image sets
it), and the container's health check (deploy/healthcheck.py) reads the file's age. A beat
whose loop hangs stops touching it and turns unhealthy.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django_celery_beat.schedulers import DatabaseScheduler


class LivenessDatabaseScheduler(DatabaseScheduler):  # type: ignore[misc]  # untyped library class
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        path = os.environ.get("BEAT_LIVENESS_FILE", "")
        self.liveness_file = Path(path) if path else None

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = float(super().tick(*args, **kwargs))
        if self.liveness_file is not None:
            self.liveness_file.touch()
        return interval
