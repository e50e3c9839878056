"""Analyse a user's tremor recordings after they are stored, and describe them.

The analysis itself is pure (insights.analysis.tremor); this service finds the recordings
not yet analysed (new, or changed since their last analysis), stores the results under a
fresh sync-clock stamp so every device pulls them, and asks the insights to recompute,
since one-sided rest tremor (R8) and two-sided action tremor (R9) use them.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q

from accounts.models import User
from diary.models import TremorRecording
from diary.sync_clock import stamp_to_datetime, tick
from insights.analysis.tremor import analyse_recording, describe


def recordings_to_analyse(user_id: int) -> list[int]:
    return list(
        TremorRecording.objects.live()
        .filter(user_id=user_id)
        .filter(Q(analysed_at__isnull=True) | Q(analysed_at__lt=F("updated_at")))
        .values_list("pk", flat=True)
    )


def tremor_analyse_recordings(*, user_id: int) -> int:
    """Analyse what needs it; returns how many recordings were analysed. Safe to run twice:
    a recording analysed at its current version is skipped."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return 0
    analysed = 0
    for pk in recordings_to_analyse(user_id):
        recording = TremorRecording.objects.filter(pk=pk).first()
        if recording is None:
            continue
        samples = recording.samples
        result = analyse_recording(recording.sample_rate_hz, samples["x"], samples["y"], samples["z"])
        with transaction.atomic():
            stamp = stamp_to_datetime(tick(user))
            # Only the version that was analysed is updated: if the phone changed the
            # recording meanwhile, its newer version waits for the next run.
            updated = TremorRecording.objects.filter(pk=pk, updated_at=recording.updated_at).update(
                analysed_at=stamp,
                updated_at=stamp,
                dominant_hz=result.dominant_frequency_hz,
                power=result.peak_power,
                rhythmicity=result.rhythmicity,
                rhythmic=result.rhythmic,
                amplitude=result.amplitude_m_s2,
                description=describe(result, recording.hand, recording.posture)[:300],
            )
        analysed += updated
    return analysed
