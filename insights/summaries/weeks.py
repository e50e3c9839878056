"""Pure date maths for weekly summaries: which local week a send covers and who is due now.

A summary goes out on Monday from 08:00 in the user's own IANA timezone and covers the local
Monday-Sunday that has just ended. The whole rest of Monday counts as due, so a user whose
08:00 was missed (beat or worker down) still gets that week's summary later the same day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

SEND_WEEKDAY = 0  # Monday
SEND_HOUR = 8


@dataclass(frozen=True)
class Week:
    """A local Monday-Sunday, both ends included."""

    start: date

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    def previous(self, weeks: int = 1) -> Week:
        return Week(self.start - timedelta(weeks=weeks))

    def days(self) -> tuple[date, ...]:
        return tuple(self.start + timedelta(days=offset) for offset in range(7))

    def label(self) -> str:
        """E.g. "2-8 June 2025", "30 June-6 July 2025" or "29 December 2025-4 January 2026"."""
        first, last = self.start, self.end
        if first.year != last.year:
            return f"{first.day} {first:%B %Y}\u2013{last.day} {last:%B %Y}"
        if first.month != last.month:
            return f"{first.day} {first:%B}\u2013{last.day} {last:%B %Y}"
        return f"{first.day}\u2013{last.day} {last:%B %Y}"


def local_now(now: datetime, timezone: str) -> datetime:
    return now.astimezone(ZoneInfo(timezone))


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_to_send(now: datetime, timezone: str) -> Week:
    """The week the summary of the current local week's Monday covers: the one before it.

    This is what the preview shows at any time, and what the Monday send covers.
    """
    return Week(monday_of(local_now(now, timezone).date()) - timedelta(days=7))


def is_due(now: datetime, timezone: str) -> bool:
    """Whether it is Monday at or after 08:00 in ``timezone``."""
    local = local_now(now, timezone)
    return local.weekday() == SEND_WEEKDAY and local.hour >= SEND_HOUR


def due_weeks_by_timezone(now: datetime, timezones: list[str]) -> dict[Week, list[str]]:
    """Group the timezones where a summary is due at ``now`` by the week it covers.

    Monday mornings in zones a day apart are still the same calendar Monday, so in practice
    there is one group; grouping keeps that an outcome rather than an assumption.
    """
    groups: dict[Week, list[str]] = {}
    for timezone in timezones:
        if is_due(now, timezone):
            groups.setdefault(week_to_send(now, timezone), []).append(timezone)
    return groups
