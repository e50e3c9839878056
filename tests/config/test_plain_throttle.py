"""The 429 of the plain pages a person opens (admin login, share link, unsubscribe link)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_request_a_minute(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1/min")
    )


def test_an_unsubscribe_link_over_its_limit_answers_429_in_text_with_retry_after(one_request_a_minute):
    client = Client()
    first = client.get("/unsubscribe/not-a-token/")
    second = client.get("/unsubscribe/not-a-token/")

    assert first.status_code == 400  # the damaged link's own page: the throttle let it through
    assert second.status_code == 429
    assert second["Content-Type"] == "text/plain; charset=utf-8"
    assert second.content.decode() == "Too many requests. Please try again in a minute."
    assert 1 <= int(second["Retry-After"]) <= 60


def test_the_admin_login_over_its_limit_answers_429_in_text_with_retry_after(one_request_a_minute):
    client = Client()
    assert client.get(f"/{settings.ADMIN_URL}login/").status_code == 200
    refused = client.get(f"/{settings.ADMIN_URL}login/")

    assert refused.status_code == 429
    assert refused.content.decode() == "Too many requests. Please try again in a minute."
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_a_share_link_over_its_limit_answers_429_as_a_page_with_retry_after(one_request_a_minute):
    client = Client()
    client.get("/s/no-such-token/")
    refused = client.get("/s/no-such-token/")

    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/html")
    assert "Too many requests" in refused.content.decode()
    assert 1 <= int(refused["Retry-After"]) <= 60
