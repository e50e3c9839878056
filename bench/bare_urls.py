"""The product's URL map plus the baseline of bench/throughput.py: a bare Django view that
stores one episode with a single INSERT (no DRF, no token, no validation, no sync clock,
no recompute), for a fixed user named by BENCH_BARE_USER_ID."""

from __future__ import annotations

import json
import os

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import handler500
from config.urls import urlpatterns as product_urlpatterns
from diary.models import Episode

BARE_USER_ID = int(os.environ.get("BENCH_BARE_USER_ID", "0"))


@csrf_exempt
@require_POST
def bare_episode_create(request: HttpRequest) -> HttpResponse:
    body = json.loads(request.body)
    now = timezone.now()
    Episode.objects.create(
        user_id=BARE_USER_ID,
        client_id=body["id"],
        created_at=now,
        updated_at=now,
        started_at=parse_datetime(body["started_at"]),
        duration_s=body["duration_s"],
        body_sites=body["body_sites"],
        character=body["character"],
        intensity=body["intensity"],
        context=body["context"],
        symptoms=body["symptoms"],
        notes=body["notes"],
    )
    return JsonResponse({"id": body["id"]}, status=201)


urlpatterns = [path("bench/bare-episode/", bare_episode_create), *product_urlpatterns]
__all__ = ["handler500", "urlpatterns"]
