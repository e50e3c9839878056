"""Self-experiment endpoints, thin: read the request, call a selector or a service, answer."""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.schema import ErrorSerializer
from config.typing import AuthenticatedRequest
from insights.experiments import checks, presenters, selectors, serializers, services, tasks
from insights.selectors import local_today

_NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No experiment of yours has this id.")


class ExperimentListView(APIView):
    @extend_schema(responses={200: serializers.ExperimentSerializer(many=True)}, summary="My self-experiments")
    def get(self, request: AuthenticatedRequest) -> Response:
        today = local_today(user=request.user)
        return Response(
            [
                presenters.experiment_payload(e, today, with_days=False)
                for e in selectors.experiment_list(user=request.user)
            ]
        )

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
        experiment = services.experiment_start(user=request.user, data=request.data)
        payload = presenters.experiment_payload(experiment, local_today(user=request.user))
        return Response(payload, status=status.HTTP_201_CREATED)


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
        today = local_today(user=request.user)
        trigger, weeks, _start = checks.checked_request(dict(request.query_params.items()), today)
        return Response(services.experiment_plan(user=request.user, trigger=trigger, weeks=weeks, today=today))


class ExperimentTodayView(APIView):
    @extend_schema(responses={200: serializers.TodaySerializer}, summary="Today's assignment, if an experiment runs")
    def get(self, request: AuthenticatedRequest) -> Response:
        today = local_today(user=request.user)
        day = selectors.experiment_day_on(user=request.user, day=today)
        # Tomorrow too: an early night is kept tonight, for tomorrow's assignment.
        tomorrow = selectors.experiment_day_on(user=request.user, day=today + timedelta(days=1))
        return Response(
            {
                "experiment_id": day.experiment.client_id if day else None,
                "date": today.isoformat(),
                "assignment": day.assignment if day else None,
                "label": day.label if day else None,
                "instruction": day.instruction if day else None,
                "tomorrow": presenters.day_payload(tomorrow) if tomorrow else None,
            }
        )


class ExperimentDetailView(APIView):
    @extend_schema(responses={200: serializers.ExperimentSerializer, 404: _NOT_FOUND}, summary="One experiment")
    def get(self, request: AuthenticatedRequest, experiment_id: str) -> Response:
        experiment = selectors.experiment_get(user=request.user, experiment_id=experiment_id)
        return Response(presenters.experiment_payload(experiment, local_today(user=request.user)))


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
        return Response(presenters.experiment_payload(experiment, local_today(user=request.user)))
