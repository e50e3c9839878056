"""The sync endpoint, thin: read the query, call pull or push, answer."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.query_params import whole_number
from config.schema import ErrorSerializer
from config.typing import AuthenticatedRequest
from diary import sync
from diary.sync_clock import MAX_STAMP_MS
from diary.tables import CLIENT_ID_PATTERN, current_version, sync_tables

# What WatermelonDB sends for "never pulled": its lastPulledAt is null on the first sync.
_NEVER_PULLED = ("", "null", "undefined", "0")


def _last_pulled_at(request: Request) -> int | None:
    if request.query_params.get("last_pulled_at") in _NEVER_PULLED:
        return None
    return whole_number(request, "last_pulled_at", minimum=0, maximum=MAX_STAMP_MS)


def _schema_version(request: Request) -> int | None:
    return whole_number(request, "schema_version", minimum=1, maximum=_MAX_SCHEMA_VERSION)


class TableChangesSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.DictField())
    updated = serializers.ListField(child=serializers.DictField())
    deleted = serializers.ListField(child=serializers.RegexField(CLIENT_ID_PATTERN))


class TableChangesPushSerializer(TableChangesSerializer):
    """A push may leave out a kind it has nothing of: sync.push reads a missing one as empty."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields


class PushSerializer(serializers.Serializer):
    """The push body, for the schema: per table, its changes (sync.push reads and checks it)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: TableChangesPushSerializer(required=False) for name in sync_tables()}


class PullSerializer(serializers.Serializer):
    changes = serializers.DictField(
        child=TableChangesSerializer(), help_text="Per table (episodes, caffeine_intakes, ...): its changes."
    )
    timestamp = serializers.IntegerField(help_text="Pass as last_pulled_at next time.")


class PushResultSerializer(serializers.Serializer):
    applied = serializers.DictField(child=serializers.IntegerField())


_LAST_PULLED_AT = OpenApiParameter(
    "last_pulled_at",
    {
        "oneOf": [
            {"type": "integer", "minimum": 0, "maximum": MAX_STAMP_MS},
            {"type": "string", "enum": [value for value in _NEVER_PULLED if not value.isdigit()]},
        ]
    },
    required=False,
    description="The timestamp of the last pull (ms), or null (also empty, undefined or 0) for the first sync.",
)
# WatermelonDB numbers the app's local schema from 1; a generous bound keeps it a small integer.
_MAX_SCHEMA_VERSION = 1_000_000
_SCHEMA_VERSION = OpenApiParameter(
    "schema_version",
    {"type": "integer", "minimum": 1, "maximum": current_version()},
    required=False,
    description=(
        "The app's WatermelonDB schema version (1 when left out). Tables and columns a later "
        "version added are left out of the answer; a version newer than the server's is a 400."
    ),
)
_MIGRATION = OpenApiParameter(
    "migration",
    str,
    required=False,
    description=(
        "WatermelonDB's migration sync, URL-encoded JSON: null, or "
        '{"from": <version>, "tables": [...], "columns": [{"table": ..., "columns": [...]}]}. '
        "The answer then also carries every live record of the added tables and of the tables with added columns."
    ),
)


class SyncView(APIView):
    # The JSON parser refuses a longer push with 413 before reading it (config.parsers).
    max_body_bytes = sync.MAX_PUSH_BYTES

    @extend_schema(
        parameters=[_LAST_PULLED_AT, _SCHEMA_VERSION, _MIGRATION],
        responses={200: PullSerializer},
        summary="Pull every change since last_pulled_at (WatermelonDB)",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        version = sync.read_schema_version(_schema_version(request))
        migration = sync.read_migration(request.query_params.get("migration"), version)
        pulled = sync.pull(
            user=request.user,
            last_pulled_at=_last_pulled_at(request),
            schema_version=version,
            migration=migration,
            device=request.auth,
        )
        return Response(pulled)

    @extend_schema(
        parameters=[_LAST_PULLED_AT],
        request=PushSerializer,
        responses={
            200: PushResultSerializer,
            409: OpenApiResponse(ErrorSerializer, description="A pushed record changed on the server: pull first."),
            413: OpenApiResponse(ErrorSerializer, description="More than 2,000 records or 5 MB in one push."),
        },
        summary="Push changes: all applied in one transaction, or none (WatermelonDB)",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        last_pulled_at = _last_pulled_at(request)
        body: Any = request.data
        applied = sync.push(user=request.user, last_pulled_at=last_pulled_at, body=body, device=request.auth)
        return Response(PushResultSerializer({"applied": applied}).data)
