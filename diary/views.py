"""REST endpoints of the diary: CRUD for every table in TABLES, and the read-only catalogues.

The ViewSets are thin: they read the request with the table's serializer, call one
service (writes) or selector (reads) and shape the answer. They are built from the
registry, so a table added to TABLES gets its endpoints (and its BOLA tests) at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from config.errors import DomainError
from config.schema import ErrorSerializer
from config.typing import AuthenticatedRequest
from diary import selectors, serializers, services
from diary.models import DiaryRecord
from diary.tables import TABLES, TableSpec

TIME_FORMAT_RULE = "must be an ISO 8601 date-time (2024-05-01T08:00:00Z) or date (2024-05-01)"
TIME_RANGE_RULE = "must be a time between the years 1 and 9999 in UTC"


def _query_time(request: AuthenticatedRequest, name: str) -> datetime | None:
    """A time from the query string; a bare date, or a time without offset, is the user's local time."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    # An unencoded "+01:00" arrives as " 01:00": read it as the offset it was meant to be.
    raw = raw.strip().replace(" ", "+")
    zone = ZoneInfo(request.user.timezone)
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            value = datetime.combine(day, time.min) if day else None
    except ValueError:
        value = None
    if value is None:
        raise DomainError(f"Invalid {name}: {TIME_FORMAT_RULE}.", fields={name: [TIME_FORMAT_RULE]})
    aware = value if value.tzinfo else value.replace(tzinfo=zone)
    try:
        # Compared in UTC: PostgreSQL refuses offsets beyond 15:59, which ISO 8601 allows, and a
        # time at the edge of the calendar may have no UTC equivalent at all.
        return aware.astimezone(UTC)
    except OverflowError:
        raise DomainError(f"Invalid {name}: {TIME_RANGE_RULE}.", fields={name: [TIME_RANGE_RULE]}) from None


def _list_filters(request: AuthenticatedRequest) -> dict[str, datetime | None]:
    filters = {
        "time_from": _query_time(request, "from"),
        "time_to": _query_time(request, "to"),
        "updated_since": _query_time(request, "updated_since"),
    }
    if filters["time_from"] and filters["time_to"] and filters["time_to"] <= filters["time_from"]:
        raise DomainError("Invalid to: it must be after from.", fields={"to": ["must be after from"]})
    return filters


def _list_parameters(spec: TableSpec) -> list[OpenApiParameter]:
    field = spec.model.time_field
    return [
        OpenApiParameter(
            "from",
            OpenApiTypes.DATETIME,
            description=(
                f"Only records whose {field} is at or after this time. A date, or a time without an offset, "
                "is in your timezone."
            ),
        ),
        OpenApiParameter("to", OpenApiTypes.DATETIME, description=f"Only records whose {field} is before this time."),
        OpenApiParameter(
            "updated_since",
            OpenApiTypes.DATETIME,
            description="Only records changed after this time (deletions are not listed).",
        ),
    ]


