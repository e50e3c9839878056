"""Token authentication: knox's, less the query it spends on housekeeping in every request."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from knox.settings import knox_settings

from accounts.models import DeviceToken


class DeviceTokenAuthentication(TokenAuthentication):
    """knox's TokenAuthentication, sweeping the user's other expired tokens only when this
    token's own expiry is refreshed (at most once per MIN_REFRESH_INTERVAL per device),
    not on every request.

    The sweep is housekeeping: an expired token never authenticates (its own expiry is
    still checked on every request, and it is deleted when found expired) and the device
    list leaves expired tokens out. Run on every request it cost a SELECT of all the
    user's tokens, one of the few queries a diary write makes (bench/throughput.sh).
    """

    def _cleanup_token(self, auth_token: DeviceToken) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            return bool(super()._cleanup_token(auth_token))  # deletes it, as knox does
        return False

    def renew_token(self, auth_token: DeviceToken) -> None:
        previous = auth_token.expiry
        super().renew_token(auth_token)
        # knox writes the new expiry only when it moved by more than MIN_REFRESH_INTERVAL.
        if previous is not None and (auth_token.expiry - previous).total_seconds() > knox_settings.MIN_REFRESH_INTERVAL:
            super()._cleanup_token(auth_token)


class DeviceTokenScheme(KnoxTokenScheme):
    """The schema documents the header as knox's own: the same header and prefix."""

    target_class = "accounts.auth.DeviceTokenAuthentication"
