"""How long the physician report PDF takes for 30, 90 and 365 days of diary.

For each range it builds sample content (``tests.insights.reports.sample``, fixed seed), renders it
several times with ``render_report_pdf`` and prints the median seconds, the page count, the size
in bytes, and the marginal milliseconds per day against the previous range: the fixed cost (summary,
charts) dominates short ranges, so linear growth shows as a marginal cost that stays flat. The
content is built once per range and is not part of the timing: the report job gets it from the
selector, which has its own benchmark.

Run from the repository root: ``.venv/bin/python bench/report.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

# Make the repository importable when the script is run as a file from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django
import pypdf

# The report's experiment section reads Django models: the apps load first (no query is made).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from insights.reports.pdf import render_report_pdf  # noqa: E402
from tests.insights.reports.sample import sample_content  # noqa: E402

RANGES_DAYS = (30, 90, 365)
SEED = 7


def measure(days: int, runs: int) -> tuple[float, int, int, int]:
    """Median render seconds, pages, bytes and episodes for ``days`` days of sample content."""
    content = sample_content(days=days, seed=SEED)
    render_report_pdf(content)  # warm-up: imports, font metrics and glyph caches load on first use
    timings = []
    pdf = b""
    for _ in range(runs):
        started = time.perf_counter()
        pdf = render_report_pdf(content)
        timings.append(time.perf_counter() - started)
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return statistics.median(timings), pages, len(pdf), content.episode_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed renders per range (the median is printed)")
    parser.add_argument("--quick", action="store_true", help="one render of the two shortest ranges")
    args = parser.parse_args()
    ranges = RANGES_DAYS[:2] if args.quick else RANGES_DAYS
    if args.quick:
        args.runs = 1
    print(f"Physician report PDF, median of {args.runs} renders (sample content, seed {SEED})")
    print(f"{'days':>5} {'episodes':>9} {'seconds':>9} {'pages':>6} {'bytes':>9} {'ms/day':>8} {'marginal ms/day':>16}")
    previous: tuple[int, float] | None = None
    for days in ranges:
        seconds, pages, size, episodes = measure(days, args.runs)
        marginal = f"{1000 * (seconds - previous[1]) / (days - previous[0]):.2f}" if previous else "-"
        per_day = 1000 * seconds / days
        print(f"{days:>5} {episodes:>9} {seconds:>9.3f} {pages:>6} {size:>9} {per_day:>8.2f} {marginal:>16}")
        previous = (days, seconds)


if __name__ == "__main__":
    main()
