"""Refuse an /api/ request whose declared body is over the upload limit before anything reads it.

The JSON parser (config.parsers) refuses an oversized body too, per view; this answers first, in
the API's error shape, for every /api/ route, whatever reads the body (a throttle keyed on the
email, axes, a view). Django would otherwise raise RequestDataTooBig while reading it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse

from config.api_errors import API_PREFIX, error_body
from config.parsers import PayloadTooLarge, declared_length


def payload_too_large_response(limit: int) -> JsonResponse:
    exc = PayloadTooLarge(limit)
    return JsonResponse(error_body(exc.code, exc.message, exc.fields), status=413)


class BodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # An upload route (an Apple Health export runs to hundreds of MB) names its own ceiling.
        limit = settings.BODY_LIMIT_BY_PATH.get(request.path, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if request.path.startswith(API_PREFIX) and limit is not None and declared_length(request.META) > limit:
            return payload_too_large_response(limit)
        return self.get_response(request)