class DiaryRecordViewSet(viewsets.GenericViewSet):
    """CRUD for one diary table, addressed by the record's client id; soft delete."""

    table: str = ""
    lookup_field = "client_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[A-Za-z0-9_-]{1,64}"
    request: AuthenticatedRequest

    def get_serializer_class(self) -> type[serializers.DiaryRecordSerializer]:
        return serializers.SERIALIZERS[self.table]

    def get_queryset(self) -> QuerySet[DiaryRecord]:
        if getattr(self, "swagger_fake_view", False):
            return TABLES[self.table].model._default_manager.none()
        return selectors.record_list(user=self.request.user, table=self.table, **_list_filters(self.request))

    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request: AuthenticatedRequest) -> Response:
        serializer = cast(serializers.DiaryRecordSerializer, self.get_serializer(data=request.data))
        serializer.is_valid(raise_exception=True)
        record = services.record_save(
            user=request.user,
            table=self.table,
            client_id=serializer.validated_data.get("client_id"),
            values=serializer.column_values(),
            existing=False,
        )
        # As DRF's own create does: the validated serializer shows the stored record, so its
        # fields are built once per request, not twice.
        serializer.instance = record
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: AuthenticatedRequest, id: str) -> Response:
        return Response(
            self.get_serializer(services.record_get(user=request.user, table=self.table, client_id=id)).data
        )

    def update(self, request: AuthenticatedRequest, id: str, partial: bool = False) -> Response:
        # Looking the record up first answers another user's id with 404 before judging the body.
        record = services.record_get(user=request.user, table=self.table, client_id=id)
        serializer = cast(
            serializers.DiaryRecordSerializer, self.get_serializer(record, data=request.data, partial=partial)
        )
        serializer.is_valid(raise_exception=True)
        record = services.record_save(
            user=request.user,
            table=self.table,
            client_id=record.client_id,
            values=serializer.column_values(),
            partial=partial,
            existing=True,
        )
        serializer.instance = record
        return Response(serializer.data)

    def partial_update(self, request: AuthenticatedRequest, id: str) -> Response:
        return self.update(request, id, partial=True)

    def destroy(self, request: AuthenticatedRequest, id: str) -> Response:
        services.record_delete(user=request.user, table=self.table, client_id=id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _viewset_for(spec: TableSpec) -> type[DiaryRecordViewSet]:
    label = spec.name.replace("_", " ")
    conflict = OpenApiResponse(ErrorSerializer, description="You already have a record with this id.")
    schema = extend_schema_view(
        list=extend_schema(summary=f"My {label}, newest first (cursor pagination)", parameters=_list_parameters(spec)),
        create=extend_schema(
            summary=f"Add to my {label}", responses={201: serializers.SERIALIZERS[spec.name], 409: conflict}
        ),
        retrieve=extend_schema(summary=f"One of my {label}"),
        update=extend_schema(summary=f"Replace one of my {label}"),
        partial_update=extend_schema(summary=f"Change some fields of one of my {label}"),
        destroy=extend_schema(summary=f"Delete one of my {label} (a tombstone sync hands on)", responses={204: None}),
    )
    attrs = {
        "table": spec.name,
        "queryset": spec.model._default_manager.none(),
        "__module__": __name__,
        "__doc__": f"CRUD for {label}.",
    }
    return schema(type(f"{spec.model.__name__}ViewSet", (DiaryRecordViewSet,), attrs))


# Table name -> its ViewSet; diary.urls registers each under the table's route.
VIEWSETS: dict[str, type[DiaryRecordViewSet]] = {name: _viewset_for(spec) for name, spec in TABLES.items()}


# --- Catalogues -----------------------------------------------------------------------


def _etag(name: str, payload: dict[str, Any]) -> str:
    # The content hash beside the version keeps caches honest even if a VERSION bump is forgotten.
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]
    return f'"{name}-v{payload["version"]}-{digest}"'


class CatalogueView(APIView):
    """One catalogue, public (it holds no personal data, and the app needs it before sign-in),
    with an ETag so the app can revalidate its cached pickers for the price of a 304."""

    permission_classes = (permissions.AllowAny,)
    name: str = ""
    payload: dict[str, Any] = {}
    etag: str = ""

    def get(self, request: Request) -> Response:
        headers = {"ETag": self.etag, "Cache-Control": "no-cache"}
        wanted = {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}
        if self.etag in wanted or "*" in wanted:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(self.payload, headers=headers)


def _catalogue_view(
    name: str, build: Callable[[], dict[str, Any]], serializer: type[Serializer], summary: str
) -> type[CatalogueView]:
    payload = build()
    attrs = {"name": name, "payload": payload, "etag": _etag(name, payload), "__module__": __name__, "__doc__": summary}
    view = type(f"{name.title().replace('-', '')}CatalogueView", (CatalogueView,), attrs)
    return extend_schema_view(
        get=extend_schema(
            summary=summary,
            parameters=[
                OpenApiParameter(
                    "If-None-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="The ETag of your cached copy: 304 when it is current.",
                )
            ],
            responses={200: serializer, 304: OpenApiResponse(description="Your cached copy is current.")},
        )
    )(view)


CATALOGUE_VIEWS: dict[str, type[CatalogueView]] = {
    "drinks": _catalogue_view(
        "drinks",
        selectors.catalogue_drinks,
        serializers.DrinkCatalogueSerializer,
        "Caffeinated drinks with caffeine per serving",
    ),
    "medicines": _catalogue_view(
        "medicines",
        selectors.catalogue_medicines,
        serializers.MedicineCatalogueSerializer,
        "Medicines by generic name with their drug class and its known link to twitching",
    ),
    "body-sites": _catalogue_view(
        "body-sites",
        selectors.catalogue_body_sites,
        serializers.BodySiteCatalogueSerializer,
        "Body sites with side and region",
    ),
    "terms": _catalogue_view(
        "terms",
        selectors.catalogue_terms,
        serializers.TermsCatalogueSerializer,
        "Episode characters, contexts and symptoms; exercise intensities; lab analytes",
    ),
}
