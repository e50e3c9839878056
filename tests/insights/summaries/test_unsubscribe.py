"""Unsubscribing from the email: one-click POST without login, a harmless GET, forged tokens refused."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from insights.summaries.email_message import unsubscribe_url
from insights.summaries.tokens import unsubscribe_token


def path_for(user: User) -> str:
    return unsubscribe_url(user).removeprefix("https://twitchlog.example")


def test_one_click_post_unsubscribes_without_login_or_csrf_token(user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        path_for(user), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    user.refresh_from_db()
    assert user.weekly_summary_enabled is False


def test_get_shows_a_button_and_unsubscribes_nobody(user: User) -> None:
    response = Client().get(path_for(user))
    assert response.status_code == 200
    assert b'<form method="post"' in response.content
    assert b"Unsubscribe</button>" in response.content
    user.refresh_from_db()
    assert user.weekly_summary_enabled is True


def test_a_tampered_token_is_refused(make_user: Callable[..., User]) -> None:
    victim = make_user(email="victim@example.org")
    mine = unsubscribe_token(make_user().pk)
    # Someone swaps their own id for another user's, keeping their own signature.
    forged = f"{victim.pk}:{mine.split(':', 1)[1]}"
    for token in (forged, mine[:-2] + "xx", "not-a-token"):
        response = Client().post(f"/unsubscribe/{token}/")
        assert response.status_code == 400
        assert b"This link does not work" in response.content
        assert Client().get(f"/unsubscribe/{token}/").status_code == 400
    victim.refresh_from_db()
    assert victim.weekly_summary_enabled is True


def test_unsubscribing_twice_is_fine(user: User) -> None:
    assert Client().post(path_for(user)).status_code == 200
    assert Client().post(path_for(user)).status_code == 200


def test_the_profile_setting_turns_summaries_back_on(user: User, client_for: Callable[[User], APIClient]) -> None:
    Client().post(path_for(user))
    response = client_for(user).patch("/api/v1/me/", {"weekly_summary_enabled": True}, format="json")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.weekly_summary_enabled is True
