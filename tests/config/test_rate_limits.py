"""Every route an anonymous client can reach is rate limited, and docs/operations.md lists every limit.

The survey asks each route in the URL conf, with each method, as an anonymous client: a
401, a 403, a 405 or a redirect to the admin login means it is not public. Whatever else
answers is public, and with every throttle rate cut to one request a minute, asking again
must get a 429, unless the route is on the exempt list below with its reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import resolve
from rest_framework.throttling import SimpleRateThrottle

from tests.routes import all_routes, sample_path

pytestmark = pytest.mark.django_db

# Public routes that are not throttled, and why.
EXEMPT = {
    # The load balancer and the uptime checks poll it every few seconds from a handful of
    # addresses; a throttled health check would take a healthy service out of rotation. It
    # reads nothing of anyone's and costs three trivial queries.
    "healthz",
}

OPERATIONS_DOC = Path(settings.BASE_DIR) / "docs" / "operations.md"


def _not_public(response) -> bool:
    if response.status_code in (401, 403, 405):
        return True
    return response.status_code == 302 and response["Location"].startswith(f"/{settings.ADMIN_URL}")


def _ask(client: Client, method: str, path: str):
    if method == "post":
        return client.post(path, "{}", content_type="application/json")
    return client.get(path)


def _public_methods(client: Client, path: str) -> list[str]:
    public = []
    for method in ("get", "post"):
        cache.clear()
        if not _not_public(_ask(client, method, path)):
            public.append(method)
    return public


def test_the_survey_builds_a_path_for_every_route():
    unbuildable = [route.path for route in all_routes() if resolve(sample_path(route)).func is not route.callback]

    assert not unbuildable


def test_every_public_route_is_throttled_or_exempt_with_a_reason(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1/min")
    )
    client = Client(raise_request_exception=False)
    public: dict[str, list[str]] = {}
    unthrottled = []

    for route in all_routes():
        path = sample_path(route)
        for method in _public_methods(client, path):
            public.setdefault(route.path, []).append(method)
            cache.clear()
            first, second = _ask(client, method, path), _ask(client, method, path)
            if route.name not in EXEMPT and (first.status_code == 429 or second.status_code != 429):
                unthrottled.append(f"{method.upper()} /{route.path} ({first.status_code}, {second.status_code})")

    assert not unthrottled, f"public routes without a rate limit: {unthrottled}"
    # The survey must have found the public routes we know of, and no private one, or it proves nothing.
    assert public["api/v1/auth/login/"] == ["post"]
    assert public["admin/login/"] == ["get", "post"]
    assert {"s/<str:token>/", "unsubscribe/<str:token>/", "api/v1/catalogues/drinks/", "healthz"} <= set(public)
    assert "api/v1/episodes/" not in public
    assert "admin/accounts/user/" not in public


def documented_rate_limits() -> list[dict[str, str]]:
    section = OPERATIONS_DOC.read_text().split("\n## Rate limits\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True)) for line in lines[2:]]


def test_the_operations_doc_lists_every_throttle_scope_with_its_rate():
    rows = documented_rate_limits()
    listed = {re.sub(r"`", "", row["scope"]): re.sub(r"`", "", row["rate"]) for row in rows}

    assert listed == settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert all(row["key"] in ("address", "account") for row in rows), rows
