"""Account writes: registration, device tokens, passwords, profile changes and deletion."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone as django_timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.lockout import lockout_message, lockout_seconds
from accounts.models import DeviceToken, TimezoneChange, User
from config.errors import DomainError, NotFound

logger = logging.getLogger(__name__)

PROFILE_FIELDS = ("display_name", "timezone", "weekly_summary_enabled", "birth_year")


def _check_password_rules(password: str, *, user: User | None, field: str) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise DomainError("This password is not allowed.", code="invalid", fields={field: exc.messages}) from exc


def _full_clean(user: User, *, exclude: tuple[str, ...] = ()) -> None:
    try:
        user.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise DomainError("Invalid input.", code="invalid", fields=exc.message_dict) from exc


def device_token_create(*, user: User, device_name: str) -> tuple[DeviceToken, str]:
    """Issue a new token for one device. The raw token is returned once and never stored."""
    instance, token = DeviceToken.objects.create(user=user, device_name=device_name or "Unnamed device")
    return instance, token


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    device_name: str,
    display_name: str = "",
    timezone: str = "UTC",
    birth_year: int | None = None,
) -> tuple[User, DeviceToken, str]:
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise DomainError(
            "An account with this email already exists.",
            code="email_taken",
            fields={"email": ["An account with this email already exists."]},
        )
    user = User(email=email, display_name=display_name, timezone=timezone, birth_year=birth_year)
    _check_password_rules(password, user=user, field="password")
    user.set_password(password)
    _full_clean(user, exclude=("password",))
    user.save()
    instance, token = device_token_create(user=user, device_name=device_name)
    return user, instance, token


def user_login(*, request: HttpRequest, email: str, password: str, device_name: str) -> tuple[User, DeviceToken, str]:
    """Check the credentials through axes, so failures are counted and lock-outs enforced."""
    credentials = {"username": email.strip().lower(), "password": password}
    if AxesProxyHandler.is_locked(request, credentials={"username": credentials["username"]}):
        raise DomainError(
            lockout_message(), code="locked_out", fields={"retry_after_seconds": lockout_seconds()}, status_code=429
        )
    user = authenticate(request, **credentials)
    if getattr(request, "axes_locked_out", False):
        raise DomainError(
            lockout_message(), code="locked_out", fields={"retry_after_seconds": lockout_seconds()}, status_code=429
        )
    if user is None or not isinstance(user, User):
        raise DomainError("The email or password is not right.", code="invalid_credentials", status_code=400)
    instance, token = device_token_create(user=user, device_name=device_name)
    return user, instance, token


def device_revoke(*, user: User, public_id: Any) -> None:
    deleted, _ = DeviceToken.objects.filter(user=user, public_id=public_id).delete()
    if not deleted:
        raise NotFound("No such device.")


def logout_current(*, token: DeviceToken) -> None:
    token.delete()


def logout_all(*, user: User) -> int:
    deleted, _ = DeviceToken.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str, keep: DeviceToken | None) -> None:
    """Change the password and sign out every other device: a changed password should lock out a thief."""
    if not user.check_password(old_password):
        raise DomainError(
            "The current password is not right.",
            code="invalid",
            fields={"old_password": ["The current password is not right."]},
        )
    _check_password_rules(new_password, user=user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    others = DeviceToken.objects.filter(user=user)
    if keep is not None:
        others = others.exclude(pk=keep.pk)
    others.delete()


def password_reset_request(*, email: str) -> None:
    """Email a single-use reset token when the account exists; say nothing either way.

    The token is Django's PasswordResetTokenGenerator's: it is bound to the current
    password hash and last login, so it stops working once used, and after
    PASSWORD_RESET_TIMEOUT.
    """
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    context = {
        "user": user,
        "uid": uid,
        "token": token,
        "link": f"{settings.APP_BASE_URL}/reset-password?uid={uid}&token={token}",
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    send_mail(
        subject="Reset your Twitchlog password",
        message=render_to_string("accounts/password_reset_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    invalid = DomainError(
        "This reset link is invalid or has already been used. Ask for a new one.",
        code="invalid_token",
        fields={"token": ["Invalid, expired or already used."]},
    )
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError):
        raise invalid from None
    user = User.objects.select_for_update().filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        raise invalid
    _check_password_rules(new_password, user=user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    # Whoever asked for a reset may have lost a device: sign every device out.
    DeviceToken.objects.filter(user=user).delete()
    return user


@transaction.atomic
def user_update(*, user: User, data: dict[str, Any], now: datetime | None = None) -> User:
    """Change the profile. A new timezone (the app sends the phone's whenever it changes) is kept
    with its moment in the zone history: it holds from now on, never backwards, so a diary's
    earlier days stay where they were lived."""
    old_timezone = user.timezone
    changed = [field for field in PROFILE_FIELDS if field in data]
    for field in changed:
        setattr(user, field, data[field])
    _full_clean(user, exclude=("password",))
    if user.timezone != old_timezone:
        moment = now or django_timezone.now()
        TimezoneChange.objects.create(
            user=user, changed_at=moment, old_timezone=old_timezone, new_timezone=user.timezone
        )
        user.timezone_since = moment
        changed.append("timezone_since")
    if changed:
        user.save(update_fields=changed)
    return user


@transaction.atomic
def user_delete(*, user: User, password: str) -> None:
    """Delete the account and, through the foreign keys' cascades, every row of its data, for good."""
    if not user.check_password(password):
        raise DomainError(
            "The password is not right.", code="invalid", fields={"password": ["The password is not right."]}
        )
    # Axes keeps login records by email, not by foreign key, so they are removed by hand.
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username=user.email).delete()
    user.delete()
