"""Clinical figures the diary states itself, each defined once with its source.

The diary must not import the insights, so the figures it needs (the caffeine guide the
drink picker shows, the completion rate the demo diary is written with) live here, and the
insights import them from here rather than writing them again. docs/clinical.md explains
each figure and lists every place that uses it.
"""

from __future__ import annotations

# The usual upper guide of caffeine a day for healthy adults: information, never a doctor flag.
CAFFEINE_DAILY_GUIDE_MG = 400
# Adults need 7 hours of sleep or more a night; under 7 is information, tested per user.
ADULT_SLEEP_NEED_HOURS = 7
# Symptom diaries are completed on about 85% of days on average, and completion falls over time.
DIARY_COMPLETION_SHARE = 0.85

SOURCES: dict[str, str] = {
    "CAFFEINE_DAILY_GUIDE_MG": (
        "FDA, 'Spilling the Beans: How Much Caffeine is Too Much?'; Mayo Clinic, 'Caffeine: How much is too much?'"
    ),
    "ADULT_SLEEP_NEED_HOURS": (
        "Watson et al., 'Recommended amount of sleep for a healthy adult', J Clin Sleep Med 2015;11(6):591-592 "
        "(AASM/SRS consensus)"
    ),
    "DIARY_COMPLETION_SHARE": "Ono et al., JMIR 2019 (completion of electronic symptom diaries)",
}
