"""Analyse a user's tremor recordings after they are stored, and describe them.

The analysis itself is pure (insights.analysis.tremor); this service finds the recordings
not yet analysed (new, or changed since their last analysis), stores the results under a
fresh sync-clock stamp so every device pulls them, and asks the insights to recompute,
since one-sided rest tremor (R8) and two-sided action tremor (R9) use them.
"""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction

from accounts.selectors import user_get
from diary.models import TremorRecording
from diary.sync_clock import stamp_to_datetime, tick
from insights import selectors
from insights.analysis.tremor import RecordingError, TremorAnalysis, analyse_recording, describe


def _stored(value: float | None, high: float) -> float | None:
    """A measure as the database keeps it: a finite number within its constraint, or null.

    Validation keeps every sample within a phone's accelerometer range, so the measures are
    bounded; this is the analysis's own guarantee, since a non-finite number stored once made
    every read of the account (list, sync pull, JSON export) fail until the record was deleted.
    """
    if value is None or not math.isfinite(value) or not 0 <= value <= high:
        return None
    return value


def _measures(result: TremorAnalysis | None, hand: str, posture: str) -> dict[str, Any]:
    if result is None:
        empty = dict.fromkeys(("dominant_hz", "power", "rhythmicity", "rhythmic", "amplitude"))
        return {**empty, "description": "This recording could not be measured."}
    return {
        "dominant_hz": _stored(result.dominant_frequency_hz, TremorRecording.MAX_DOMINANT_HZ),
        "power": _stored(result.peak_power, TremorRecording.MAX_POWER),
        "rhythmicity": _stored(min(result.rhythmicity, 1.0), 1.0),
        "rhythmic": result.rhythmic,
        "amplitude": _stored(result.amplitude_m_s2, TremorRecording.MAX_AMPLITUDE),
        "description": describe(result, hand, posture)[:300],
    }


def tremor_analyse_recordings(*, user_id: int) -> int:
    """Analyse what needs it; returns how many recordings were analysed. Safe to run twice:
    a recording analysed at its current version is skipped."""
    user = user_get(user_id=user_id)
    if user is None:
        return 0
    analysed = 0
    for pk in selectors.tremor_recordings_to_analyse(user_id=user_id):
        recording = selectors.tremor_recording(pk=pk)
        if recording is None:
            continue
        samples = recording.samples
        try:
            result = analyse_recording(recording.sample_rate_hz, samples["x"], samples["y"], samples["z"])
        except RecordingError:
            # Stored before today's limits (samples beyond a phone's range): marked analysed with
            # no measures, so it is not tried again on every run and reads as "not measured".
            result = None
        with transaction.atomic():
            stamp = stamp_to_datetime(tick(user))
            # Only the version that was analysed is updated: if the phone changed the
            # recording meanwhile, its newer version waits for the next run.
            updated = TremorRecording.objects.filter(pk=pk, updated_at=recording.updated_at).update(
                analysed_at=stamp,
                updated_at=stamp,
                **_measures(result, recording.hand, recording.posture),
            )
        analysed += updated
    return analysed
