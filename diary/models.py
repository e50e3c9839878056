"""The diary tables. Every row belongs to one user and is syncable with WatermelonDB.

``client_id`` is the id the phone chose (WatermelonDB makes 16 random characters); it is
unique per (user, table) only, so one user's id can never reach another user's row.
``updated_at`` is the sync clock's stamp of the last change (see diary.sync_clock) and
``deleted_at`` marks a tombstone, which a pull hands back as a deletion.
"""

from __future__ import annotations

import sys
import uuid
from typing import TypeVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from diary.catalogues import episode_terms


def _choices(mapping: dict[str, str] | tuple[str, ...]) -> list[tuple[str, str]]:
    if isinstance(mapping, dict):
        return list(mapping.items())
    return [(value, value.replace("_", " ")) for value in mapping]


def unique_client_id(table: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["user", "client_id"], name=f"{table}_unique_client_id")


def finite_constraint(table: str, field: str) -> models.CheckConstraint:
    """A float column holds finite numbers only: the bounds of a double refuse Infinity and, in
    PostgreSQL, NaN (which sorts above every number). The input rules give the column's real range
    with a clear message first; this keeps a value no reader (JSON, a chart) can handle out."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__gte": -sys.float_info.max, f"{field}__lte": sys.float_info.max}),
        name=f"{table}_{field}_finite",
    )


def diary_indexes(table: str, time_field: str) -> list[models.Index]:
    """The indexes every diary table needs: by user and time for lists and the analysis,
    by user and update stamp for sync pulls."""
    return [
        models.Index(fields=["user", time_field], name=f"{table}_user_time"),
        models.Index(fields=["user", "updated_at"], name=f"{table}_user_updated"),
    ]


# The UTC offsets clocks use: from UTC-12:00 (Baker Island) to UTC+14:00 (Line Islands).
MIN_UTC_OFFSET_MIN, MAX_UTC_OFFSET_MIN = -720, 840


def utc_offset_field() -> models.SmallIntegerField:
    """The phone's UTC offset in minutes when the record was logged, so its local day is the
    person's day where they were. Null from an app too old to send it: the profile's zone in
    force at the record's time decides (accounts.TimezoneChange)."""
    return models.SmallIntegerField(null=True, blank=True)


def utc_offset_range(table: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(utc_offset_min__isnull=True)
        | Q(utc_offset_min__gte=MIN_UTC_OFFSET_MIN, utc_offset_min__lte=MAX_UTC_OFFSET_MIN),
        name=f"{table}_utc_offset_range",
    )


_Record = TypeVar("_Record", bound="DiaryRecord")


class DiaryRecordQuerySet(models.QuerySet[_Record]):
    def live(self) -> DiaryRecordQuerySet[_Record]:
        """The records that are not deleted: what every reader but a sync pull wants."""
        return self.filter(deleted_at__isnull=True)


