"""``--quick``: every bench's short mode, a few seconds of the same code paths at small sizes.

CI runs each bench this way (`make bench-quick`), so a bench that no longer runs fails CI.
Quick figures are printed, never asserted, and say nothing about the targets: the full runs
(`make bench-...`) measure those.
"""

from __future__ import annotations

import sys
from typing import TypeVar

T = TypeVar("T")

QUICK = "--quick" in sys.argv


def quick(full: T, short: T) -> T:
    """``short`` in quick mode, ``full`` otherwise."""
    return short if QUICK else full
