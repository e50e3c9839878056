"""IANA timezone names, which every "day" and "week" of a user depends on: their validation, and a
user's today."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone

if TYPE_CHECKING:
    # Only for the annotation: the User model validates its timezone with this module.
    from accounts.models import User


@lru_cache(maxsize=1)
def _available() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(name: str) -> None:
    if name not in _available():
        raise ValidationError(f"'{name}' is not an IANA timezone name such as 'Europe/London' or 'America/New_York'.")


def local_today(user: User, now: datetime | None = None) -> date:
    """The day it is in the user's timezone, now or at ``now``."""
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(user.timezone)).date()
