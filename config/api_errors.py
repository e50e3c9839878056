"""One error shape for every 4xx and 5xx the API returns.

Every error body is ``{"error": {"code": str, "message": str, "fields": {name: [str]}}}``,
whether it comes from DRF (validation, authentication, throttling, parse errors, wrong
method), from Django (404, 500 under /api/) or from a service's DomainError.

A URL under /api/ that matches no route answers the same 404 body (ApiNotFoundMiddleware),
in development too, where Django would show its HTML debug page; other paths keep
Django's own 404 page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from config.errors import DomainError
from config.parsers import PayloadTooLarge

logger = logging.getLogger(__name__)


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten_detail(detail: Any) -> Any:
    """Turn DRF's nested ErrorDetail structure into plain strings, keeping its nesting."""
    if isinstance(detail, dict):
        return {str(key): _flatten_detail(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten_detail(item) for item in detail]
    return str(detail)


def _validation_message(fields: dict[str, Any]) -> str:
    names = ", ".join(sorted(fields)) if fields else "the request"
    return f"Invalid input: check {names}."


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        # A body without a Content-Length that Django found too long while reading it.
        exc = PayloadTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif isinstance(exc, SuspiciousOperation):
        exc = DomainError("The request was refused as malformed.", code="bad_request")
    if isinstance(exc, DomainError):
        answer = Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
        seconds = exc.fields.get("retry_after_seconds")
        if exc.status_code == 429 and isinstance(seconds, int):
            # Every 429 says when to come back (RFC 9110 section 10.2.3), as DRF's throttles do.
            answer["Retry-After"] = str(seconds)
        return answer
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(fields)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        # An unexpected error: log it with its trace (never the request body) and answer
        # in the same shape, so the app can show a generic message.
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
        return Response(
            error_body("server_error", "Something went wrong on our side. Please try again later."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    if isinstance(exc, exceptions.ValidationError):
        detail = _flatten_detail(exc.detail)
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        response.data = error_body("invalid", _validation_message(fields), fields)
    elif isinstance(exc, exceptions.Throttled):
        retry_after: float | None = exc.wait  # type: ignore[attr-defined]  # DRF sets it; the stubs omit it
        wait = int(retry_after) if retry_after is not None else None
        message = f"Too many requests. Try again in {wait} seconds." if wait is not None else "Too many requests."
        response.data = error_body("throttled", message, {"retry_after_seconds": wait} if wait is not None else {})
    elif isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        response.data = error_body(str(code), str(exc.detail))
    return response


API_PREFIX = "/api/"


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", "Not found."), status=404)


class ApiNotFoundMiddleware:
    """An unmatched URL under /api/ answers the API's 404 body, not Django's HTML page.

    Only a request that matched no route is answered here (``resolver_match`` is unset):
    a view's own 404 already speaks the API's shape. It sits outside CommonMiddleware, so
    a path missing its trailing slash is still redirected to the route it meant.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code == 404 and request.resolver_match is None and request.path.startswith(API_PREFIX):
            return json_not_found(request)
        return response


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body("server_error", "Something went wrong on our side. Please try again later."), status=500
    )
