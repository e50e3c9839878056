"""Accounts hardening (issue 23, finding 9): one spelling per address and no lookalikes, no
all-space passwords, weekly emails only to a confirmed address, Retry-After on the lock-out."""

from __future__ import annotations

import importlib
import re
from datetime import datetime, timedelta

import pytest
from django.apps import apps
from django.core import mail, signing
from django.utils import timezone

from accounts.email_address import EmailAddressError, normalise_email
from accounts.models import User
from accounts.services import email_confirm_token
from insights.summaries.selectors import users_without_summary
from insights.summaries.weeks import week_to_send
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"


def register(client, email: str, password: str = PASSWORD, **extra):
    return client.post(REGISTER, {"email": email, "password": password, **extra}, format="json")


def _confirm_code(message) -> str:
    return re.search(r"Or enter this code in the app:\n(\S+)", message.body).group(1)


def _wants_summary(user: User) -> bool:
    week = week_to_send(timezone.now(), user.timezone)
    return users_without_summary(timezones=[user.timezone], week=week).filter(pk=user.pk).exists()


# --- Addresses ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ann@Example.ORG", "ann@example.org"),
        ("\uff41\uff4e\uff4e@example.org", "ann@example.org"),  # full-width letters (NFKC)
        ("ann@b\u00fccher.example", "ann@xn--bcher-kva.example"),  # IDNA-encoded domain
        ("  ann@example.org  ", "ann@example.org"),
    ],
)
def test_an_address_is_stored_in_one_normal_form(api_client, typed, stored):
    response = register(api_client, typed)

    assert response.status_code == 201, response.json()
    assert response.json()["user"]["email"] == stored
    assert User.objects.filter(email=stored).count() == 1


def test_the_same_address_in_another_spelling_is_the_same_account(api_client):
    assert register(api_client, "ann@b\u00fccher.example").status_code == 201

    again = register(api_client, "ANN@xn--bcher-kva.example")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "email_taken"
    login = api_client.post(
        "/api/v1/auth/login/", {"email": "Ann@B\u00dcCHER.example", "password": PASSWORD}, format="json"
    )
    assert login.status_code == 200, login.json()


@pytest.mark.parametrize(
    "lookalike",
    [
        "ann@ex\u0430mple.org",  # a Cyrillic "a" in a Latin domain
        "ann@xn--exmple-4nf.org",  # the same, typed in its encoded form
        "b\u0131ll@example.org",  # a dotless "i" in the local part
        "ann@\u0441\u043e\u0440.org",  # all-Cyrillic letters that read as "cop"
        "\u0430nn@example.org",  # a Cyrillic "a" in the local part
    ],
)
def test_a_lookalike_address_is_refused_naming_the_email_field(api_client, make_user, lookalike):
    make_user(email="ann@example.org")

    response = register(api_client, lookalike)

    assert response.status_code == 400, response.json()
    assert "email" in response.json()["error"]["fields"]
    assert User.objects.count() == 1


def test_an_address_in_one_non_latin_script_is_welcome():
    assert normalise_email("ivan@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444") == "ivan@xn--e1afmkfd.xn--p1ai"
    with pytest.raises(EmailAddressError):
        normalise_email("ivan@\u043f\u0440\u0438\u043c\u0435\u0440.org\u0430")


# --- Passwords --------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", [" " * 10, "\t" * 12, " \u3000 " * 5])
def test_a_password_of_only_whitespace_is_refused(api_client, password):
    response = register(api_client, "ann@example.org", password=password)

    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]
    assert not User.objects.exists()


def test_a_whitespace_password_cannot_be_set_by_a_change_either(auth_client):
    response = auth_client.post(
        "/api/v1/auth/password/change/", {"old_password": PASSWORD, "new_password": " " * 16}, format="json"
    )
    assert response.status_code == 400
    assert "new_password" in response.json()["error"]["fields"]


# --- Confirmation ------------------------------------------------------------------------------------


