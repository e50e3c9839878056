"""Account reads."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import DeviceToken, TimezoneChange, User


def device_list(*, user: User) -> QuerySet[DeviceToken]:
    """The user's devices whose token has not expired."""
    return DeviceToken.objects.filter(user=user).exclude(expiry__lt=timezone.now()).order_by("-created")


def timezone_periods(*, user: User) -> list[tuple[datetime | None, str]]:
    """The zones the profile has had, oldest first, each with the moment (UTC) it came into force:
    ``[(None, "Europe/London"), (<2026-11-02 07:00 UTC>, "Asia/Tokyo")]``. The first holds from the
    beginning; the last is the current zone. No query for a profile whose zone never changed."""
    if user.timezone_since is None:
        return [(None, user.timezone)]
    changes = list(
        TimezoneChange.objects.filter(user=user).order_by("changed_at", "pk").values_list("changed_at", "old_timezone")
    )
    if not changes:
        return [(None, user.timezone)]
    periods: list[tuple[datetime | None, str]] = [(None, changes[0][1])]
    # Each change ends the zone before it: the next change's old zone, or the current one.
    for (changed_at, _), zone in zip(changes, [*(old for _, old in changes[1:]), user.timezone], strict=True):
        periods.append((changed_at, zone))
    return periods


def user_get(*, user_id: int) -> User | None:
    """The user with this id, or None when the account is gone (a task queued before a deletion)."""
    return User.objects.filter(pk=user_id).first()
