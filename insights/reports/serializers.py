"""Request and response shapes of the report, share and export endpoints.

The range is ``from``/``to`` on the wire, a Python keyword, so those two fields are added in
``get_fields`` rather than declared as class attributes.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from config import json_fields
from insights.reports.models import ReportJob, ReportJobStatus, Share
from insights.reports.selectors import share_state
from insights.reports.services import SHARE_DEFAULT_DAYS, SHARE_MAX_DAYS


def _range_fields(*, read_only: bool) -> dict[str, serializers.Field]:
    if read_only:
        return {
            "from": serializers.DateField(source="range_start", read_only=True),
            "to": serializers.DateField(source="range_end", read_only=True),
        }
    return {
        "from": json_fields.DateField(help_text="First local day of the range (YYYY-MM-DD)."),
        "to": json_fields.DateField(help_text="Last local day of the range, included (YYYY-MM-DD)."),
    }


class ReportRangeSerializer(serializers.Serializer):
    """``from`` and ``to`` as query parameters."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {**_range_fields(read_only=False), **super().get_fields()}


class ReportJobSerializer(serializers.ModelSerializer[ReportJob]):
    status_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(help_text="Where the PDF is, once the status is done.")

    class Meta:
        model = ReportJob
        fields = ("id", "status", "created_at", "finished_at", "expires_at", "error", "status_url", "download_url")
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {"id": fields.pop("id"), **_range_fields(read_only=True), **fields}

    def get_status_url(self, job: ReportJob) -> str:
        return self._absolute(reverse("report-job", args=[job.pk]))

    def get_download_url(self, job: ReportJob) -> str | None:
        if job.status != ReportJobStatus.DONE:
            return None
        return self._absolute(reverse("report-job-pdf", args=[job.pk]))

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ShareCreateSerializer(serializers.Serializer):
    expires_in_days = json_fields.IntegerField(
        default=SHARE_DEFAULT_DAYS,
        min_value=1,
        max_value=SHARE_MAX_DAYS,
        help_text=f"How long the link works, 1 to {SHARE_MAX_DAYS} days (default {SHARE_DEFAULT_DAYS}).",
    )
    note = json_fields.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="A note for the doctor, shown on the shared page.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        return {**_range_fields(read_only=False), **super().get_fields()}


class ShareAccessSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    ip = serializers.IPAddressField(allow_null=True)
    user_agent = serializers.CharField(allow_blank=True)
    what = serializers.ChoiceField(choices=("page", "pdf"), help_text="page: the summary page; pdf: the download.")


class ShareSerializer(serializers.ModelSerializer[Share]):
    state = serializers.SerializerMethodField(help_text="active, expired or revoked.")
    accesses = ShareAccessSerializer(many=True, read_only=True, help_text="Every opening of the link, newest first.")

    class Meta:
        model = Share
        fields: tuple[str, ...] = ("id", "note", "created_at", "expires_at", "revoked_at", "state", "accesses")
        read_only_fields: tuple[str, ...] = fields

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {"id": fields.pop("id"), **_range_fields(read_only=True), **fields}

    def get_state(self, share: Share) -> str:
        return share_state(share=share).value


class ShareCreatedSerializer(ShareSerializer):
    url = serializers.SerializerMethodField(
        help_text="The link to give the doctor. It is shown this once: the server keeps only a hash of its token."
    )

    class Meta(ShareSerializer.Meta):
        fields = (*ShareSerializer.Meta.fields, "url")
        read_only_fields = fields

    def get_url(self, share: Share) -> str:
        return str(self.context["url"])


def range_from(data: dict[str, Any]) -> tuple[Any, Any]:
    return data["from"], data["to"]
