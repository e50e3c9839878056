"""The signed-in endpoints: the report PDF and its jobs, and shares (the exports are diary.exports.views).

Views read the request, call one service or selector and shape the answer; nothing else.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.downloads import as_download
from config.rate_throttles import UserRateThrottle
from config.schema import ErrorSerializer
from config.typing import AuthenticatedRequest
from insights.reports import report_model, selectors, serializers, services, tasks
from insights.reports.throttles import ReportBuildThrottle

_RANGE_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="First local day (YYYY-MM-DD)."),
    OpenApiParameter(
        "to",
        OpenApiTypes.DATE,
        required=True,
        description="Last local day, included; at most tomorrow, at most 366 days after 'from'.",
    ),
]


def _pdf(body: bytes, filename: str) -> HttpResponse:
    # Shown in the browser or the phone's viewer rather than saved blindly.
    return as_download(HttpResponse(body, content_type="application/pdf"), filename, inline=True)


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
    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        query = serializers.ReportRangeSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = serializers.range_from(query.validated_data)
        report = services.report_request(user=request.user, start=start, end=end, enqueue=tasks.build_report_pdf.delay)
        if isinstance(report, report_model.ReportFile):
            return _pdf(report.pdf, report.filename)
        body = serializers.ReportJobSerializer(report, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})


class ReportJobView(APIView):
    @extend_schema(
        responses={200: serializers.ReportJobSerializer},
        summary="The status of a report job, with its download URL once done",
    )
    def get(self, request: AuthenticatedRequest, job_id: str) -> Response:
        job = selectors.report_job_get(user=request.user, job_id=job_id)
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
    def get(self, request: AuthenticatedRequest, job_id: str) -> HttpResponse:
        report = selectors.report_job_file(user=request.user, job_id=job_id)
        return _pdf(report.pdf, report.filename)


class ShareListView(APIView):
    @extend_schema(
        responses={200: serializers.ShareSerializer(many=True)},
        summary="My share links, newest first, with every access to each",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        shares = selectors.share_list(user=request.user)
        return Response(serializers.ShareSerializer(shares, many=True).data)

    @extend_schema(
        request=serializers.ShareCreateSerializer,
        responses={201: serializers.ShareCreatedSerializer},
        summary="Create a share link to my report for a doctor (expires within 30 days)",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        body = serializers.ShareCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        start, end = serializers.range_from(body.validated_data)
        share, token = services.share_create(
            user=request.user,
            start=start,
            end=end,
            expires_in_days=body.validated_data["expires_in_days"],
            note=body.validated_data["note"],
        )
        data = serializers.ShareCreatedSerializer(share, context={"url": services.share_url(token)}).data
        return Response(data, status=status.HTTP_201_CREATED)


class ShareDetailView(APIView):
    @extend_schema(
        request=None,
        responses={200: serializers.ShareSerializer},
        summary="Revoke a share link: it stops working at once",
    )
    def delete(self, request: AuthenticatedRequest, share_id: str) -> Response:
        share = services.share_revoke(user=request.user, share_id=share_id)
        return Response(serializers.ShareSerializer(share).data)
