"""Throttles for the unauthenticated endpoints, per client address and per account.

They count in the default cache, which is Redis in production and CI, so every web
process shares one count.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from accounts.email_address import lookup_form


class _PerAddressThrottle(SimpleRateThrottle):
    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _PerAccountThrottle(SimpleRateThrottle):
    """Counts attempts against one email address, from wherever they come."""

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        try:
            data = request.data
        except APIException as exc:
            # Malformed, nested too deep, too large, or not JSON: the per-address throttle has counted
            # it. DRF hands any later reader empty data, so the error is kept for the view to raise
            # (accounts.views) rather than answer "email is required".
            request.unreadable_body = exc  # type: ignore[attr-defined]  # read back by accounts.views
            return None
        email = data.get("email") if hasattr(data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        # Hashed: the email is whatever the client sent, of any length and any characters (the
        # throttle runs before validation), and an address has no place in the cache in clear.
        ident = hashlib.sha256(lookup_form(email).encode("utf-8", "surrogatepass")).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginAddressThrottle(_PerAddressThrottle):
    scope = "login_ip"


class LoginAccountThrottle(_PerAccountThrottle):
    scope = "login_account"


class RegisterAddressThrottle(_PerAddressThrottle):
    scope = "register_ip"


class ResetAddressThrottle(_PerAddressThrottle):
    scope = "reset_ip"


class ResetAccountThrottle(_PerAccountThrottle):
    scope = "reset_account"


class SharePublicThrottle(_PerAddressThrottle):
    scope = "share_public"


class UnsubscribeThrottle(_PerAddressThrottle):
    scope = "unsubscribe"


class AdminLoginThrottle(_PerAddressThrottle):
    scope = "admin_login"


class ConfirmationResendThrottle(UserRateThrottle):
    """Confirmation emails again, per account, at the rate of reset emails: each sends an email."""

    scope = "reset_account"
