"""Which time zone a moment belongs to, when the profile's zone has changed over time.

The profile's zone follows the phone, and each change holds from its moment on, never
backwards (accounts.TimezoneChange). A record that carries the phone's own UTC offset is placed
by it; one without (from an app too old to send it) is placed in the zone that was in force when
it happened. ``offset_at`` gives that zone's UTC offset at that moment, so every record reaches
the analysis with an offset and the day rules need no history of their own.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# (moment the zone came into force in UTC, or None for "from the beginning"; IANA zone name),
# oldest first; the last is the current zone.
ZonePeriod = tuple[datetime | None, str]


class ZoneHistory:
    """The zones of a profile over time, answering "which offset at this moment?" quickly."""

    def __init__(self, periods: Sequence[ZonePeriod]) -> None:
        if not periods:
            raise ValueError("a zone history needs at least the current zone")
        self._starts = [start or datetime.min.replace(tzinfo=UTC) for start, _ in periods]
        self._zones = [ZoneInfo(zone) for _, zone in periods]

    def zone_at(self, moment: datetime) -> ZoneInfo:
        """The zone in force at ``moment``: the last one that came into force at or before it."""
        return self._zones[max(bisect_right(self._starts, moment) - 1, 0)]

    def offset_at(self, moment: datetime) -> int:
        """The UTC offset in minutes that the zone in force at ``moment`` had then."""
        offset = moment.astimezone(self.zone_at(moment)).utcoffset()
        return int(offset.total_seconds() // 60) if offset is not None else 0

    def offset_or_history(self, offset: int | None, moment: datetime) -> int:
        """The record's own offset when it has one, else the one the history gives its moment."""
        return offset if offset is not None else self.offset_at(moment)
