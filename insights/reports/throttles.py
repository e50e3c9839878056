"""The per-user limit on building reports, apart from the API's general limit.

A 90-day PDF takes a noticeable fraction of a second of a web process and a longer one a worker's
time, so building them has its own, much lower, rate per account (THROTTLE_REPORT_BUILD).
"""

from __future__ import annotations

from config.rate_throttles import UserRateThrottle


class ReportBuildThrottle(UserRateThrottle):
    scope = "report_build"
