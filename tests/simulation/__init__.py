"""Validation of the association engine on diaries with a known truth (not part of the product).

``generator`` makes the diaries, ``oracle`` is the test that knows the truth, ``baseline_engine``
is the engine as it was before issue 14 (frozen, for comparison) and ``validation`` runs them side
by side. Nothing here imports the engine's cut points or lags: thresholds, shapes and lags are
drawn per user, so the engine cannot pass by agreeing with its own assumptions.
"""
