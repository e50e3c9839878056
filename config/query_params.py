"""Strict reading of query parameters: a malformed value is a 400 naming the parameter and its rule."""

from __future__ import annotations

import re

from rest_framework.request import Request

from config.errors import DomainError


def whole_number(request: Request, name: str, *, minimum: int, maximum: int) -> int | None:
    """The parameter as a whole number from ``minimum`` to ``maximum``, or None when it is absent."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    rule = f"must be a whole number from {minimum} to {maximum}"
    # ASCII digits only: int() would also take " 7", "+7", "7_0" and other scripts' digits.
    if not re.fullmatch(r"[0-9]{1,20}", raw, flags=re.ASCII) or not minimum <= int(raw) <= maximum:
        raise DomainError(f"Invalid {name}: it {rule}.", fields={name: [rule]})
    return int(raw)
