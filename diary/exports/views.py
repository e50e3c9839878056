"""The export endpoints, thin: each calls what diary.exports writes and hands it over as a file.

They live with the exports, not in accounts, because they read every diary table and accounts
sits below diary; the routes are in diary.urls (/api/v1/account/export/, /api/v1/exports/...).
"""

from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from accounts.timezones import local_today
from config.downloads import as_download
from config.typing import AuthenticatedRequest
from diary.exports import account_json, csv_zip
from diary.exports.fhir import fhir_bundle_json
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
    def get(self, request: AuthenticatedRequest) -> StreamingHttpResponse:
        # The default permission (IsAuthenticated) lets only a signed-in user get here.
        now = timezone.now()
        response = StreamingHttpResponse(
            account_json.account_export_chunks(user=request.user, now=now),
            content_type="application/json; charset=utf-8",
        )
        return as_download(
            response, export_filename(today=local_today(request.user, now), extension="json", kind="export")
        )


class CsvExportView(APIView):
    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="A zip with README.txt and one CSV per table (episodes.csv, caffeine_intakes.csv, ...), "
                "every record that is not deleted; README.txt describes every column.",
            )
        },
        summary="Export my diary as CSV files in a zip",
    )
    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        filename = export_filename(today=local_today(request.user), extension="csv.zip")
        return as_download(HttpResponse(csv_zip.csv_zip(user=request.user), content_type="application/zip"), filename)


class FhirExportView(APIView):
    @extend_schema(
        responses={
            (200, "application/fhir+json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="A FHIR R4B Bundle (type collection): Patient, an Observation per episode, caffeine, sleep "
                "and stress entry, and a MedicationStatement per medication.",
            )
        },
        summary="Export my diary as a FHIR R4B Bundle",
    )
    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        filename = export_filename(today=local_today(request.user), extension="fhir.json")
        body = fhir_bundle_json(user=request.user).encode()
        return as_download(HttpResponse(body, content_type="application/fhir+json"), filename)
