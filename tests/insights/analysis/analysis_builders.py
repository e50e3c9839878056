"""Small builders of analysis records for the pure analysis tests, with readable defaults."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from insights.analysis.records import Diary, EpisodeRecord, MedicationRecord, TremorRecord

TODAY = date(2025, 6, 30)
TZ = "Europe/London"
_ids = itertools.count(1)


def at(day: date, hour: float = 12.0, tz: str = TZ) -> datetime:
    """The UTC instant of a local wall-clock time on ``day`` in ``tz``."""
    local = datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)) + timedelta(hours=hour)
    return local.astimezone(UTC)


def episode(
    day: date,
    sites: tuple[str, ...] = ("left_index",),
    character: str = "twitch",
    context: str | None = None,
    symptoms: tuple[str, ...] = (),
    hour: float = 12.0,
    tz: str = TZ,
) -> EpisodeRecord:
    return EpisodeRecord(
        id=f"ep{next(_ids)}",
        started_at=at(day, hour, tz),
        duration_s=20,
        body_sites=sites,
        character=character,
        intensity=4,
        context=context,
        symptoms=symptoms,
    )


def tremor(day: date, hand: str, posture: str, rhythmic: bool = True) -> TremorRecord:
    return TremorRecord(
        id=f"tr{next(_ids)}", recorded_at=at(day), hand=hand, posture=posture, dominant_hz=5.0, rhythmic=rhythmic
    )


def medication(
    drug_class: str,
    started_on: date | None,
    stopped_on: date | None = None,
    name: str = "Medicine",
    as_needed: bool = False,
) -> MedicationRecord:
    return MedicationRecord(
        id=f"med{next(_ids)}",
        name=name,
        drug_class=drug_class,
        started_on=started_on,
        stopped_on=stopped_on,
        as_needed=as_needed,
    )


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def diary(*episodes: EpisodeRecord, tz: str = TZ, today: date = TODAY, **fields: Any) -> Diary:
    return Diary(timezone=tz, today=today, episodes=tuple(episodes), **fields)
