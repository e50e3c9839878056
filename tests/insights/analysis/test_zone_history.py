"""The zone in force at a moment, when the profile's zone has changed over time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from insights.analysis.zone_history import ZoneHistory

MOVED = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
HISTORY = ZoneHistory([(None, "Europe/London"), (MOVED, "Asia/Tokyo")])


@pytest.mark.parametrize(
    ("moment", "offset"),
    [
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), 60),  # London in summer
        (datetime(2026, 11, 2, 6, 59, tzinfo=UTC), 0),  # London in winter, a minute before the move
        (MOVED, 540),  # the change holds from its moment on
        (datetime(2027, 3, 1, tzinfo=UTC), 540),
    ],
)
def test_a_moment_takes_the_offset_of_the_zone_in_force_then(moment, offset):
    assert HISTORY.offset_at(moment) == offset


def test_a_records_own_offset_wins_over_the_history():
    assert HISTORY.offset_or_history(-300, datetime(2026, 7, 1, tzinfo=UTC)) == -300
    assert HISTORY.offset_or_history(None, datetime(2026, 7, 1, tzinfo=UTC)) == 60


def test_a_history_of_one_zone_is_that_zone_at_every_moment():
    only = ZoneHistory([(None, "America/New_York")])

    assert only.offset_at(datetime(1990, 1, 1, tzinfo=UTC)) == -300
    assert only.offset_at(datetime(2026, 7, 1, tzinfo=UTC)) == -240


def test_a_history_needs_a_zone():
    with pytest.raises(ValueError, match="at least"):
        ZoneHistory([])
