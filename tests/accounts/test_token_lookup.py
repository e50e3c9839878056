"""The token lookup (accounts.auth): one SQL statement with knox's checks, in knox's order.

The token and its user are read by hand from one constant SELECT; these tests hold it to what
knox's ``select_related('user')`` loop did: the same user and token in every field, an expired
token refused and deleted, a wrong secret or an inactive user refused, the expiry renewed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.forms.models import model_to_dict
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework.exceptions import AuthenticationFailed

from accounts.auth import DeviceTokenAuthentication
from accounts.models import DeviceToken, User
from accounts.services import device_token_create
from tests.query_counts import assert_max_queries

pytestmark = pytest.mark.django_db


def authenticate(token: str) -> tuple[User, DeviceToken]:
    return DeviceTokenAuthentication().authenticate_credentials(token.encode())


def every_field(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_it_hands_over_the_stored_user_and_token_in_every_field_with_one_query(make_user):
    user = make_user(display_name="Ann", timezone="Asia/Kolkata", birth_year=1980)
    User.objects.filter(pk=user.pk).update(
        timezone_since=timezone.now(), email_confirmed_at=timezone.now(), last_login=timezone.now()
    )
    device, token = device_token_create(user=user, device_name="phone")

    with assert_max_queries(1, "a token's lookup"):
        found_user, found_token = authenticate(token)
        assert found_token.user is found_user  # no second query for the user

    assert every_field(found_user) == every_field(User.objects.get(pk=user.pk))
    stored = every_field(DeviceToken.objects.get(pk=device.pk))
    # knox moves the expiry of the token in hand on every use (written only once an interval).
    assert found_token.expiry >= stored.pop("expiry")
    assert {name: value for name, value in every_field(found_token).items() if name != "expiry"} == stored
    assert model_to_dict(found_user) == model_to_dict(User.objects.get(pk=user.pk))
    assert found_user._state.adding is False and found_token._state.adding is False


def test_the_api_answers_with_the_tokens_user(user, client_for):
    assert client_for(user, "phone").get("/api/v1/me/").json()["email"] == user.email


def test_an_expired_token_is_refused_and_deleted(user):
    device, token = device_token_create(user=user, device_name="phone")
    DeviceToken.objects.filter(pk=device.pk).update(expiry=timezone.now() - timedelta(seconds=1))

    with pytest.raises(AuthenticationFailed, match=r"Invalid token\."):
        authenticate(token)

    assert not DeviceToken.objects.filter(pk=device.pk).exists()


def test_a_wrong_secret_with_a_known_token_key_is_refused_and_the_token_kept(user):
    device, token = device_token_create(user=user, device_name="phone")
    forged = token[: CONSTANTS.TOKEN_KEY_LENGTH] + ("0" if token[-1] != "0" else "1") * (
        len(token) - CONSTANTS.TOKEN_KEY_LENGTH
    )

    with pytest.raises(AuthenticationFailed, match=r"Invalid token\."):
        authenticate(forged)

    assert DeviceToken.objects.filter(pk=device.pk).exists()


def test_an_unknown_token_and_a_token_that_is_no_hex_are_refused(user):
    with pytest.raises(AuthenticationFailed, match=r"Invalid token\."):
        authenticate("f" * 64)
    with pytest.raises(AuthenticationFailed, match=r"Invalid token\."):
        authenticate("not a token at all, not even hex")


def test_tokens_that_share_a_token_key_are_told_apart_by_their_digest(make_user):
    user, other = make_user(), make_user()
    _, token = device_token_create(user=user, device_name="phone")
    twin = token[: CONSTANTS.TOKEN_KEY_LENGTH] + "0" * (len(token) - CONSTANTS.TOKEN_KEY_LENGTH)
    DeviceToken.objects.bulk_create(
        [
            DeviceToken(
                digest=hash_token(twin),
                token_key=twin[: CONSTANTS.TOKEN_KEY_LENGTH],
                user=other,
                expiry=timezone.now() + timedelta(days=1),
                device_name="twin",
            )
        ]
    )

    assert authenticate(token)[0] == user
    assert authenticate(twin)[0] == other


def test_an_inactive_users_token_is_refused(user, client_for):
    client = client_for(user, "phone")
    User.objects.filter(pk=user.pk).update(is_active=False)

    with pytest.raises(AuthenticationFailed, match=r"User inactive or deleted\."):
        authenticate(client._credentials["HTTP_AUTHORIZATION"].split()[1])
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_used_token_is_renewed_at_most_once_per_refresh_interval(user):
    device, token = device_token_create(user=user, device_name="phone")
    issued = DeviceToken.objects.get(pk=device.pk).expiry

    with time_machine.travel(timezone.now() + timedelta(minutes=30), tick=False):
        authenticate(token)
    assert DeviceToken.objects.get(pk=device.pk).expiry == issued  # within the interval: not written

    later = timezone.now() + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        _, found = authenticate(token)
    stored = DeviceToken.objects.get(pk=device.pk).expiry
    assert stored > issued
    assert stored == found.expiry


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Token " + "ü" * 20, id="not-utf-8"),
        pytest.param("Token " + "é" * 200, id="not-utf-8-long"),
        pytest.param("Token 000000000000000abc\u0000def", id="nul"),
        pytest.param("Token " + "zz" * 40, id="not-hex"),
        pytest.param("Token x", id="short"),
        pytest.param("Token " + "0" * 5000, id="long"),
    ],
)
def test_a_malformed_token_is_a_401_in_the_api_error_shape(api_client, user, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Invalid token."
