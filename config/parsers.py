"""The JSON parser of the whole API, and the limits every JSON text is read under.

Limits at the door, before any view sees a body:

- Size: a body longer than the view's ``max_body_bytes`` (by default Django's
  DATA_UPLOAD_MAX_MEMORY_SIZE) is a 413 in the API's error shape; config.body_limit answers
  the same for any /api/ request before its body is even read.
- Depth: JSON nested deeper than MAX_JSON_DEPTH is a 400. The deepest body the API takes (a
  sync push: changes, table, kind, record, column) is 6 levels; Python's decoder recurses once
  per level and a 100,000-deep body used to end in a RecursionError, a 500 on every endpoint.
- Text: JSON's \\u escapes can spell a lone surrogate ("\\ud800"), which Python reads into a str
  that cannot be encoded as UTF-8: PostgreSQL cannot store it and the renderer cannot echo it
  back. I-JSON (RFC 7493) forbids such strings; so does this parser.
- Constants: NaN and Infinity are not JSON (RFC 8259) and are refused.

The same ``loads_limited`` reads the JSON-in-text columns of the sync wire (WatermelonDB's
``@json`` strings: body sites, symptoms, tremor samples), so a string column cannot smuggle in
what a body may not carry.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Mapping
from itertools import chain
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from config.errors import DomainError

MAX_JSON_DEPTH = 20


class JsonLimitError(ValueError):
    """A JSON text that breaks one of the limits; the message names the rule."""


class PayloadTooLarge(DomainError):
    status_code = 413

    def __init__(self, limit: int) -> None:
        rule = f"at most {_size(limit)} per request"
        super().__init__(f"The request body is too large: {rule}.", code="payload_too_large", fields={"body": [rule]})


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def _refuse_constant(name: str) -> Any:
    raise JsonLimitError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


# A JSON escape that spells a UTF-16 surrogate: the only way a lone one gets into a str parsed
# from text that is itself valid UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def json_problem(value: Any, *, max_depth: int = MAX_JSON_DEPTH, strings: bool = True) -> str | None:
    """The first limit a parsed JSON value breaks (nesting, lone surrogates), or None.

    One iterative walk: no recursion, so the check itself cannot overflow the stack. With
    ``strings=False`` (the caller knows its text could not spell a surrogate) only the
    nesting is walked, which is most of the cost saved on a large sync push.
    """
    if not strings:
        return f"nested more than {max_depth} levels deep" if _nested_deeper_than(value, max_depth) else None
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "a string holds an unpaired surrogate (\\ud800-\\udfff), not text"
        elif isinstance(item, dict | list):
            if depth > max_depth:
                return f"nested more than {max_depth} levels deep"
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return None


_CONTAINERS = frozenset({dict, list})


def _nested_deeper_than(value: Any, max_depth: int) -> bool:
    """Whether a value parsed from JSON (dicts, lists and scalars only) holds an array or object
    deeper than ``max_depth`` (the value itself is level 1). Level by level, without recursion:
    each level's children are gathered and their types looked at in C (chain, map, isdisjoint),
    so the hundreds of records of a sync push, whose values are scalars, cost no Python loop
    over their values."""
    level = [value] if type(value) in _CONTAINERS else []
    depth = 1
    while level:
        if depth > max_depth:
            return True
        children = list(chain.from_iterable([item.values() if type(item) is dict else item for item in level]))
        if _CONTAINERS.isdisjoint(map(type, children)):
            return False
        level = [child for child in children if type(child) in _CONTAINERS]
        depth += 1
    return False


def _openings(text: str | bytes) -> int:
    """How many arrays and objects the text could open: a bound on its nesting, counted in C."""
    if isinstance(text, bytes):
        return text.count(b"[") + text.count(b"{")
    return text.count("[") + text.count("{")


def _may_spell_surrogates(text: str | bytes) -> bool:
    if isinstance(text, bytes):
        return True  # json.loads decodes bytes with surrogatepass: walk every string
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return _SURROGATE_ESCAPE.search(text) is not None


def loads_limited(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` under the API's limits; a JsonLimitError (a ValueError) names the one broken."""
    try:
        # One decoder for every text: json.loads would build a new one (and its scanner) per call,
        # as it does whenever parse_constant is given; a sync push reads hundreds of @json texts.
        if isinstance(text, str) and not text.startswith("\ufeff"):
            data = _DECODER.decode(text)
        else:
            data = json.loads(text, parse_constant=_refuse_constant)  # bytes, or a BOM to refuse in its words
    except RecursionError:
        raise JsonLimitError(f"nested more than {max_depth} levels deep") from None
    except JsonLimitError:
        raise
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, an integer of over 4,300 digits
        raise JsonLimitError(f"not valid JSON ({exc})") from None
    strings = _may_spell_surrogates(text)
    if not strings and _openings(text) <= max_depth:
        return data  # no surrogate can be spelled, and fewer brackets than the depth limit
    problem = json_problem(data, max_depth=max_depth, strings=strings)
    if problem:
        raise JsonLimitError(problem)
    return data


def body_limit(view: Any) -> int:
    """The largest body ``view`` takes: its own ``max_body_bytes``, or Django's upload limit."""
    return int(getattr(view, "max_body_bytes", None) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def declared_length(meta: Mapping[str, Any]) -> int:
    try:
        return max(0, int(meta.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class UnicodeJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        context = parser_context or {}
        limit = body_limit(context.get("view"))
        request = context.get("request")
        if request is not None and declared_length(request.META) > limit:
            raise PayloadTooLarge(limit)
        encoding = context.get("encoding", settings.DEFAULT_CHARSET)
        # One byte over the limit is enough to know a body without a Content-Length is too long.
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(limit)
        try:
            text = codecs.decode(raw, encoding)
            return loads_limited(text)
        except (JsonLimitError, UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
