"""A connection keeps the tokens it checked until PostgreSQL says they changed (accounts/token_cache.py).

Real PostgreSQL, outside any test transaction (the cache is off inside one): the API's second
request with a token does not SELECT it again, and every change to the token or its user,
made by another connection as another server would make it (a logout, a deactivated account,
a profile edit, a deleted account, a TRUNCATE), reaches this connection before its next request.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.crypto import hash_token
from rest_framework.test import APIClient

from accounts.models import DeviceToken, User
from accounts.services import device_token_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="LISTEN/NOTIFY is PostgreSQL's"),
]


@pytest.fixture
def other_server() -> Iterator[psycopg.Connection[Any]]:
    """A connection of its own to the test database, committing each statement, as another server's."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    ) as conn:
        yield conn


def phone(user: User) -> tuple[APIClient, str]:
    _, token = device_token_create(user=user, device_name="phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client, token


def token_selects(client: APIClient, path: str = "/api/v1/me/") -> tuple[int, int]:
    """(status, how many statements read the token table) of one GET."""
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return status, sum(DeviceToken._meta.db_table in q["sql"] for q in queries.captured_queries)


def test_the_second_request_with_a_token_does_not_read_it_again(make_user):
    client, _ = phone(make_user())

    assert token_selects(client) == (200, 1)
    assert token_selects(client) == (200, 0)
    assert token_selects(client, "/api/v1/episodes/") == (200, 0)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param("DELETE FROM accounts_devicetoken WHERE digest = %(digest)s", id="logout"),
        pytest.param("DELETE FROM accounts_devicetoken WHERE user_id = %(user)s", id="logout-all"),
        pytest.param("UPDATE accounts_user SET is_active = false WHERE id = %(user)s", id="deactivated"),
        pytest.param("TRUNCATE accounts_devicetoken CASCADE", id="truncate"),
    ],
)
def test_a_change_on_another_server_refuses_the_token_here(make_user, other_server, change):
    user = make_user()
    client, token = phone(user)
    assert token_selects(client) == (200, 1)
    assert token_selects(client) == (200, 0)

    other_server.execute(change, {"digest": hash_token(token), "user": user.pk})

    assert client.get("/api/v1/me/").status_code == 401


def test_a_logout_here_refuses_the_token_at_once(make_user):
    client, _ = phone(make_user())
    assert token_selects(client) == (200, 1)

    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_a_profile_edited_elsewhere_is_read_anew(make_user, other_server):
    user = make_user(timezone="Europe/London")
    client, _ = phone(user)
    assert client.get("/api/v1/me/").json()["timezone"] == "Europe/London"

    other_server.execute("UPDATE accounts_user SET timezone = 'Asia/Tokyo' WHERE id = %s", [user.pk])

    assert token_selects(client) == (200, 1)
    assert client.get("/api/v1/me/").json()["timezone"] == "Asia/Tokyo"


def test_only_the_changed_users_tokens_are_forgotten(make_user, other_server):
    ann, bob = make_user(), make_user()
    ann_phone, _ = phone(ann)
    bob_phone, _ = phone(bob)
    assert token_selects(ann_phone) == (200, 1)
    assert token_selects(bob_phone) == (200, 1)

    other_server.execute("UPDATE accounts_user SET display_name = 'B' WHERE id = %s", [bob.pk])

    assert token_selects(ann_phone) == (200, 0)
    assert token_selects(bob_phone) == (200, 1)


def test_a_new_connection_starts_with_nothing_kept(make_user):
    client, _ = phone(make_user())
    assert token_selects(client) == (200, 1)

    connection.close()  # what changed while no connection listened was not heard

    assert token_selects(client) == (200, 1)
    assert token_selects(client) == (200, 0)


def test_a_renewed_token_is_read_again_once_and_then_kept(make_user, other_server):
    client, token = phone(make_user())
    # The expiry an hour and more back: the next use renews it and writes the row.
    other_server.execute(
        "UPDATE accounts_devicetoken SET expiry = expiry - interval '2 hours' WHERE digest = %s", [hash_token(token)]
    )
    before = DeviceToken.objects.get(digest=hash_token(token)).expiry

    status, statements = token_selects(client)
    assert (status, statements > 1) == (200, True)  # read and renewed (written): forgotten on the write's notification
    assert DeviceToken.objects.get(digest=hash_token(token)).expiry > before
    assert token_selects(client) == (200, 1)
    assert token_selects(client) == (200, 0)


def test_inside_a_transaction_the_token_is_read_every_time(make_user):
    from django.db import transaction

    client, _ = phone(make_user())
    with transaction.atomic():
        assert token_selects(client) == (200, 1)
        assert token_selects(client) == (200, 1)


def test_only_a_connection_that_checks_tokens_listens(make_user):
    client, _ = phone(make_user())
    connection.close()

    def listening() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_listening_channels()")
            return [row[0] for row in cursor.fetchall()]

    # A worker's connection, which never checks a token, would hold every notification unread.
    assert listening() == []
    assert client.get("/api/v1/me/").status_code == 200
    assert listening() == ["twitchlog_auth"]
