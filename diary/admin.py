"""Read-mostly admin for the diary: staff can look, not rewrite a person's diary.

Edits would bypass the services (their rules and the sync clock), so every field is read-only
and rows cannot be added; deleting from the admin removes the row for good, which only
account deletion should do, so it is off as well.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from diary.tables import TABLES


class DiaryRecordAdmin(admin.ModelAdmin):
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


for spec in TABLES.values():
    admin.site.register(spec.model, type(f"{spec.model.__name__}Admin", (DiaryRecordAdmin,), {"__module__": __name__}))