def test_a_new_account_works_at_once_but_gets_no_weekly_email_until_confirmed(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = register(api_client, "ann@example.org")
    assert response.status_code == 201
    assert response.json()["user"]["email_confirmed_at"] is None
    user = User.objects.get(email="ann@example.org")
    token = response.json()["token"]
    assert api_client.get("/api/v1/episodes/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    assert not _wants_summary(user)

    (message,) = mail.outbox
    assert message.to == ["ann@example.org"]
    confirmed = api_client.post("/api/v1/auth/email/confirm/", {"token": _confirm_code(message)}, format="json")

    assert confirmed.status_code == 200, confirmed.json()
    user.refresh_from_db()
    assert user.email_confirmed_at is not None
    assert _wants_summary(user)


def test_a_summary_row_made_before_a_change_of_address_is_not_sent_to_the_unconfirmed_one(user):
    from insights.summaries.models import WeeklySummary
    from insights.summaries.services import summary_send

    week = week_to_send(timezone.now(), user.timezone)
    summary = WeeklySummary.objects.create(user=user, week_start=week.start)
    User.objects.filter(pk=user.pk).update(email="new@example.org", email_confirmed_at=None)

    assert summary_send(summary_id=summary.pk) == "skipped"
    assert mail.outbox == []


def test_the_confirmation_can_be_sent_again_under_the_reset_limit(
    auth_client, user, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=user.pk).update(email_confirmed_at=None)

    statuses = []
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            statuses.append(auth_client.post("/api/v1/auth/email/resend/").status_code)

    assert statuses == [202, 202, 202, 429]
    assert len(mail.outbox) == 3
    refused = auth_client.post("/api/v1/auth/email/resend/")
    assert int(refused["Retry-After"]) > 0


def test_changing_the_address_needs_confirming_again_and_old_links_stop_working(
    auth_client, user, django_capture_on_commit_callbacks
):
    old_token = email_confirm_token(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post(
            "/api/v1/auth/email/change/", {"email": "Ann.New@Example.org", "password": PASSWORD}, format="json"
        )

    assert response.status_code == 200, response.json()
    assert response.json()["email"] == "ann.new@example.org"
    assert response.json()["email_confirmed_at"] is None
    user.refresh_from_db()
    assert not _wants_summary(user)
    stale = auth_client.post("/api/v1/auth/email/confirm/", {"token": old_token}, format="json")
    assert stale.status_code == 400
    (message,) = mail.outbox
    assert message.to == ["ann.new@example.org"]
    assert (
        auth_client.post("/api/v1/auth/email/confirm/", {"token": _confirm_code(message)}, format="json").status_code
        == 200
    )


def test_changing_the_address_needs_the_password_and_refuses_a_lookalike(auth_client, user):
    wrong = auth_client.post(
        "/api/v1/auth/email/change/", {"email": "x@example.org", "password": "nope-nope-1"}, format="json"
    )
    lookalike = auth_client.post(
        "/api/v1/auth/email/change/", {"email": "x@ex\u0430mple.org", "password": PASSWORD}, format="json"
    )

    assert wrong.status_code == 400 and "password" in wrong.json()["error"]["fields"]
    assert lookalike.status_code == 400 and "email" in lookalike.json()["error"]["fields"]
    user.refresh_from_db()
    assert user.email == "ann@example.org" and user.email_confirmed_at is not None


def test_a_forged_or_expired_confirmation_code_is_refused(api_client, user):
    forged = api_client.post("/api/v1/auth/email/confirm/", {"token": "abc:def"}, format="json")
    assert forged.status_code == 400 and forged.json()["error"]["fields"] == {
        "token": ["Invalid, expired, or for another address."]
    }

    token = email_confirm_token(user)
    with pytest.MonkeyPatch.context() as patch:
        later = datetime.now().timestamp() + 8 * 86400
        patch.setattr(signing.time, "time", lambda: later)
        expired = api_client.post("/api/v1/auth/email/confirm/", {"token": token}, format="json")
    assert expired.status_code == 400


def test_existing_accounts_are_confirmed_by_the_migration(make_user):
    joined = timezone.now() - timedelta(days=300)
    old = make_user(email="old@example.org", date_joined=joined, email_confirmed_at=None)
    migration = importlib.import_module("accounts.migrations.0003_email_confirmation")

    migration.existing_addresses_are_confirmed(apps, None)

    old.refresh_from_db()
    assert old.email_confirmed_at == joined


# --- 429s --------------------------------------------------------------------------------------------


def test_the_lock_out_429_carries_retry_after(api_client, user):
    for _ in range(5):
        response = api_client.post(
            "/api/v1/auth/login/", {"email": "ann@example.org", "password": "wrong-password-x"}, format="json"
        )
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    again = api_client.post("/api/v1/auth/login/", {"email": "ann@example.org", "password": PASSWORD}, format="json")
    assert again.status_code == 429 and again["Retry-After"] == str(15 * 60)


# --- Experiments: an empty start_date is not a date ---------------------------------------------------


def test_an_empty_start_date_is_a_400_naming_it(auth_client):
    response = auth_client.post(
        "/api/v1/experiments/", {"trigger": "caffeine", "weeks": 4, "start_date": ""}, format="json"
    )
    assert response.status_code == 400
    assert "start_date" in response.json()["error"]["fields"]


def test_registration_succeeds_when_the_confirmation_email_cannot_be_sent(
    api_client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("accounts.services.send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        response = register(api_client, "ann@example.org")

    assert response.status_code == 201
    assert User.objects.get(email="ann@example.org").email_confirmed_at is None
