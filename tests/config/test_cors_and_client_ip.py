"""Who may call the API from a browser (CORS), and which address counts as the client's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from insights.reports.models import ShareAccess
from insights.reports.services import share_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

WEB_CLIENT = "https://app.example.org"


def preflight(path: str, origin: str):
    return Client().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


def test_by_default_no_origin_may_call_the_api_from_a_browser():
    response = preflight("/api/v1/episodes/", WEB_CLIENT)

    assert "Access-Control-Allow-Origin" not in response


@override_settings(CORS_ALLOWED_ORIGINS=[WEB_CLIENT])
def test_an_allowed_origin_may_call_the_api_with_its_token_header():
    response = preflight("/api/v1/episodes/", WEB_CLIENT)

    assert response["Access-Control-Allow-Origin"] == WEB_CLIENT
    assert "authorization" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response  # a token header, never cookies


@override_settings(CORS_ALLOWED_ORIGINS=[WEB_CLIENT])
def test_an_origin_not_on_the_list_is_still_refused():
    response = preflight("/api/v1/episodes/", "https://evil.example.org")

    assert "Access-Control-Allow-Origin" not in response


@override_settings(CORS_ALLOWED_ORIGINS=[WEB_CLIENT])
def test_even_an_allowed_origin_gets_nothing_outside_the_api():
    for path in ("/s/some-token/", "/unsubscribe/some-token/", "/admin/login/"):
        response = Client().get(path, HTTP_ORIGIN=WEB_CLIENT)
        assert "Access-Control-Allow-Origin" not in response, path


def register(address: str, forwarded_for: str, n: int) -> int:
    body = {"email": f"n{n}@example.org", "password": PASSWORD}
    return (
        Client(REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=forwarded_for)
        .post("/api/v1/auth/register/", body, content_type="application/json")
        .status_code
    )


def test_with_no_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_throttle():
    assert settings.NUM_PROXIES == 0
    statuses = [register("198.51.100.7", f"10.9.0.{n}", n) for n in range(11)]

    assert statuses[:10] == [201] * 10
    assert statuses[10] == 429


def behind_one_proxy():
    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}, NUM_PROXIES=1)


def test_behind_one_proxy_each_client_is_throttled_by_its_own_address():
    proxy = "10.0.0.2"
    with behind_one_proxy():
        first = [register(proxy, f"forged-{n}, 203.0.113.5", n) for n in range(11)]
        second = register(proxy, "203.0.113.6", 99)

    # The forged left-hand entries are ignored: all eleven came from 203.0.113.5.
    assert first[10] == 429
    assert second == 201


def test_behind_one_proxy_the_share_access_log_records_the_real_client(user):
    today = timezone.now().date()
    share, token = share_create(user=user, start=today - timedelta(days=30), end=today)

    with behind_one_proxy():
        response = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9").get(f"/s/{token}/")

    assert response.status_code == 200
    assert list(ShareAccess.objects.filter(share=share).values_list("ip", flat=True)) == ["203.0.113.9"]


def test_behind_one_proxy_a_lock_out_stops_one_client_not_everyone_behind_the_balancer(user):
    def login(client_address: str, password: str) -> int:
        return (
            Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client_address)
            .post("/api/v1/auth/login/", {"email": user.email, "password": password}, content_type="application/json")
            .status_code
        )

    with behind_one_proxy():
        for _ in range(5):
            login("203.0.113.66", "wrong-password-x")
        assert login("203.0.113.66", PASSWORD) == 429
        assert login("203.0.113.5", PASSWORD) == 200
