"""DRF's content negotiation, answering the everyday request without parsing its Accept header.

A phone's request says ``Accept: application/json``, ``*/*`` or nothing; for those DRF's
negotiation parses the header, orders its media types by precedence and matches each renderer
against each, about a hundred Python calls to reach the answer these give at once (about 4% of
an episode POST's CPU, bench/throughput.sh). Anything else (a format override, a browser's
list of types, a type with parameters) goes to DRF's own negotiation, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> Any:
        renderers = list(renderers)
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        first = renderers[0] if renderers else None
        asks_for_format = format_suffix or self.settings.URL_FORMAT_OVERRIDE in request.query_params
        if first is not None and not asks_for_format and accept in ("*/*", first.media_type):
            # What DRF answers: the first renderer, with its own media type.
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
