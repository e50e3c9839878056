"""The sync endpoint, thin: read the query, call pull or push, answer."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import DomainError
from config.schema import ErrorSerializer
from config.typing import AuthenticatedRequest
from diary import sync


def _last_pulled_at(request: Request) -> int | None:
    raw = request.query_params.get("last_pulled_at")
    if raw in (None, "", "null", "undefined", "0"):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise DomainError(
            "last_pulled_at must be the timestamp (ms) of your last pull, or null.",
            fields={"last_pulled_at": ["must be a whole number of milliseconds or null"]},
        ) from None
    if value < 0:
        raise DomainError("last_pulled_at must not be negative.", fields={"last_pulled_at": ["must be >= 0"]})
    return value


class TableChangesSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.DictField())
    updated = serializers.ListField(child=serializers.DictField())
    deleted = serializers.ListField(child=serializers.CharField())


class PullSerializer(serializers.Serializer):
    changes = serializers.DictField(
        child=TableChangesSerializer(), help_text="Per table (episodes, caffeine_intakes, ...): its changes."
    )
    timestamp = serializers.IntegerField(help_text="Pass as last_pulled_at next time.")


class PushResultSerializer(serializers.Serializer):
    applied = serializers.DictField(child=serializers.IntegerField())


_LAST_PULLED_AT = OpenApiParameter(
    "last_pulled_at",
    OpenApiTypes.INT,
    required=False,
    description="The timestamp of the last pull (ms), or null for the first sync.",
)


class SyncView(APIView):
    @extend_schema(
        parameters=[_LAST_PULLED_AT, OpenApiParameter("schema_version", OpenApiTypes.INT, required=False)],
        responses={200: PullSerializer},
        summary="Pull every change since last_pulled_at (WatermelonDB)",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(sync.pull(user=request.user, last_pulled_at=_last_pulled_at(request)))

    @extend_schema(
        parameters=[_LAST_PULLED_AT],
        request=OpenApiTypes.OBJECT,
        responses={
            200: PushResultSerializer,
            409: OpenApiResponse(ErrorSerializer, description="A pushed record changed on the server: pull first."),
            413: OpenApiResponse(ErrorSerializer, description="More than 2,000 records or 5 MB in one push."),
        },
        summary="Push changes: all applied in one transaction, or none (WatermelonDB)",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > sync.MAX_PUSH_BYTES:
            raise sync.PayloadTooLarge(
                "A push may be at most 5 MB. Push in smaller batches.",
                code="payload_too_large",
                fields={"body": ["at most 5 MB per push"]},
            )
        last_pulled_at = _last_pulled_at(request)
        body: Any = request.data
        return Response({"applied": sync.push(user=request.user, last_pulled_at=last_pulled_at, body=body)})
