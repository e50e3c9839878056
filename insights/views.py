"""Insights endpoints: causes, the user's associations, flags and their status."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.typing import AuthenticatedRequest
from insights import presenters, selectors, serializers, services
from insights.models import FlagStatus


class CausesView(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(
        responses={200: serializers.CausesSerializer},
        summary="What can cause finger twitching: the documented causes and the flag rules, with sources",
    )
    def get(self, request: Request) -> Response:
        return Response(serializers.CausesSerializer(presenters.causes_payload()).data)


class InsightsView(APIView):
    @extend_schema(
        responses={200: serializers.InsightsSerializer},
        summary="My associations between triggers and episodes, and whether there is enough data",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        state = selectors.insight_state(user=request.user)
        return Response(serializers.InsightsSerializer(presenters.insights_payload(state)).data)


class FlagListView(APIView):
    @extend_schema(
        responses={200: serializers.FlagSerializer(many=True)},
        summary="My doctor-visit flags that the diary currently shows",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        flags = selectors.flag_list(user=request.user)
        return Response(serializers.FlagSerializer(flags, many=True).data)


class _FlagStatusView(APIView):
    status_value: str = ""

    def post(self, request: AuthenticatedRequest, flag_id: int) -> Response:
        flag = services.flag_set_status(user=request.user, flag_id=flag_id, status=self.status_value)
        return Response(serializers.FlagSerializer(flag).data)


@extend_schema(
    request=None,
    responses={200: serializers.FlagSerializer},
    summary="Acknowledge a flag: it stays quiet until its evidence changes materially",
)
class FlagAcknowledgeView(_FlagStatusView):
    status_value = FlagStatus.ACKNOWLEDGED


@extend_schema(
    request=None,
    responses={200: serializers.FlagSerializer},
    summary="I have seen a doctor about this: quiet until the evidence changes materially",
)
class FlagSeenDoctorView(_FlagStatusView):
    status_value = FlagStatus.SEEN_DOCTOR
