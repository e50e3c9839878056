"""Request and response shapes of the account endpoints."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers

from accounts.email_address import EmailAddressError, lookup_form, normalise_email
from accounts.models import DeviceToken, User
from accounts.timezones import validate_timezone
from config import json_fields


class AddressField(json_fields.EmailField):
    """An email address in its stored form (accounts.email_address) before it is validated, so a
    full-width or upper-case or Unicode-domain spelling is read as the address it stands for. A new
    address (``lookup=False``) also refuses lookalikes; one to look up never refuses, it just finds
    no account."""

    def __init__(self, *, lookup: bool = False, **kwargs: Any) -> None:
        self.lookup = lookup
        super().__init__(max_length=254, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            if self.lookup:
                data = lookup_form(data)
            else:
                try:
                    data = normalise_email(data)
                except EmailAddressError as exc:
                    raise serializers.ValidationError(str(exc), code="invalid") from None
        return super().to_internal_value(data)


def password_field() -> json_fields.CharField:
    return json_fields.CharField(
        write_only=True, trim_whitespace=False, max_length=256, style={"input_type": "password"}
    )


def device_name_field() -> json_fields.CharField:
    return json_fields.CharField(
        max_length=100,
        required=False,
        default="Unnamed device",
        help_text='How the app names this device, e.g. "Ann\'s iPhone".',
    )


class UserSerializer(serializers.ModelSerializer[User]):
    # The fields read from the model, too, take only their own JSON type.
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: json_fields.CharField,
        models.BooleanField: json_fields.BooleanField,
        models.PositiveSmallIntegerField: json_fields.IntegerField,
    }
    timezone = json_fields.CharField(
        max_length=64,
        validators=[validate_timezone],
        required=False,
        help_text=(
            "IANA timezone name; today, weeks and the Monday email follow it. The app sends the phone's "
            "zone whenever it changes: the change holds from that moment on (timezone_since), and entries "
            "logged before it without an offset of their own stay in the zone they were logged in."
        ),
    )
    timezone_since = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the current timezone came into force; null: always."
    )

    class Meta:
        model = User
        fields = (
            "id",
            "email",
            "email_confirmed_at",
            "display_name",
            "timezone",
            "timezone_since",
            "weekly_summary_enabled",
            "birth_year",
            "date_joined",
        )
        read_only_fields = ("id", "email", "email_confirmed_at", "timezone_since", "date_joined")
        extra_kwargs = {  # DRF reads a plain dict
            "email_confirmed_at": {
                "help_text": "When the address was confirmed by its emailed link; null until then. "
                "Weekly summaries wait for it."
            }
        }


class RegisterSerializer(serializers.Serializer):
    email = AddressField()
    password = password_field()
    display_name = json_fields.CharField(max_length=100, required=False, default="", allow_blank=True)
    timezone = json_fields.CharField(max_length=64, required=False, default="UTC", validators=[validate_timezone])
    birth_year = json_fields.IntegerField(required=False, allow_null=True, default=None, min_value=1900)
    device_name = device_name_field()


class LoginSerializer(serializers.Serializer):
    email = AddressField(lookup=True)
    password = password_field()
    device_name = device_name_field()


class DeviceSerializer(serializers.ModelSerializer[DeviceToken]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(source="device_name", read_only=True)
    created_at = serializers.DateTimeField(source="created", read_only=True)
    expires_at = serializers.DateTimeField(source="expiry", read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = DeviceToken
        fields = ("id", "name", "created_at", "expires_at", "current")

    def get_current(self, token: DeviceToken) -> bool:
        return token.pk == getattr(self.context.get("current_token"), "pk", None)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`. Shown once.")
    expires_at = serializers.DateTimeField(allow_null=True)
    device = DeviceSerializer()
    user = UserSerializer()


class PasswordChangeSerializer(serializers.Serializer):
    old_password = password_field()
    new_password = password_field()


class PasswordResetRequestSerializer(serializers.Serializer):
    email = AddressField(lookup=True)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = json_fields.CharField(max_length=64)
    token = json_fields.CharField(max_length=128)
    new_password = password_field()


class EmailConfirmSerializer(serializers.Serializer):
    token = json_fields.CharField(max_length=500, help_text="The code from the confirmation email.")


class EmailChangeSerializer(serializers.Serializer):
    email = AddressField()
    password = password_field()


class AccountDeleteSerializer(serializers.Serializer):
    password = password_field()


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
