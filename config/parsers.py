"""The JSON parser of the whole API: JSON that is also valid Unicode, or a 400.

JSON's \\u escapes can spell a lone surrogate ("\\ud800"), which Python reads into a str that
cannot be encoded as UTF-8: PostgreSQL cannot store it and the renderer cannot echo it back
in an error message, so it used to be a 500 wherever it went. I-JSON (RFC 7493) forbids such
strings; so does this parser, before any view sees the body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _has_lone_surrogate(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class UnicodeJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if _has_lone_surrogate(data):
            raise ParseError("JSON parse error - a string holds an unpaired surrogate (\\ud800-\\udfff), not text.")
        return data
