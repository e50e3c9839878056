"""The admin site, as Django's but with its login form throttled per client address.

It lives in accounts, beside the throttle it uses, because config/ imports no app (docs/architecture.md).

Every admin page is behind a staff login already, and axes locks out a (username, address)
pair after repeated failures; the throttle also slows one address trying many usernames.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse

from accounts.throttles import AdminLoginThrottle
from config.plain_throttle import plain_view_throttled


class TwitchlogAdminSite(admin.AdminSite):
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        refused = plain_view_throttled(request, AdminLoginThrottle())
        if refused is not None:
            return refused
        return super().login(request, extra_context)


class TwitchlogAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.TwitchlogAdminSite"