class DiaryRecord(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = DiaryRecordQuerySet.as_manager()

    # The field that places the record in time: REST filters and the analysis use it.
    time_field: str = ""

    class Meta:
        abstract = True


class Episode(DiaryRecord):
    time_field = "started_at"

    started_at = models.DateTimeField()
    duration_s = models.PositiveIntegerField()
    body_sites = models.JSONField(default=list)
    character = models.CharField(max_length=32, choices=_choices(episode_terms.CHARACTERS))
    intensity = models.PositiveSmallIntegerField()
    context = models.CharField(max_length=32, choices=_choices(episode_terms.CONTEXTS), blank=True, default="")
    symptoms = models.JSONField(default=list)
    # Null when the patient wrote no note, "" when they wrote an empty one: the app's column is
    # optional and a sync round trip keeps either (docs/architecture.md, "Promises and targets").
    notes = models.TextField(null=True, blank=True, default="")  # noqa: DJ001
    utc_offset_min = utc_offset_field()

    class Meta:
        db_table = "diary_episode"
        constraints = [
            unique_client_id("episode"),
            utc_offset_range("episode"),
            models.CheckConstraint(condition=Q(intensity__gte=1, intensity__lte=10), name="episode_intensity_1_10"),
            models.CheckConstraint(
                condition=Q(duration_s__gte=0, duration_s__lte=3600), name="episode_duration_0_3600"
            ),
        ]
        indexes = diary_indexes("episode", "started_at")


class ImportedFrom(models.Model):
    """Where an imported record came from (Apple Health or Health Connect, see diary.health).

    Blank for what a person logged in the diary. Imported records carry client ids starting
    "hs-" (diary.health.derive), a namespace neither WatermelonDB's ids nor the server's own
    can produce, so every reader can tell them apart without these columns. Database defaults
    too: the COPY merge of a sync push writes only the client's columns.
    """

    # healthkit | health_connect
    import_platform = models.CharField(max_length=16, blank=True, default="", db_default="")
    import_source = models.CharField(max_length=255, blank=True, default="", db_default="")  # bundle id / package name
    import_sample_id = models.CharField(max_length=255, blank=True, default="", db_default="")  # the store's own id
    import_version = models.BigIntegerField(null=True, blank=True)
    # HealthKit HKWasUserEntered / Health Connect recordingMethod MANUAL_ENTRY; None when the store does not say.
    import_user_entered = models.BooleanField(null=True, blank=True)
    import_unit = models.CharField(max_length=16, blank=True, default="", db_default="")  # the unit the store used
    import_time_zone = models.CharField(max_length=64, blank=True, default="", db_default="")  # IANA name or offset

    class Meta:
        abstract = True


class CaffeineIntake(ImportedFrom, DiaryRecord):
    time_field = "consumed_at"

    consumed_at = models.DateTimeField()
    drink = models.CharField(max_length=32, blank=True, default="")
    servings = models.FloatField(default=1)
    mg = models.FloatField()
    utc_offset_min = utc_offset_field()

    class Meta:
        db_table = "diary_caffeine_intake"
        constraints = [
            unique_client_id("caffeine"),
            utc_offset_range("caffeine"),
            models.CheckConstraint(condition=Q(mg__gte=0, mg__lte=2000), name="caffeine_mg_0_2000"),
            models.CheckConstraint(condition=Q(servings__gt=0, servings__lte=20), name="caffeine_servings_0_20"),
        ]
        indexes = diary_indexes("caffeine", "consumed_at")


class SleepLog(ImportedFrom, DiaryRecord):
    time_field = "woke_at"

    bed_at = models.DateTimeField()
    woke_at = models.DateTimeField()
    quality = models.PositiveSmallIntegerField(null=True, blank=True)
    utc_offset_min = utc_offset_field()
    # Minutes asleep, from an imported night's asleep stages (never in-bed or awake time); null for a
    # night logged by hand, whose hours are woke_at - bed_at.
    asleep_min = models.FloatField(null=True, blank=True)

    class Meta:
        db_table = "diary_sleep_log"
        constraints = [
            unique_client_id("sleep"),
            utc_offset_range("sleep"),
            models.CheckConstraint(condition=Q(woke_at__gt=F("bed_at")), name="sleep_woke_after_bed"),
            models.CheckConstraint(
                condition=Q(quality__isnull=True) | Q(quality__gte=1, quality__lte=5), name="sleep_quality_1_5"
            ),
        ]
        indexes = diary_indexes("sleep", "woke_at")


class StressLog(DiaryRecord):
    time_field = "recorded_at"

    recorded_at = models.DateTimeField()
    level = models.PositiveSmallIntegerField()
    utc_offset_min = utc_offset_field()

    class Meta:
        db_table = "diary_stress_log"
        constraints = [
            unique_client_id("stress"),
            utc_offset_range("stress"),
            models.CheckConstraint(condition=Q(level__gte=0, level__lte=10), name="stress_level_0_10"),
        ]
        indexes = diary_indexes("stress", "recorded_at")


class Medication(DiaryRecord):
    time_field = "started_on"

    name = models.CharField(max_length=120)
    catalogue_key = models.CharField(max_length=64, blank=True, default="")
    drug_class = models.CharField(max_length=32, default="other")
    matched_key = models.CharField(max_length=64, blank=True, default="", db_default="")
    dose = models.CharField(max_length=120, blank=True, default="")
    started_on = models.DateField(null=True, blank=True)
    stopped_on = models.DateField(null=True, blank=True)
    as_needed = models.BooleanField(default=False)

    class Meta:
        db_table = "diary_medication"
        constraints = [
            unique_client_id("medication"),
            models.CheckConstraint(
                condition=Q(stopped_on__isnull=True) | Q(started_on__isnull=True) | Q(stopped_on__gte=F("started_on")),
                name="medication_stopped_after_started",
            ),
        ]
        indexes = diary_indexes("medication", "started_on")


class MedicationDose(DiaryRecord):
    time_field = "taken_at"

    medication = models.ForeignKey(Medication, on_delete=models.CASCADE, related_name="doses")
    taken_at = models.DateTimeField()
    amount = models.CharField(max_length=60, blank=True, default="")
    utc_offset_min = utc_offset_field()

    class Meta:
        db_table = "diary_medication_dose"
        constraints = [unique_client_id("dose"), utc_offset_range("dose")]
        indexes = diary_indexes("dose", "taken_at")


class ExerciseSession(ImportedFrom, DiaryRecord):
    time_field = "started_at"

    started_at = models.DateTimeField()
    duration_min = models.PositiveIntegerField()
    intensity = models.CharField(
        max_length=16, choices=_choices(episode_terms.EXERCISE_INTENSITIES), default="moderate"
    )
    kind = models.CharField(max_length=60, blank=True, default="")
    utc_offset_min = utc_offset_field()

    class Meta:
        db_table = "diary_exercise_session"
        constraints = [
            unique_client_id("exercise"),
            utc_offset_range("exercise"),
            models.CheckConstraint(
                condition=Q(duration_min__gte=1, duration_min__lte=1440), name="exercise_duration_1_1440"
            ),
        ]
        indexes = diary_indexes("exercise", "started_at")


class LabResult(DiaryRecord):
    time_field = "taken_on"

    taken_on = models.DateField()
    analyte = models.CharField(max_length=32, choices=_choices(episode_terms.LAB_ANALYTES))
    value = models.FloatField()
    unit = models.CharField(max_length=20)
    reference_low = models.FloatField(null=True, blank=True)
    reference_high = models.FloatField(null=True, blank=True)

    class Meta:
        db_table = "diary_lab_result"
        constraints = [
            unique_client_id("lab"),
            models.CheckConstraint(
                condition=Q(reference_low__isnull=True)
                | Q(reference_high__isnull=True)
                | Q(reference_high__gte=F("reference_low")),
                name="lab_reference_low_le_high",
            ),
            *(finite_constraint("lab", name) for name in ("value", "reference_low", "reference_high")),
        ]
        indexes = diary_indexes("lab", "taken_on")


class DayCheckin(DiaryRecord):
    """ "I kept my diary today": the person's own word that ``day`` (a local date) is known, so
    a day with a check-in and no episode is a real zero, not a day nobody wrote down.

    One live check-in per person and day: a second one for the same day replaces the first
    (diary.services, "Day check-ins"), so two phones that both checked in agree after a sync.
    """

    time_field = "day"

    day = models.DateField()
    no_twitches = models.BooleanField(default=False)
    # During a self-experiment: whether the day's plan was kept; null when not asked or not said.
    kept_plan = models.BooleanField(null=True, blank=True)
    utc_offset_min = utc_offset_field()

    class Meta:
        db_table = "diary_day_checkin"
        constraints = [
            unique_client_id("checkin"),
            utc_offset_range("checkin"),
            models.UniqueConstraint(
                fields=["user", "day"], condition=Q(deleted_at__isnull=True), name="checkin_one_live_per_day"
            ),
        ]
        indexes = diary_indexes("checkin", "day")


class SyncClock(models.Model):
    """One row per user: the lock every diary write and pull takes, and the last stamp issued.

    Holding this row's lock while stamping and committing means a pull can never hand
    out a timestamp while a write with an earlier stamp is still uncommitted, so no
    change is ever missed; stamps only grow, even if the wall clock steps back.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    last_stamp_ms = models.BigIntegerField(default=0)
    # The claim on the user's next recompute of insights (diary.sync_clock, "The recompute
    # claim"): when a write took it (ms), or null once the recompute has begun to read.
    recompute_claimed_ms = models.BigIntegerField(null=True, blank=True)

    class Meta:
        db_table = "diary_sync_clock"


class SyncDevicePush(models.Model):
    """The sync clock's stamp of a device's last push, so its next pull can tell the device's
    own new records apart: they come back as "updated", since the device has them, where
    WatermelonDB would log a "create, but it already exists locally" error for each.
    """

    token = models.OneToOneField("accounts.DeviceToken", on_delete=models.CASCADE, primary_key=True, related_name="+")
    stamp_ms = models.BigIntegerField()

    class Meta:
        db_table = "diary_sync_device_push"


# The analysis's measures are finite and bounded: below the Nyquist frequency of the fastest
# allowed rate (500 Hz), and far above what samples within +-16 g can give.
TREMOR_MAX_DOMINANT_HZ = 250.0
TREMOR_MAX_POWER = 1e9
TREMOR_MAX_AMPLITUDE = 1e6


def _tremor_measure_constraints() -> list[models.CheckConstraint]:
    """A check constraint per measure. Finite bounds refuse Infinity and, in PostgreSQL, NaN too
    (it sorts above every number); a non-finite measure once broke every read of the account."""
    bounds = (
        ("dominant_hz", TREMOR_MAX_DOMINANT_HZ),
        ("power", TREMOR_MAX_POWER),
        ("rhythmicity", 1.0),
        ("amplitude", TREMOR_MAX_AMPLITUDE),
    )
    return [
        models.CheckConstraint(
            condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0, f"{name}__lte": high}),
            name=f"tremor_{name}_finite",
        )
        for name, high in bounds
    ]


class TremorRecording(DiaryRecord):
    """A phone accelerometer recording of one hand, with what the analysis found in it.

    The analysis fields are the server's: a Celery job fills them after the recording is
    stored (insights.analysis.tremor), and a changed recording is analysed again.
    """

    time_field = "recorded_at"

    MAX_DOMINANT_HZ, MAX_POWER, MAX_AMPLITUDE = TREMOR_MAX_DOMINANT_HZ, TREMOR_MAX_POWER, TREMOR_MAX_AMPLITUDE

    recorded_at = models.DateTimeField()
    hand = models.CharField(max_length=8, choices=_choices(episode_terms.HANDS))
    posture = models.CharField(max_length=12, choices=_choices(episode_terms.POSTURES))
    sample_rate_hz = models.FloatField()
    samples = models.JSONField()  # {"x": [...], "y": [...], "z": [...]} in m/s^2
    analysed_at = models.DateTimeField(null=True, blank=True)
    dominant_hz = models.FloatField(null=True, blank=True)
    power = models.FloatField(null=True, blank=True)
    rhythmicity = models.FloatField(null=True, blank=True)
    rhythmic = models.BooleanField(null=True, blank=True)
    amplitude = models.FloatField(null=True, blank=True)
    # A database default too: the COPY merge (diary.bulk_upsert) writes only the client's columns.
    description = models.CharField(max_length=300, blank=True, default="", db_default="")
    utc_offset_min = utc_offset_field()

    class Meta:
        db_table = "diary_tremor_recording"
        constraints = [
            unique_client_id("tremor"),
            utc_offset_range("tremor"),
            models.CheckConstraint(
                condition=Q(sample_rate_hz__gte=50, sample_rate_hz__lte=500), name="tremor_rate_50_500"
            ),
            *_tremor_measure_constraints(),
        ]
        indexes = diary_indexes("tremor", "recorded_at")


# --- Read-only tables: written by the server, pulled by the app, never pushed ----------------
# A self-experiment's schedule (insights.experiments writes them), synced so the app can say
# "today: a caffeine-free day" offline. Rows carry the same sync columns as the diary's, with a
# server-chosen client_id. Introduced at sync schema version 2 (diary.tables.READ_ONLY_TABLES).


class ExperimentStatus(models.TextChoices):
    """An experiment's stored status; the labels are the values, as the API and the app read them."""

    ACTIVE = "active", "active"  # planned or running
    STOPPED = "stopped", "stopped"  # ended early by the person
    COMPLETED = "completed", "completed"  # its result is in


class Experiment(DiaryRecord):
    time_field = "start_date"

    trigger = models.CharField(max_length=32)
    label = models.CharField(max_length=60)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=12, choices=ExperimentStatus.choices)
    stopped_on = models.DateField(null=True, blank=True)

    class Meta:
        db_table = "diary_experiment"
        constraints = [
            unique_client_id("experiment"),
            # One experiment at a time; the service says so first, this holds under a race.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status=ExperimentStatus.ACTIVE, deleted_at__isnull=True),
                name="experiment_one_active_per_user",
            ),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="experiment_end_after_start"),
        ]
        indexes = diary_indexes("experiment", "start_date")


