"""How long the tremor analysis of one 60-s recording takes, beside the bare spectrum it is built on.

For a 60-s three-axis recording at 100 Hz and at 500 Hz it times ``analyse_recording`` (validation,
gravity and drift removal on three axes, the Welch spectrum, the peak and its measures) and, as the
baseline in the same run, a bare ``scipy.signal.welch`` call on one axis of the same data with the same
segment length. It prints the median of several runs of each (``time.perf_counter``) and their ratio,
which is what the analysis costs on top of the one step it cannot do without.

Run from the repository root: ``.venv/bin/python bench/tremor.py`` (or ``make bench-tremor``).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Make the repository importable when the script is run as a file from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from _quick import quick
from _timing import median_seconds
from scipy import signal

from insights.analysis.tremor import WELCH_SEGMENT_S, analyse_recording

DURATION_S = 60.0
SAMPLE_RATES_HZ = (100.0, 500.0)
RUNS = quick(25, 3)
SEED = 2024


def synthetic_recording(rate: float, rng: np.random.Generator) -> np.ndarray:
    """A 5-Hz tremor on noise with gravity on z, as three rows x, y, z."""
    t = np.arange(round(DURATION_S * rate)) / rate
    axes = 0.3 * rng.standard_normal((3, t.size))
    axes[0] += np.sin(2 * np.pi * 5.0 * t)
    axes[2] += 9.81
    return axes


def main() -> None:
    rng = np.random.default_rng(SEED)
    print(f"Tremor analysis of a {DURATION_S:g}-s recording, median of {RUNS} runs")
    print(f"{'rate':>8} {'samples':>8} {'analysis ms':>12} {'welch ms':>10} {'ratio':>7}")
    for rate in SAMPLE_RATES_HZ:
        x, y, z = synthetic_recording(rate, rng)
        segment = round(WELCH_SEGMENT_S * rate)
        analysis = median_seconds(lambda rate=rate, x=x, y=y, z=z: analyse_recording(rate, x, y, z), RUNS)
        baseline = median_seconds(
            lambda rate=rate, x=x, segment=segment: signal.welch(x, fs=rate, nperseg=segment), RUNS
        )
        print(f"{rate:>6g}Hz {x.size:>8} {analysis * 1e3:>12.2f} {baseline * 1e3:>10.2f} {analysis / baseline:>6.1f}x")


if __name__ == "__main__":
    main()
