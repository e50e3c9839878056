"""Self-experiment endpoints, thin: read the request, call a selector or a service, and answer
through the output serializer (an experiment's fields are worded by ``presenters.experiment_payload``)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.schema import ErrorSerializer
from config.typing import AuthenticatedRequest
from insights.experiments import presenters, selectors, serializers, services, tasks
from insights.selectors import local_today

_NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No experiment of yours has this id.")


class ExperimentListView(APIView):
    @extend_schema(responses={200: serializers.ExperimentSerializer(many=True)}, summary="My self-experiments")
    def get(self, request: AuthenticatedRequest) -> Response:
        experiments = selectors.experiment_list(user=request.user)
        today = local_today(request.user)
        payloads = [presenters.experiment_payload(e, today, with_days=False) for e in experiments]
        return Response(serializers.ExperimentSerializer(payloads, many=True).data)

    @extend_schema(
        request=serializers.StartSerializer,
        responses={
            201: serializers.ExperimentSerializer,
            400: OpenApiResponse(ErrorSerializer, description="A bad field, a past start, or a medicine."),
            409: OpenApiResponse(ErrorSerializer, description="An experiment is already running."),
        },
        summary="Start a self-experiment: a random schedule of 'with' and 'without' days",
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        today = local_today(request.user)
        body = serializers.StartSerializer(data=request.data, context={"today": today})
        body.is_valid(raise_exception=True)
        experiment = services.experiment_start(user=request.user, **body.validated_data)
        payload = presenters.experiment_payload(experiment, today)
        return Response(serializers.ExperimentSerializer(payload).data, status=status.HTTP_201_CREATED)


class ExperimentPlanView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("trigger", str, required=True),
            OpenApiParameter("weeks", int, required=True),
            OpenApiParameter("start_date", str, required=False),
        ],
        responses={200: serializers.PlanSerializer, 400: ErrorSerializer},
        summary="Before starting: what the planned experiment could show, from my own diary",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        today = local_today(request.user)
        query = serializers.StartSerializer(data=dict(request.query_params.items()), context={"today": today})
        query.is_valid(raise_exception=True)
        trigger, weeks = query.validated_data["trigger"], query.validated_data["weeks"]
        plan = services.experiment_plan(user=request.user, trigger=trigger, weeks=weeks, today=today)
        return Response(serializers.PlanSerializer(plan).data)


class ExperimentTodayView(APIView):
    @extend_schema(responses={200: serializers.TodaySerializer}, summary="Today's assignment, if an experiment runs")
    def get(self, request: AuthenticatedRequest) -> Response:
        today = local_today(request.user)
        days = selectors.experiment_today(user=request.user, today=today)
        payload = presenters.today_payload(today, days.today, days.tomorrow)
        return Response(serializers.TodaySerializer(payload).data)


class ExperimentDetailView(APIView):
    @extend_schema(responses={200: serializers.ExperimentSerializer, 404: _NOT_FOUND}, summary="One experiment")
    def get(self, request: AuthenticatedRequest, experiment_id: str) -> Response:
        experiment = selectors.experiment_get(user=request.user, experiment_id=experiment_id)
        payload = presenters.experiment_payload(experiment, local_today(request.user))
        return Response(serializers.ExperimentSerializer(payload).data)


class ExperimentStopView(APIView):
    @extend_schema(
        request=None,
        responses={200: serializers.ExperimentSerializer, 404: _NOT_FOUND, 409: ErrorSerializer},
        summary="Stop an experiment early; its result will say so",
    )
    def post(self, request: AuthenticatedRequest, experiment_id: str) -> Response:
        experiment = services.experiment_stop(
            user=request.user, experiment_id=experiment_id, enqueue_result=tasks.compute_result.delay
        )
        payload = presenters.experiment_payload(experiment, local_today(request.user))
        return Response(serializers.ExperimentSerializer(payload).data)
