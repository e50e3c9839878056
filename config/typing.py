"""Types shared by the apps' views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.request import Request

if TYPE_CHECKING:
    from accounts.models import DeviceToken, User


class AuthenticatedRequest(Request):
    """A request that passed knox's TokenAuthentication and IsAuthenticated (the API's defaults).

    Only an annotation: DRF still hands views a plain ``Request``. It narrows ``user`` from
    ``User | AnonymousUser`` to our ``User`` and ``auth`` to the device's knox token. Views
    with ``AllowAny`` keep ``Request``.
    """

    user: User
    auth: DeviceToken
