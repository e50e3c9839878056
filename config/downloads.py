"""The headers of a file the API hands over: its name, and that no cache may keep it."""

from __future__ import annotations

from typing import TypeVar

from django.http.response import HttpResponseBase

_Response = TypeVar("_Response", bound=HttpResponseBase)


def as_download(response: _Response, filename: str, *, inline: bool = False) -> _Response:
    """``response`` named ``filename``: saved (attachment) or shown in the browser or the phone's
    viewer (inline); health data, so no shared or browser cache may keep a copy."""
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
