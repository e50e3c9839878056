"""Reads for the insights: a user's whole diary as the analysis's plain records, and stored results."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar, cast

from django.db.models import F, Q, QuerySet

from accounts.models import User
from accounts.selectors import timezone_periods
from accounts.timezones import local_today
from diary import models as diary_models
from diary.models import MAX_UTC_OFFSET_MIN, MIN_UTC_OFFSET_MIN
from insights.analysis.counted_once import manual_wins
from insights.analysis.knowledge import severity_rank
from insights.analysis.records import (
    CaffeineRecord,
    CheckinRecord,
    Diary,
    DoseRecord,
    EpisodeRecord,
    ExerciseRecord,
    LabRecord,
    MedicationRecord,
    SleepRecord,
    StressRecord,
    TremorRecord,
)
from insights.analysis.zone_history import ZoneHistory
from insights.models import Flag, FlagStatus, InsightState

_Record = TypeVar("_Record", bound=diary_models.DiaryRecord)


def _live(model: type[_Record], user: User) -> QuerySet[_Record]:
    # The stubs type the manager of a model passed as a type variable as DiaryRecord's.
    return cast("QuerySet[_Record]", model.objects.live().filter(user=user).order_by(model.time_field, "pk"))


def checkin_rows(
    *, user: User, start: datetime | None = None, end: datetime | None = None
) -> QuerySet[diary_models.DayCheckin]:
    """The user's live check-ins, by day. A check-in's day is already the person's local date, so
    a range of instants keeps the days it touches in any zone a phone can have (UTC-12 to +14)."""
    rows = diary_models.DayCheckin.objects.live().filter(user=user).order_by("day", "pk")
    if start is not None:
        rows = rows.filter(day__gte=(start.astimezone(UTC) - timedelta(minutes=-MIN_UTC_OFFSET_MIN)).date())
    if end is not None:
        rows = rows.filter(day__lt=(end.astimezone(UTC) + timedelta(minutes=MAX_UTC_OFFSET_MIN, days=1)).date())
    return rows


def diary_for_user(
    *, user: User, today: date | None = None, start: datetime | None = None, end: datetime | None = None
) -> Diary:
    """The user's diary as analysis records: one query per table, no model instances built.

    ``start``/``end`` bound the timed tables (a report's range); medications and labs are
    always read whole, since a medicine started before the range still matters in it.
    """

    def timed(model: type[_Record], *fields: str) -> QuerySet[_Record, tuple[Any, ...]]:
        rows = _live(model, user)
        if start is not None:
            rows = rows.filter(**{f"{model.time_field}__gte": start})
        if end is not None:
            rows = rows.filter(**{f"{model.time_field}__lt": end})
        return rows.values_list(*fields)

    # A record without the phone's own offset (an older app) is placed in the zone that was in
    # force when it happened: the profile's zone changes are never applied backwards.
    zones = ZoneHistory(timezone_periods(user=user))
    at_offset = zones.offset_or_history

    episodes = tuple(
        EpisodeRecord(cid, at, dur, tuple(sites), char, inten, ctx or None, tuple(symptoms), at_offset(off, at))
        for cid, at, dur, sites, char, inten, ctx, symptoms, off in timed(
            diary_models.Episode,
            "client_id",
            "started_at",
            "duration_s",
            "body_sites",
            "character",
            "intensity",
            "context",
            "symptoms",
            "utc_offset_min",
        )
    )
    caffeine = tuple(
        CaffeineRecord(cid, at, mg, at_offset(off, at))
        for cid, at, mg, off in timed(diary_models.CaffeineIntake, "client_id", "consumed_at", "mg", "utc_offset_min")
    )
    sleep = tuple(
        SleepRecord(cid, bed, woke, q, at_offset(off, woke), asleep_min=asleep)
        for cid, bed, woke, q, off, asleep in timed(
            diary_models.SleepLog, "client_id", "bed_at", "woke_at", "quality", "utc_offset_min", "asleep_min"
        )
    )
    stress = tuple(
        StressRecord(cid, at, level, at_offset(off, at))
        for cid, at, level, off in timed(diary_models.StressLog, "client_id", "recorded_at", "level", "utc_offset_min")
    )
    medications = tuple(
        MedicationRecord(cid, name, cls, started, stopped, as_needed, key or None)
        for cid, name, cls, started, stopped, as_needed, key in _live(diary_models.Medication, user).values_list(
            "client_id", "name", "drug_class", "started_on", "stopped_on", "as_needed", "catalogue_key"
        )
    )
    doses = tuple(
        DoseRecord(cid, med, at, amount, at_offset(off, at))
        for cid, med, at, amount, off in timed(
            diary_models.MedicationDose, "client_id", "medication__client_id", "taken_at", "amount", "utc_offset_min"
        )
    )
    exercise = tuple(
        ExerciseRecord(cid, at, minutes, inten, kind, at_offset(off, at))
        for cid, at, minutes, inten, kind, off in timed(
            diary_models.ExerciseSession,
            "client_id",
            "started_at",
            "duration_min",
            "intensity",
            "kind",
            "utc_offset_min",
        )
    )
    tremors = tuple(
        TremorRecord(cid, at, hand, posture, hz, bool(rhythmic), amplitude, description, at_offset(off, at))
        for cid, at, hand, posture, hz, rhythmic, amplitude, description, off in timed(
            diary_models.TremorRecording,
            "client_id",
            "recorded_at",
            "hand",
            "posture",
            "dominant_hz",
            "rhythmic",
            "amplitude",
            "description",
            "utc_offset_min",
        ).filter(analysed_at__isnull=False)
    )
    checkins = tuple(
        CheckinRecord(*row)
        for row in checkin_rows(user=user, start=start, end=end).values_list(
            "client_id", "day", "no_twitches", "kept_plan"
        )
    )
    labs = tuple(
        LabRecord(*row)
        for row in _live(diary_models.LabResult, user).values_list(
            "client_id", "taken_on", "analyte", "value", "unit", "reference_low", "reference_high"
        )
    )
    diary = Diary(
        timezone=user.timezone,
        today=today or local_today(user=user),
        birth_year=user.birth_year,
        episodes=episodes,
        caffeine=caffeine,
        sleep=sleep,
        stress=stress,
        medications=medications,
        doses=doses,
        exercise=exercise,
        labs=labs,
        tremors=tremors,
        checkins=checkins,
    )
    # Imported (Apple Health, Health Connect) and hand-logged records of the same thing count once.
    return manual_wins(diary)


def insight_state(*, user: User) -> InsightState | None:
    return InsightState.objects.filter(user=user).first()


def flag_list(*, user: User, include_inactive: bool = False) -> QuerySet[Flag]:
    flags = Flag.objects.filter(user=user)
    if not include_inactive:
        flags = flags.filter(active=True)
    return flags.order_by("-updated_at", "rule_id")


def open_flags(*, user: User) -> list[Flag]:
    """Active flags the user has not quietened, most severe first."""
    flags = list(Flag.objects.filter(user=user, active=True, status=FlagStatus.OPEN))
    return sorted(flags, key=lambda f: (-severity_rank(f.severity), f.rule_id))


def episode_notes(*, user: User, start: datetime, end: datetime) -> dict[str, str]:
    """The notes of the user's episodes that began from ``start`` to ``end`` (excluded), by client
    id; an episode without notes (null, as the app pushed it, or empty) is left out. The analysis
    records do not carry them."""
    rows = (
        diary_models.Episode.objects.filter(user=user, started_at__gte=start, started_at__lt=end)
        .live()
        .exclude(notes="")
        .values_list("client_id", "notes")
    )
    return {client_id: text for client_id, text in rows if text}


def medication_doses_said(*, user: User) -> dict[str, str]:
    """Each live medication's dose as the person wrote it, by client id (not in the analysis records)."""
    return dict(diary_models.Medication.objects.filter(user=user).live().values_list("client_id", "dose"))


def users_to_sweep(*, changed_since: datetime, chunk_size: int) -> Iterator[int]:
    """The ids of the users whose insights move with the calendar, in order, streamed from the
    database: a dirty state, a diary changed since ``changed_since``, or an active flag."""
    flagged = Flag.objects.filter(active=True).values("user_id")
    return (
        InsightState.objects.filter(Q(dirty=True) | Q(last_diary_change_at__gte=changed_since) | Q(user_id__in=flagged))
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .iterator(chunk_size=chunk_size)
    )


def tremor_recordings_to_analyse(*, user_id: int) -> list[int]:
    """The user's live tremor recordings never analysed, or changed since they were."""
    return list(
        diary_models.TremorRecording.objects.live()
        .filter(user_id=user_id)
        .filter(Q(analysed_at__isnull=True) | Q(analysed_at__lt=F("updated_at")))
        .values_list("pk", flat=True)
    )


def tremor_recording(*, pk: int) -> diary_models.TremorRecording | None:
    return diary_models.TremorRecording.objects.filter(pk=pk).first()
