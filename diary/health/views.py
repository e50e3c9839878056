"""The health-store import endpoints, thin: read the request, call one service, shape the answer."""

from __future__ import annotations

from typing import Any, cast

from django.core.cache import cache
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import DomainError
from config.schema import ErrorSerializer
from config.typing import AuthenticatedRequest
from diary import tasks
from diary.health import selectors, services
from diary.models import HealthExportJob


class HealthImportResultSerializer(serializers.Serializer):
    # One count per outcome, in ImportResult.as_dict's order.
    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            name: serializers.IntegerField()
            for name in ("created", "updated", "unchanged", "stale", "deleted", "own_skipped", "ignored")
        }


class HealthSamplesView(APIView):
    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={
            200: HealthImportResultSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="Unknown kinds or units, times in the future or before 1900: named by path.",
            ),
        },
        summary="Import samples from Apple Health (HealthKit) or Health Connect",
        description=(
            'HealthKit: {"platform": "healthkit", "samples": [HKSample...], "deleted": [{"uuid"}...]}; Health '
            'Connect: {"platform": "health_connect", "records": [Record...], "deleted": [{"recordId"}...]}. '
            "Sleep, caffeine and workouts become diary records; re-sending changes nothing. See docs/api.md."
        ),
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        result = services.samples_import(user=request.user, payload=request.data)
        return Response(HealthImportResultSerializer(result.as_dict()).data)


class HealthExportJobSerializer(serializers.ModelSerializer[HealthExportJob]):
    # Plain text in the schema: the report job's status has the same four values, and a second enum
    # of them would make drf-spectacular's enum naming collide.
    status = serializers.CharField(read_only=True, help_text="queued, running, done or failed.")
    status_url = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField(
        help_text="While running: records and bytes of export.xml read so far, and its size in bytes."
    )

    class Meta:
        model = HealthExportJob
        fields = (
            "id",
            "status",
            "size_bytes",
            "records_read",
            "samples_imported",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "progress",
            "status_url",
        )
        read_only_fields = fields

    def get_status_url(self, job: HealthExportJob) -> str:
        path = reverse("health-export-job", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_progress(self, job: HealthExportJob) -> dict[str, Any] | None:
        return cast(dict[str, Any] | None, cache.get(services.progress_cache_key(job.pk)))


class HealthExportListView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": inline_serializer("HealthExportUpload", {"file": serializers.FileField()})},
        responses={202: HealthExportJobSerializer, 400: ErrorSerializer, 413: ErrorSerializer},
        summary="Import Apple Health's export (export.zip or export.xml) once; poll the job's status_url",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError("Send the export as the multipart field 'file'.", fields={"file": ["is required"]})
        job = services.export_job_create(user=request.user, upload=upload, enqueue=tasks.import_health_export.delay)
        body = HealthExportJobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})


class HealthExportJobView(APIView):
    @extend_schema(responses={200: HealthExportJobSerializer}, summary="The status and progress of an export import")
    def get(self, request: AuthenticatedRequest, job_id: str) -> Response:
        job = selectors.export_job_get(user=request.user, job_id=job_id)
        return Response(HealthExportJobSerializer(job, context={"request": request}).data)
