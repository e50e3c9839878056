"""The 429 of the plain Django views a person opens: the admin login, a share link, an unsubscribe link.

DRF throttles its own views before they run and answers in the API's error shape
(config.api_errors); a plain view asks ``plain_view_throttled`` first and answers a person.
This module imports no DRF view machinery, so the admin site can use it while apps load.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol

from django.http import HttpRequest, HttpResponse
from rest_framework import status
from rest_framework.request import Request

TOO_MANY_REQUESTS_TEXT = "Too many requests. Please try again in a minute."


class AddressThrottle(Protocol):
    """A DRF throttle that counts by the client's address alone and so needs no view."""

    def allow_request(self, request: Request, view: Any) -> bool: ...

    def wait(self) -> float | None: ...


def plain_view_throttled(
    request: HttpRequest, throttle: AddressThrottle, page: Callable[[], HttpResponse] | None = None
) -> HttpResponse | None:
    """None if ``throttle`` lets the request through; else the 429 to answer with.

    The body is ``page()`` (a page for a person) or a short text; Retry-After says when to
    come back.
    """
    # The DRF Request hands on the address (request.META) of the Django request it wraps.
    if throttle.allow_request(Request(request), None):
        return None
    response = (
        page() if page is not None else HttpResponse(TOO_MANY_REQUESTS_TEXT, content_type="text/plain; charset=utf-8")
    )
    response.status_code = status.HTTP_429_TOO_MANY_REQUESTS
    wait = throttle.wait()
    if wait is not None:
        response["Retry-After"] = str(max(1, math.ceil(wait)))
    return response
