"""The fixed today of the pure analysis tests; their records come from tests/builders.py."""

from __future__ import annotations

from datetime import date, timedelta

TODAY = date(2025, 6, 30)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)
