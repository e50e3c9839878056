"""REST endpoints of the diary: CRUD for every table in TABLES, and the read-only catalogues.

The ViewSets are thin: they read the request with the table's serializer, call one
service (writes) or selector (reads) and shape the answer. Each table has its own ViewSet,
written out by name (EpisodeViewSet, ...) and registered by name in diary.urls; a table's
ViewSet names only its serializer, which names the table.
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
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from config.errors import DomainError
from config.schema import ErrorSerializer
from config.typing import AuthenticatedRequest
from diary import selectors, serializers, services
from diary.models import DiaryRecord
from diary.tables import CLIENT_ID_PATTERN, TABLES, TableSpec

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


def _record_schema(spec: TableSpec, view: type[viewsets.GenericViewSet]) -> dict[str, Any]:
    """The summaries and extra answers of a table's operations, for those the ViewSet has."""
    label = spec.name.replace("_", " ")
    conflict = OpenApiResponse(ErrorSerializer, description="You already have a record with this id.")
    operations = {
        "list": extend_schema(
            summary=f"My {label}, newest first (cursor pagination)", parameters=_list_parameters(spec)
        ),
        "create": extend_schema(summary=f"Add to my {label}", responses={201: view.serializer_class, 409: conflict}),
        "retrieve": extend_schema(summary=f"One of my {label}"),
        "update": extend_schema(summary=f"Replace one of my {label}"),
        "partial_update": extend_schema(summary=f"Change some fields of one of my {label}"),
        "destroy": extend_schema(
            summary=f"Delete one of my {label} (a tombstone sync hands on)", responses={204: None}
        ),
    }
    return {name: schema for name, schema in operations.items() if hasattr(view, name)}


class DiaryRecordReadViewSet(viewsets.GenericViewSet):
    """Reading one diary table, addressed by the record's client id.

    A subclass names its table's serializer; the table, its route, its queryset for the
    schema and its operations' summaries follow from it when the class is defined.
    """

    serializer_class: type[serializers.DiaryRecordSerializer]
    table: str = ""
    route: str = ""
    lookup_field = "client_id"
    lookup_url_kwarg = "id"
    # The client id's own pattern, so an id of another shape is an unmatched URL (the API's
    # 404) and the schema states the pattern.
    lookup_value_regex = CLIENT_ID_PATTERN.removeprefix("^").removesuffix("$")
    request: AuthenticatedRequest

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "serializer_class" not in cls.__dict__:
            return  # a shared base of several tables, not a table's own ViewSet
        spec = cls.serializer_class.spec
        cls.table, cls.route = spec.name, spec.route
        cls.queryset = spec.model._default_manager.none()
        extend_schema_view(**_record_schema(spec, cls))(cls)

    def get_queryset(self) -> QuerySet[DiaryRecord]:
        if getattr(self, "swagger_fake_view", False):
            return TABLES[self.table].model._default_manager.none()
        return selectors.record_list(user=self.request.user, table=self.table, **_list_filters(self.request))

    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: AuthenticatedRequest, id: str) -> Response:
        return Response(
            self.get_serializer(services.record_get(user=request.user, table=self.table, client_id=id)).data
        )


class DiaryRecordViewSet(DiaryRecordReadViewSet):
    """CRUD for one diary table, addressed by the record's client id; soft delete."""

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


class EpisodeViewSet(DiaryRecordViewSet):
    """CRUD for episodes."""

    serializer_class = serializers.EpisodeSerializer


class CaffeineIntakeViewSet(DiaryRecordViewSet):
    """CRUD for caffeine intakes."""

    serializer_class = serializers.CaffeineIntakeSerializer


class SleepLogViewSet(DiaryRecordViewSet):
    """CRUD for sleep logs."""

    serializer_class = serializers.SleepLogSerializer


class StressLogViewSet(DiaryRecordViewSet):
    """CRUD for stress logs."""

    serializer_class = serializers.StressLogSerializer


