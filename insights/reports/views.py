"""The signed-in endpoints: the report PDF and its jobs, shares, and the CSV and FHIR exports.

Views read the request, call one service or selector and shape the answer; nothing else.
"""

from __future__ import annotations

from typing import cast

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from config.errors import DomainError
from config.rate_throttles import UserRateThrottle
from config.schema import ErrorSerializer
from diary.exports.csv_zip import csv_zip
from diary.exports.fhir import fhir_bundle_json
from diary.exports.rows import export_filename
from insights.reports import selectors, serializers, services, tasks
from insights.reports.models import ReportJobStatus
from insights.reports.throttles import ReportBuildThrottle
from insights.selectors import local_today

_RANGE_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="First local day (YYYY-MM-DD)."),
    OpenApiParameter(
        "to",
        OpenApiTypes.DATE,
        required=True,
        description="Last local day, included; at most tomorrow, at most 366 days after 'from'.",
    ),
]


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Health data: no shared or browser cache may keep a copy.
    response["Cache-Control"] = "no-store"
    return response


def _pdf(body: bytes, filename: str) -> HttpResponse:
    response = _download(body, "application/pdf", filename)
    # Shown in the browser or the phone's viewer rather than saved blindly.
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class ReportPdfView(APIView):
    throttle_classes = (UserRateThrottle, ReportBuildThrottle)

    @extend_schema(
        parameters=_RANGE_PARAMETERS,
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The report, for ranges up to 90 days."
            ),
            202: OpenApiResponse(
                serializers.ReportJobSerializer, description="A longer range: a job was started; poll its status_url."
            ),
        },
        summary="My physician report as a PDF (ranges over 90 days are built by a job)",
    )
    def get(self, request: Request) -> HttpResponse:
        query = serializers.ReportRangeSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = cast(User, request.user)
        start, end = serializers.range_from(query.validated_data)
        services.report_range_check(user=user, start=start, end=end)
        if services.report_needs_job(start=start, end=end):
            job = services.report_job_create(user=user, start=start, end=end, enqueue=tasks.build_report_pdf.delay)
            body = serializers.ReportJobSerializer(job, context={"request": request}).data
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})
        pdf = services.report_pdf_render(user=user, start=start, end=end)
        return _pdf(pdf, services.report_filename(start=start, end=end))


class ReportJobView(APIView):
    @extend_schema(
        responses={200: serializers.ReportJobSerializer},
        summary="The status of a report job, with its download URL once done",
    )
    def get(self, request: Request, job_id: str) -> Response:
        job = selectors.report_job_get(user=cast(User, request.user), job_id=job_id)
        return Response(serializers.ReportJobSerializer(job, context={"request": request}).data)


class ReportJobPdfView(APIView):
    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The finished report."),
            409: OpenApiResponse(ErrorSerializer, description="The job has not finished (or failed)."),
            410: OpenApiResponse(ErrorSerializer, description="The report expired; request it again."),
        },
        summary="Download the PDF a report job built",
    )
    def get(self, request: Request, job_id: str) -> HttpResponse:
        job = selectors.report_job_get(user=cast(User, request.user), job_id=job_id, with_pdf=True)
        if job.expires_at <= timezone.now():
            raise DomainError("This report has expired; request it again.", code="expired", status_code=410)
        if job.status != ReportJobStatus.DONE or job.pdf is None:
            raise DomainError(f"The report is not ready (status: {job.status}).", code="not_ready", status_code=409)
        return _pdf(bytes(job.pdf), services.report_filename(start=job.range_start, end=job.range_end))


class ShareListView(APIView):
    @extend_schema(
        responses={200: serializers.ShareSerializer(many=True)},
        summary="My share links, newest first, with every access to each",
    )
    def get(self, request: Request) -> Response:
        shares = selectors.share_list(cast(User, request.user))
        return Response(serializers.ShareSerializer(shares, many=True).data)

    @extend_schema(
        request=serializers.ShareCreateSerializer,
        responses={201: serializers.ShareCreatedSerializer},
        summary="Create a share link to my report for a doctor (expires within 30 days)",
    )
    def post(self, request: Request) -> Response:
        body = serializers.ShareCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        start, end = serializers.range_from(body.validated_data)
        share, token = services.share_create(
            user=cast(User, request.user),
            start=start,
            end=end,
            expires_in_days=body.validated_data["expires_in_days"],
            note=body.validated_data["note"],
        )
        shares = selectors.share_list(cast(User, request.user)).filter(pk=share.pk)
        data = serializers.ShareCreatedSerializer(shares.get(), context={"url": services.share_url(token)}).data
        return Response(data, status=status.HTTP_201_CREATED)


class ShareDetailView(APIView):
    @extend_schema(
        request=None,
        responses={200: serializers.ShareSerializer},
        summary="Revoke a share link: it stops working at once",
    )
    def delete(self, request: Request, share_id: str) -> Response:
        share = services.share_revoke(user=cast(User, request.user), share_id=share_id)
        share = selectors.share_list(cast(User, request.user)).get(pk=share.pk)
        return Response(serializers.ShareSerializer(share).data)


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
    def get(self, request: Request) -> HttpResponse:
        user = cast(User, request.user)
        filename = export_filename(today=local_today(user), extension="csv.zip")
        return _download(csv_zip(user=user), "application/zip", filename)


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
    def get(self, request: Request) -> HttpResponse:
        user = cast(User, request.user)
        filename = export_filename(today=local_today(user), extension="fhir.json")
        return _download(fhir_bundle_json(user=user).encode(), "application/fhir+json", filename)
