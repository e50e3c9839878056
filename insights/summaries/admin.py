"""Weekly summaries in the admin: filter by status to see failures and their errors."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from insights.summaries.models import SummaryStatus, WeeklySummary


@admin.register(WeeklySummary)
class WeeklySummaryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "week_start", "status", "attempts", "sent_at", "short_error", "updated_at")
    list_filter = ("status", "week_start")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    date_hierarchy = "week_start"
    readonly_fields = (
        "user",
        "week_start",
        "status",
        "attempts",
        "last_error",
        "claimed_at",
        "sent_at",
        "flags_emailed",
        "created_at",
        "updated_at",
    )
    actions = ("retry_failed",)

    @admin.display(description="last error")
    def short_error(self, summary: WeeklySummary) -> str:
        return summary.last_error[:80]

    @admin.action(description="Retry the selected failed summaries")
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[WeeklySummary]) -> None:
        # Imported here so the admin module loads without Celery's app being configured.
        from insights.summaries.tasks import send_weekly_summary

        ids = list(queryset.filter(status=SummaryStatus.FAILED).values_list("pk", flat=True))
        WeeklySummary.objects.filter(pk__in=ids, status=SummaryStatus.FAILED).update(status=SummaryStatus.PENDING)
        for summary_id in ids:
            send_weekly_summary.delay(summary_id)
        self.message_user(request, f"{len(ids)} failed summaries queued again.")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
