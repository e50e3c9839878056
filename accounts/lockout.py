"""What a locked-out login gets: the API's error shape with the time to retry."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from django.http import HttpRequest, JsonResponse

from config.api_errors import error_body


def lockout_seconds() -> int:
    cool_off = get_cool_off()
    return int(cool_off.total_seconds()) if cool_off else 0


def lockout_message() -> str:
    minutes = max(1, round(lockout_seconds() / 60))
    return f"Too many failed logins. This account is locked from this address; try again in {minutes} minutes."


def lockout_response(
    request: HttpRequest, response: Any = None, credentials: Any = None, *args: Any, **kwargs: Any
) -> JsonResponse:
    result = JsonResponse(
        error_body("locked_out", lockout_message(), {"retry_after_seconds": lockout_seconds()}), status=429
    )
    result["Retry-After"] = str(lockout_seconds())
    return result
