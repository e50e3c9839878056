"""The span every diary time is held to: REST, sync and health-store imports alike.

No Django here: diary/health/samples.py reads these, and the analysis loads that module
(tests/test_layers.py holds the analysis free of the web framework).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

# No diary entry is older than this: nobody alive logged a twitch before 1900, and dates near
# year 1 overflow the date arithmetic of every day-by-day reader (reports, the email, insights).
EARLIEST_DAY = date(1900, 1, 1)
EARLIEST = datetime(EARLIEST_DAY.year, EARLIEST_DAY.month, EARLIEST_DAY.day, tzinfo=UTC)
# How far ahead of the server's clock a time may be: a phone's clock runs a little fast.
FUTURE_TOLERANCE = timedelta(minutes=10)
