"""Password rules beyond Django's own validators (settings.AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class NotOnlyWhitespaceValidator:
    """Ten spaces pass a length rule but are no secret: a password needs a visible character."""

    def validate(self, password: str, user: Any = None) -> None:
        if not password.strip():
            raise ValidationError("This password is only spaces; use some letters, digits or symbols.", code="blank")

    def get_help_text(self) -> str:
        return "Your password cannot be only spaces."
