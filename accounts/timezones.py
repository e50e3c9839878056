"""Validation of IANA timezone names, which every "day" and "week" of a user depends on."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError


@lru_cache(maxsize=1)
def _available() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(name: str) -> None:
    if name not in _available():
        raise ValidationError(f"'{name}' is not an IANA timezone name such as 'Europe/London' or 'America/New_York'.")
