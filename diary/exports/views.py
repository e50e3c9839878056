"""The account export endpoint, thin: stream what diary.exports.account_json writes.

It lives with the exports, not in accounts, because it reads every diary table and
accounts sits below diary. The CSV and FHIR endpoints are with the report's (insights.reports.views).
"""

from __future__ import annotations

from typing import cast

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import User
from accounts.timezones import local_today
from diary.exports.account_json import account_export_chunks
from diary.exports.rows import export_filename


class AccountExportView(APIView):
    @extend_schema(
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    'A file download: {"format": "twitchlog-export", "version": 1, "exported_at", "profile", '
                    '"tables": {"episodes": [...], "caffeine_intakes": [...], ...}} with every table and every '
                    "record that is not deleted, in the REST representation (ISO 8601 times, real arrays)."
                ),
            ),
        },
        summary="Export everything of mine as one JSON file (streamed)",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        # The default permission (IsAuthenticated) lets only a signed-in user get here.
        user = cast(User, request.user)
        now = timezone.now()
        response = StreamingHttpResponse(
            account_export_chunks(user=user, now=now), content_type="application/json; charset=utf-8"
        )
        filename = export_filename(today=local_today(user, now), extension="json", kind="export")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        # Health data: no shared or browser cache may keep a copy.
        response["Cache-Control"] = "no-store"
        return response
