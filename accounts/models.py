"""The user (email login, profile, preferences) and the per-device login token."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone as django_timezone
from knox.models import AbstractAuthToken

from accounts.email_address import lookup_form, normalise_email
from accounts.timezones import validate_timezone


def validate_birth_year(year: int) -> None:
    if not 1900 <= year <= date.today().year:
        raise ValidationError(f"Year of birth must be between 1900 and {date.today().year}.")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("Users must have an email address")
        user = self.model(email=normalise_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # Emails are stored normalised (accounts.email_address), so "Ann@Example.org" logs in as
        # "ann@example.org".
        return self.get(email=lookup_form(username or ""))


# knox ships no type hints, so the Django plugin cannot see DeviceToken's manager (knox's
# AuthTokenManager) and fails to build the reverse ``auth_token_set`` manager it adds here.
class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=100, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    # When the current zone came into force (the last TimezoneChange); null: it always was. Lets
    # the readers of a diary skip the history for the many people who never moved.
    timezone_since = models.DateTimeField(null=True, blank=True)
    weekly_summary_enabled = models.BooleanField(default=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True, validators=[validate_birth_year])
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=django_timezone.now)
    # When the person opened the confirmation link sent to ``email``; null until then, and again
    # after the address changes. The app works at once; weekly emails wait for it.
    email_confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True) | models.Q(birth_year__gte=1900),
                name="user_birth_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.email


class DeviceToken(AbstractAuthToken):
    """A knox token for one device, named by the app at login so the user can tell them apart."""

    # The digest is the primary key; the app addresses a device by this opaque id instead,
    # so nothing derived from the secret token ever leaves the server.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    device_name = models.CharField(max_length=100, default="Unnamed device")

    class Meta:
        ordering = ("-created",)


class TimezoneChange(models.Model):
    """One change of the profile's zone, kept with its moment and never applied backwards:
    what was logged before it, without an offset of its own, stays in the zone it was logged in."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="timezone_changes")
    changed_at = models.DateTimeField()
    old_timezone = models.CharField(max_length=64)
    new_timezone = models.CharField(max_length=64)

    class Meta:
        db_table = "accounts_timezone_change"
        indexes = [models.Index(fields=["user", "changed_at"], name="tzchange_user_time")]

    def __str__(self) -> str:
        return f"{self.old_timezone} -> {self.new_timezone} at {self.changed_at:%Y-%m-%d %H:%M} UTC"
