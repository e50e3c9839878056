"""The one way the in-process benchmarks time a call: the median of several runs after a warm-up."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(call: Callable[[], object], runs: int) -> float:
    """The median wall time of ``call`` over ``runs`` runs, after one untimed warm-up run.

    The median, not the mean, so one run slowed by another process on the machine does not move it.
    """
    call()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)