class ExperimentDay(DiaryRecord):
    time_field = "day"

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    assignment = models.CharField(max_length=8, choices=[("with", "with"), ("without", "without")])
    label = models.CharField(max_length=60)  # "a caffeine-free day", for the app to show as is
    instruction = models.CharField(max_length=200)

    class Meta:
        db_table = "diary_experiment_day"
        constraints = [
            unique_client_id("experiment_day"),
            models.UniqueConstraint(fields=["experiment", "day"], name="experiment_day_once"),
        ]
        indexes = diary_indexes("experiment_day", "day")


# --- Health-store import (diary.health) ---------------------------------------------------
# The ledger of every sample the phone's health store sent, so a re-send, a newer version or a
# deletion is recognised, and the diary records derived from it can be rebuilt. Not synced.


class HealthSample(models.Model):
    """One sample from Apple Health (HealthKit) or Health Connect, as last received.

    Identity is (user, platform, source, sync_key): the sync identifier the writing app gave
    (HealthKit HKMetadataKeySyncIdentifier, Health Connect clientRecordId) or else the store's
    own id. ``deleted_at`` keeps a deleted sample's version, so an older copy sent later does
    not bring it back. ``record_key`` is the client id of the diary record it feeds.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=16)
    source = models.CharField(max_length=255)
    sync_key = models.CharField(max_length=255)
    sample_id = models.CharField(max_length=255)
    version = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=12)  # sleep | caffeine | exercise
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    # Sleep: [[start_ms, end_ms, stage], ...]; caffeine: {"mg": ...}; exercise: {"minutes", "intensity", "activity"}.
    detail = models.JSONField(default=dict)
    user_entered = models.BooleanField(null=True, blank=True)
    unit = models.CharField(max_length=16, blank=True, default="")
    time_zone = models.CharField(max_length=64, blank=True, default="")
    record_key = models.CharField(max_length=64)
    received_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "diary_health_sample"
        constraints = [
            models.UniqueConstraint(fields=["user", "platform", "source", "sync_key"], name="health_sample_identity"),
        ]
        indexes = [
            models.Index(fields=["user", "platform", "sample_id"], name="health_sample_store_id"),
            models.Index(fields=["user", "record_key"], name="health_sample_record"),
        ]


class HealthExportJobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class HealthExportJob(models.Model):
    """A one-time import of Apple Health's export (export.zip or export.xml), run by a Celery
    task the app polls. The upload waits in ``path`` (under HEALTH_IMPORT_DIR) until the task
    has read it, and is deleted then, whatever the outcome."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=10, choices=HealthExportJobStatus.choices, default=HealthExportJobStatus.QUEUED
    )
    path = models.CharField(max_length=500, blank=True, default="")
    size_bytes = models.BigIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)
    records_read = models.BigIntegerField(default=0)
    samples_imported = models.BigIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "diary_health_export_job"
        indexes = [models.Index(fields=["user", "created_at"], name="health_export_job_user")]
