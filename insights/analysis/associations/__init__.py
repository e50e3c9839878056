"""Associations between a person's logged triggers and their episodes, with honest uncertainty.

``analyse_associations(diary)`` is the entry point (``engine``); the modules, along the method:

- ``exposures``: the triggers, their lags and the design matrix (``Design``, ``Contrast``);
- ``model``: the negative-binomial model of the daily counts (``fit_model``);
- ``max_contrast``: the score test of "no link" over every shape of a trigger (``contrast_test``);
- ``adjustment``: which other triggers each test allows for, and how (``adjustment_for``);
- ``inhaler``: episodes in the hours after an inhaler dose against other waking hours;
- ``results``: the result types and their words (``AssociationResult``, ``word_result``).

The names other code imports are re-exported here, so ``from insights.analysis.associations
import X`` is the one import path.
"""

from insights.analysis.associations.adjustment import ADJUST_MIN_Z, adjustment_for, rank_correlation
from insights.analysis.associations.engine import (
    METHOD_SUMMARY,
    NEEDED_EPISODE_DAYS,
    NEEDED_LOGGED_DAYS,
    analyse_associations,
    correct_for_multiple_tests,
    data_sufficiency,
)
from insights.analysis.associations.exposures import STEP_CUTS, Design, centred_rank
from insights.analysis.associations.inhaler import InhalerWindowCounts, inhaler_window_counts
from insights.analysis.associations.max_contrast import column_test, max_contrast_p
from insights.analysis.associations.model import fit_model
from insights.analysis.associations.results import (
    ALPHA,
    NOT_PROOF,
    AssociationReport,
    AssociationResult,
    DataSufficiency,
    PendingResult,
    more_days_for_a_doubling,
    step_words,
)

__all__ = [
    "ADJUST_MIN_Z",
    "ALPHA",
    "METHOD_SUMMARY",
    "NEEDED_EPISODE_DAYS",
    "NEEDED_LOGGED_DAYS",
    "NOT_PROOF",
    "STEP_CUTS",
    "AssociationReport",
    "AssociationResult",
    "DataSufficiency",
    "Design",
    "InhalerWindowCounts",
    "PendingResult",
    "adjustment_for",
    "analyse_associations",
    "centred_rank",
    "column_test",
    "correct_for_multiple_tests",
    "data_sufficiency",
    "fit_model",
    "inhaler_window_counts",
    "max_contrast_p",
    "more_days_for_a_doubling",
    "rank_correlation",
    "step_words",
]
