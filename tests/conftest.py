"""Fixtures shared by the whole suite: users, authenticated API clients, a clean cache."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import device_token_create
from tests.builders import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    # Throttle counters live in the cache: every test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    counter = {"n": 0}

    def make(email: str | None = None, password: str = PASSWORD, **extra: Any) -> User:
        counter["n"] += 1
        email = email or f"user{counter['n']}@example.org"
        return UserFactory(email=email, password=password, **extra)

    return make


@pytest.fixture
def user(make_user: Callable[..., User]) -> User:
    return make_user(email="ann@example.org", display_name="Ann", timezone="Europe/London")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def authenticated_client(user: User, device_name: str = "test phone") -> APIClient:
    client = APIClient()
    _, token = device_token_create(user=user, device_name=device_name)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def client_for() -> Callable[[User], APIClient]:
    return authenticated_client


@pytest.fixture
def auth_client(user: User) -> APIClient:
    return authenticated_client(user)