class MedicationViewSet(DiaryRecordViewSet):
    """CRUD for medications."""

    serializer_class = serializers.MedicationSerializer


class MedicationDoseViewSet(DiaryRecordViewSet):
    """CRUD for medication doses."""

    serializer_class = serializers.MedicationDoseSerializer


class ExerciseSessionViewSet(DiaryRecordViewSet):
    """CRUD for exercise sessions."""

    serializer_class = serializers.ExerciseSessionSerializer


class TremorRecordingViewSet(DiaryRecordViewSet):
    """CRUD for tremor recordings."""

    serializer_class = serializers.TremorRecordingSerializer


class LabResultViewSet(DiaryRecordViewSet):
    """CRUD for lab results."""

    serializer_class = serializers.LabResultSerializer


class DayCheckinViewSet(DiaryRecordViewSet):
    """CRUD for day check-ins, and whether today's is due."""

    serializer_class = serializers.DayCheckinSerializer

    @extend_schema(
        responses={200: serializers.CheckinTodaySerializer},
        summary="Is today's check-in due? (today in my timezone, its check-in, and any plan for it)",
    )
    @action(detail=False, methods=["get"], url_path="today")
    def today(self, request: AuthenticatedRequest) -> Response:
        return Response(serializers.CheckinTodaySerializer(selectors.checkin_today(user=request.user)).data)


# --- Catalogues -----------------------------------------------------------------------


def _etag(name: str, payload: dict[str, Any]) -> str:
    # The content hash beside the version keeps caches honest even if a VERSION bump is forgotten.
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]
    return f'"{name}-v{payload["version"]}-{digest}"'


class CatalogueView(APIView):
    """One catalogue, public (it holds no personal data, and the app needs it before sign-in),
    with an ETag so the app can revalidate its cached pickers for the price of a 304.

    A subclass names the catalogue, the selector that builds it and its serializer; its
    docstring is the operation's summary.
    """

    permission_classes = (permissions.AllowAny,)
    name: str = ""
    build: Callable[[], dict[str, Any]]
    output: type[Serializer]
    payload: dict[str, Any] = {}
    etag: str = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Built once, when the class is defined: a catalogue changes only with a release.
        cls.payload = cls.build()
        cls.etag = _etag(cls.name, cls.payload)
        extend_schema_view(
            get=extend_schema(
                summary=cls.__doc__,
                parameters=[
                    OpenApiParameter(
                        "If-None-Match",
                        OpenApiTypes.STR,
                        OpenApiParameter.HEADER,
                        description="The ETag of your cached copy: 304 when it is current.",
                    )
                ],
                responses={200: cls.output, 304: OpenApiResponse(description="Your cached copy is current.")},
            )
        )(cls)

    def get(self, request: Request) -> Response:
        headers = {"ETag": self.etag, "Cache-Control": "no-cache"}
        wanted = {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}
        if self.etag in wanted or "*" in wanted:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(self.payload, headers=headers)


class DrinksCatalogueView(CatalogueView):
    """Caffeinated drinks with caffeine per serving"""

    name = "drinks"
    build = staticmethod(selectors.catalogue_drinks)
    output = serializers.DrinkCatalogueSerializer


class MedicinesCatalogueView(CatalogueView):
    """Medicines by generic name with their drug class and its known link to twitching"""

    name = "medicines"
    build = staticmethod(selectors.catalogue_medicines)
    output = serializers.MedicineCatalogueSerializer


class BodySitesCatalogueView(CatalogueView):
    """Body sites with side and region"""

    name = "body-sites"
    build = staticmethod(selectors.catalogue_body_sites)
    output = serializers.BodySiteCatalogueSerializer


class TermsCatalogueView(CatalogueView):
    """Episode characters, contexts and symptoms; exercise intensities; lab analytes"""

    name = "terms"
    build = staticmethod(selectors.catalogue_terms)
    output = serializers.TermsCatalogueSerializer
