"""Every route in the URL conf, found by walking the resolver, for the tests that must cover them all.

The BOLA matrix and the rate-limit survey both start from this list, so a route added to
any urls.py is in their scope the day it is added.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    name: str
    path: str  # as written in the URL conf, parameters and all, without the leading slash
    parameters: tuple[str, ...]
    allowed: frozenset[str]  # for class-based views; empty for plain functions, which do not say
    callback: Any


def _allowed_methods(callback: Any) -> frozenset[str]:
    actions = getattr(callback, "actions", None)
    if actions:
        # DRF adds "head" to a ViewSet's actions the first time it serves a request, so
        # only the methods that carry meaning count, whatever ran before.
        return frozenset(actions) & frozenset(METHODS)
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return frozenset(m for m in METHODS if view is not None and hasattr(view, m))


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern, tuple[str, ...]]]:
    for entry in resolver.url_patterns:
        path = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            for sub_path, pattern, parameters in _walk(entry, path):
                yield sub_path, pattern, (*entry.pattern.regex.groupindex, *parameters)
        else:
            yield path, entry, tuple(entry.pattern.regex.groupindex)


def all_routes() -> list[Route]:
    return [
        Route(
            pattern.name or f"<unnamed {path}>",
            path,
            parameters,
            _allowed_methods(pattern.callback),
            pattern.callback,
        )
        for path, pattern, parameters in _walk(get_resolver())
    ]


_SAMPLES = {"int": "1", "uuid": str(uuid.UUID(int=1))}


def _regex_sample(match: re.Match[str]) -> str:
    # A group that lists its values (the admin's app labels) takes the first of them.
    body = match.group(2)
    return body.split("|")[0] if re.fullmatch(r"[\w|-]+", body) else "sample"


def sample_path(route: Route) -> str:
    """A concrete path for the route, each parameter filled with a value of its type."""
    path = re.sub(r"\(\?P<(\w+)>(.*?)\)", _regex_sample, route.path)
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: _SAMPLES.get(m.group(1) or "str", "sample"), path)
