"""Read-mostly admin for the diary: staff can look, not rewrite a person's diary.

Edits would bypass the services (their rules and the sync clock), so every field is read-only
and rows cannot be added; deleting from the admin removes the row for good, which only
account deletion should do, so it is off as well.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest

from diary.tables import TABLES, TableSpec


class DiaryRecordAdmin(admin.ModelAdmin):
    """What every table's admin shares. A subclass names its table (``spec = TABLES[...]``), as
    the table's serializer does (diary.serializers)."""

    spec: ClassVar[TableSpec]
    list_select_related = ("user",)
    search_fields = ("client_id", "user__email")
    list_filter = ("deleted_at",)
    show_full_result_count = False

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        return ("user", "client_id", self.model.time_field, "updated_at", "deleted_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EpisodeAdmin(DiaryRecordAdmin):
    """The episodes table, read-only."""

    spec = TABLES["episodes"]


class CaffeineIntakeAdmin(DiaryRecordAdmin):
    """The caffeine_intakes table, read-only."""

    spec = TABLES["caffeine_intakes"]


class SleepLogAdmin(DiaryRecordAdmin):
    """The sleep_logs table, read-only."""

    spec = TABLES["sleep_logs"]


class StressLogAdmin(DiaryRecordAdmin):
    """The stress_logs table, read-only."""

    spec = TABLES["stress_logs"]


class MedicationAdmin(DiaryRecordAdmin):
    """The medications table, read-only."""

    spec = TABLES["medications"]


class MedicationDoseAdmin(DiaryRecordAdmin):
    """The medication_doses table, read-only."""

    spec = TABLES["medication_doses"]


class ExerciseSessionAdmin(DiaryRecordAdmin):
    """The exercise_sessions table, read-only."""

    spec = TABLES["exercise_sessions"]


class TremorRecordingAdmin(DiaryRecordAdmin):
    """The tremor_recordings table, read-only."""

    spec = TABLES["tremor_recordings"]


class LabResultAdmin(DiaryRecordAdmin):
    """The lab_results table, read-only."""

    spec = TABLES["lab_results"]


class DayCheckinAdmin(DiaryRecordAdmin):
    """The day_checkins table, read-only."""

    spec = TABLES["day_checkins"]


# Table name -> its admin, e.g. ADMINS["episodes"] is EpisodeAdmin.
ADMINS: dict[str, type[DiaryRecordAdmin]] = {
    model_admin.spec.name: model_admin
    for model_admin in (
        EpisodeAdmin,
        CaffeineIntakeAdmin,
        SleepLogAdmin,
        StressLogAdmin,
        MedicationAdmin,
        MedicationDoseAdmin,
        ExerciseSessionAdmin,
        TremorRecordingAdmin,
        LabResultAdmin,
        DayCheckinAdmin,
    )
}
for model_admin in ADMINS.values():
    admin.site.register(model_admin.spec.model, model_admin)
