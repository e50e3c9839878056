"""The report's one sentence on which figures came from the phone's health store.

Records imported from Apple Health or Health Connect carry client ids starting "hs-"
(diary.health.derive); the diary the report reads already holds only the records that count
(insights.analysis.counted_once: an entry the person logged wins over an imported one).
"""

from __future__ import annotations

from insights import wording
from insights.analysis.counted_once import IMPORTED_PREFIX
from insights.analysis.records import Diary


def device_sources_sentence(diary: Diary) -> str:
    """E.g. "From the phone's health store (Apple Health or Health Connect), not typed into the diary:
    212 of 240 nights of sleep and 40 of 52 workouts." Empty when nothing was imported."""
    parts = []
    for records, one, many in (
        (diary.sleep, "night of sleep", "nights of sleep"),
        (diary.caffeine, "caffeine entry", "caffeine entries"),
        (diary.exercise, "workout", "workouts"),
    ):
        imported = sum(1 for r in records if r.id.startswith(IMPORTED_PREFIX))
        if imported:
            parts.append(f"{imported} of {wording.plural(len(records), one, many)}")
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return (
        "From the phone's health store (Apple Health or Health Connect), recorded by a watch or another app "
        f"rather than typed into the diary: {listed}. Where the person also logged the same night, drink or "
        "workout by hand, their own entry is the one counted."
    )
