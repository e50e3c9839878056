"""Account writes: registration, device tokens, passwords, profile changes and deletion."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone as django_timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.email_address import EmailAddressError, lookup_form, normalise_email
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


def _normalised_email(raw: str) -> str:
    try:
        return normalise_email(raw)
    except EmailAddressError as exc:
        raise DomainError("This email address cannot be used.", fields={"email": [str(exc)]}) from None


def _refuse_taken(email: str) -> None:
    if User.objects.filter(email=email).exists():
        raise DomainError(
            "An account with this email already exists.",
            code="email_taken",
            fields={"email": ["An account with this email already exists."]},
        )


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
    email = _normalised_email(email)
    _refuse_taken(email)
    user = User(email=email, display_name=display_name, timezone=timezone, birth_year=birth_year)
    _check_password_rules(password, user=user, field="password")
    user.set_password(password)
    _full_clean(user, exclude=("password",))
    user.save()
    instance, token = device_token_create(user=user, device_name=device_name)
    email_confirmation_send(user=user)
    return user, instance, token


def user_login(*, request: HttpRequest, email: str, password: str, device_name: str) -> tuple[User, DeviceToken, str]:
    """Check the credentials through axes, so failures are counted and lock-outs enforced."""
    credentials = {"username": lookup_form(email), "password": password}
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
    user = User.objects.filter(email=lookup_form(email), is_active=True).first()
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


# --- Email confirmation ------------------------------------------------------------------------
# The link carries a signed, timestamped token of (user, address): it confirms only the address
# it was sent to, so after a change an old link does nothing, and it needs nothing stored.
_CONFIRM_SALT = "accounts.email-confirmation"


def email_confirm_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=_CONFIRM_SALT, compress=True)


def email_confirmation_send(*, user: User) -> None:
    """Email the confirmation link once the transaction that set the address commits."""
    user_id, email = user.pk, user.email

    def send() -> None:
        current = User.objects.filter(pk=user_id, email=email, email_confirmed_at__isnull=True).first()
        if current is None:
            return
        token = email_confirm_token(current)
        context = {
            "user": current,
            "token": token,
            "link": f"{settings.APP_BASE_URL}/confirm-email?token={token}",
            "days": settings.EMAIL_CONFIRM_TIMEOUT // 86400,
        }
        try:
            send_mail(
                subject="Confirm your email address for Twitchlog",
                message=render_to_string("accounts/email_confirm_email.txt", context),
                from_email=None,
                recipient_list=[current.email],
            )
        except (smtplib.SMTPException, OSError) as exc:
            # The account exists and works; the person can ask for the link again (resend).
            logger.warning("Confirmation email for user %s not sent: %s", user_id, type(exc).__name__)

    transaction.on_commit(send)


def email_confirmation_resend(*, user: User) -> bool:
    """Send the link again; False (and nothing sent) when the address is confirmed already."""
    if user.email_confirmed_at is not None:
        return False
    email_confirmation_send(user=user)
    return True


def email_confirm(*, token: str) -> User:
    """Confirm the address a link was sent to, if it is still the account's; twice is fine."""
    invalid = DomainError(
        "This confirmation link is invalid, expired, or for an address you have since changed. Ask for a new one.",
        code="invalid_token",
        fields={"token": ["Invalid, expired, or for another address."]},
    )
    try:
        payload = signing.loads(token, salt=_CONFIRM_SALT, max_age=settings.EMAIL_CONFIRM_TIMEOUT)
    except signing.BadSignature:
        raise invalid from None
    user = User.objects.filter(pk=payload.get("u"), email=payload.get("e"), is_active=True).first()
    if user is None:
        raise invalid
    if user.email_confirmed_at is None:
        user.email_confirmed_at = django_timezone.now()
        user.save(update_fields=["email_confirmed_at"])
    return user


@transaction.atomic
def email_change(*, user: User, email: str, password: str) -> User:
    """Move the account to a new address, which waits for its own confirmation (no weekly email
    goes to it until then). The password proves it is the owner, not whoever holds a phone."""
    if not user.check_password(password):
        raise DomainError(
            "The password is not right.", code="invalid", fields={"password": ["The password is not right."]}
        )
    email = _normalised_email(email)
    if email == user.email:
        return user
    _refuse_taken(email)
    user.email = email
    user.email_confirmed_at = None
    _full_clean(user, exclude=("password",))
    user.save(update_fields=["email", "email_confirmed_at"])
    email_confirmation_send(user=user)
    return user
