"""Imported and hand-logged records of the same thing, counted once: the person's own entry wins.

Records imported from Apple Health or Health Connect carry client ids starting "hs-"
(diary.health.derive). Both kinds stay in the diary and are shown together; the analysis
sees only the winner where they describe the same thing:

- a night: an imported night is left out when a night logged by hand ends on the same local day;
- a drink: an imported intake is left out when one logged by hand is within an hour of it;
- a workout: an imported session is left out when it overlaps one logged by hand.

Pure: no Django; fed and returning insights.analysis.records values.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from diary.health.derive import IMPORTED_PREFIX
from insights.analysis.records import Diary

SAME_DRINK_WITHIN = timedelta(hours=1)


def _imported(client_id: str) -> bool:
    return client_id.startswith(IMPORTED_PREFIX)


def manual_wins(diary: Diary) -> Diary:
    """The diary with each imported record that a hand-logged one covers left out."""
    if not any(_imported(r.id) for group in (diary.sleep, diary.caffeine, diary.exercise) for r in group):
        return diary
    zone = ZoneInfo(diary.timezone)
    manual_nights = {r.woke_at.astimezone(zone).date() for r in diary.sleep if not _imported(r.id)}
    sleep = tuple(
        r for r in diary.sleep if not (_imported(r.id) and r.woke_at.astimezone(zone).date() in manual_nights)
    )
    drinks = sorted(r.consumed_at for r in diary.caffeine if not _imported(r.id))

    def near_a_manual_drink(moment: object) -> bool:
        i = bisect_left(drinks, moment - SAME_DRINK_WITHIN)  # type: ignore[operator]
        return i < len(drinks) and drinks[i] <= moment + SAME_DRINK_WITHIN  # type: ignore[operator]

    caffeine = tuple(r for r in diary.caffeine if not (_imported(r.id) and near_a_manual_drink(r.consumed_at)))
    sessions = [
        (r.started_at, r.started_at + timedelta(minutes=r.duration_min)) for r in diary.exercise if not _imported(r.id)
    ]
    exercise = tuple(
        r
        for r in diary.exercise
        if not (
            _imported(r.id)
            and any(
                start < r.started_at + timedelta(minutes=r.duration_min) and r.started_at < end
                for start, end in sessions
            )
        )
    )
    return replace(diary, sleep=sleep, caffeine=caffeine, exercise=exercise)
