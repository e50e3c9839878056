"""Every clinical threshold of the flag rules, and the clinical figures the insights state, defined once.

Each constant has its source in ``SOURCES`` (a citation a doctor can look up) or, where the number
is our own choice, the reason for it. docs/clinical.md explains them in words and names the module
and constant for each, so a maintainer can find every reason the code points to. Wording that
states one of these numbers is built from the constant, never from a copy of it.

The figures the diary needs too (the caffeine guide, the hours of sleep adults need) live in
``diary.clinical_constants``, because the diary must not import the insights; they are re-exported
here so the insights have one place to import clinical figures from.
"""

from __future__ import annotations

from diary.clinical_constants import ADULT_SLEEP_NEED_HOURS, CAFFEINE_DAILY_GUIDE_MG, DIARY_COMPLETION_SHARE
from diary.clinical_constants import SOURCES as DIARY_SOURCES

__all__ = [
    "ADULT_SLEEP_NEED_HOURS",
    "CAFFEINE_DAILY_GUIDE_MG",
    "DIARY_COMPLETION_SHARE",
]

NHS_TWITCHING = "NHS, 'Twitching eyes and muscles' (nhs.uk/conditions/twitching-eyes-and-muscles, reviewed 2023-10-30)"
DSM_TD = "American Psychiatric Association, DSM-5-TR (2022), medication-induced movement disorders: tardive dyskinesia"
METOCLOPRAMIDE_LABEL = "Metoclopramide prescribing information, boxed warning (tardive dyskinesia; avoid over 12 weeks)"
AAN_2017 = "AAN 2017 abstract, Neurology 88(16 Suppl) S45.007"

# R1: twitching in one body region whose first and last episodes are more than this many days apart.
PERSISTENCE_DAYS = 14
# R2: this many distinct body regions or more.
MIN_REGIONS = 2
# R8, R9, R10, R16, R17, R18: "recurring" means at least this many episodes (or recordings).
RECURRING_EPISODES = 3
# R8: the rest tremor on one side shows on at least this many different days ...
REST_TREMOR_MIN_DAYS = 3
# ... and the other side shows it on fewer than this share of those days (a rest tremor of this
# kind starts on one side and stays asymmetric).
REST_TREMOR_OTHER_SIDE_MAX_SHARE = 0.5
# R10: at least this share of all the spasm/cramp episodes came while writing or typing. Cramps
# are common in the benign form, so 3 while writing among 30 while walking is no task-specific
# pattern; a pattern tied to one task must be the usual one.
TASK_SPECIFIC_MIN_SHARE = 0.5
# R16, R17: at least this share of the numbness/tingling episodes in that hand's fingers show the
# nerve's pattern; otherwise the pattern is a minority of what was logged and the flag stays quiet.
NERVE_PATTERN_MIN_SHARE = 0.5
# R19: numbness reaching a new area within this many days ("spreading over days"), unlike the
# months over which a neuropathy creeps.
NUMBNESS_SPREAD_DAYS = 14
# R20: speech trouble and face/arm weakness within this many hours of each other count as together.
SUDDEN_WINDOW_HOURS = 24
# R14 (DSM-5-TR): exposure of at least 3 months, 1 month from age 60; movements lasting at least
# 4 weeks; they may also start within 4 weeks of stopping the medicine.
TD_EXPOSURE_MONTHS = 3
TD_EXPOSURE_MONTHS_OLDER = 1
TD_OLDER_AGE = 60
TD_MIN_SPAN_DAYS = 28
TD_AFTER_STOP_DAYS = 28

# Associations (docs/clinical.md, "Statistics": the defaults the association engine starts from).
ASSOCIATION_MIN_LOGGED_DAYS = 50
ASSOCIATION_MIN_EPISODE_DAYS = 24
# A beta-2 agonist's tremor starts minutes to hours after a dose.
BETA2_TREMOR_WINDOW_HOURS = 4

SOURCES: dict[str, str] = {
    **DIARY_SOURCES,
    "PERSISTENCE_DAYS": f"{NHS_TWITCHING}: see a GP if twitching lasts more than 2 weeks",
    "MIN_REGIONS": f"{NHS_TWITCHING}: see a GP if you have a twitch in more than one place",
    "RECURRING_EPISODES": (
        "Our reading of 'recurring' in the flag table (docs/clinical.md: >= 3 episodes for R8-R10); "
        "one or two episodes of a pattern are common and say little"
    ),
    "REST_TREMOR_MIN_DAYS": "NHS, 'Parkinson's disease: symptoms' (tremor usually begins in one hand at rest)",
    "REST_TREMOR_OTHER_SIDE_MAX_SHARE": (
        "Our choice, from NHS 'Parkinson's disease: symptoms' (tremor usually begins on one side of the body)"
    ),
    "TASK_SPECIFIC_MIN_SHARE": (
        "Our choice: a task-specific pattern (Torres-Russotto & Perlmutter, Ann N Y Acad Sci 2008;1142:179-199) "
        "must be the usual one; cramps are common in the benign form (AAN 2017, Neurology 88(16 Suppl) S45.007)"
    ),
    "NERVE_PATTERN_MIN_SHARE": (
        "Our choice: a nerve's pattern (Mayo Clinic 'Carpal tunnel syndrome'; ASSH 'Cubital tunnel syndrome') "
        "must be the usual one among the numbness logged in that hand"
    ),
    "NUMBNESS_SPREAD_DAYS": "NHS, 'Multiple sclerosis: symptoms'; familydoctor.org, 'Multiple sclerosis'",
    "SUDDEN_WINDOW_HOURS": "Our choice for 'sudden' in a diary; FAST guidance: NHS, 'Stroke: symptoms'",
    "TD_EXPOSURE_MONTHS": DSM_TD,
    "TD_EXPOSURE_MONTHS_OLDER": DSM_TD,
    "TD_OLDER_AGE": DSM_TD,
    "TD_MIN_SPAN_DAYS": DSM_TD,
    "TD_AFTER_STOP_DAYS": DSM_TD,
    "ASSOCIATION_MIN_LOGGED_DAYS": (
        "Hecht & Zitzmann, Struct Equ Modeling 2020 (autoregressive estimates poor under 50 time points)"
    ),
    "ASSOCIATION_MIN_EPISODE_DAYS": (
        "About 24 events to detect a moderate association in one person's recurring events "
        "(a Stanford dissertation; no full reference in our notes, a rule of thumb)"
    ),
    "BETA2_TREMOR_WINDOW_HOURS": (
        "Morgan & Sethi, 'Drug-induced tremors', Lancet Neurol 2005;4(12):866-876 (onset minutes to hours after a dose)"
    ),
}
