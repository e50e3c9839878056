"""Account reads."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import DeviceToken, User


def device_list(*, user: User) -> QuerySet[DeviceToken]:
    """The user's devices whose token has not expired."""
    return DeviceToken.objects.filter(user=user).exclude(expiry__lt=timezone.now()).order_by("-created")
