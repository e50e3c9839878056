"""Registration, login, devices, logout, profile and the error shape of each failure."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import get_hasher
from django.utils import timezone

from accounts.models import DeviceToken, User
from accounts.services import device_token_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def register(api_client, **overrides):
    body = {
        "email": "new@example.org",
        "password": PASSWORD,
        "display_name": "New",
        "timezone": "Asia/Kolkata",
        "device_name": "Pixel 8",
    }
    body.update(overrides)
    return api_client.post("/api/v1/auth/register/", body, format="json")


def login(api_client, email="ann@example.org", password=PASSWORD, device_name="iPhone"):
    return api_client.post(
        "/api/v1/auth/login/", {"email": email, "password": password, "device_name": device_name}, format="json"
    )


def test_it_registers_a_user_and_returns_a_working_token(api_client):
    response = register(api_client)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["user"]["email"] == "new@example.org"
    assert body["user"]["timezone"] == "Asia/Kolkata"
    assert body["device"]["name"] == "Pixel 8"
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert api_client.get("/api/v1/me/").json()["display_name"] == "New"


def test_it_stores_passwords_hashed_with_the_configured_hasher(api_client):
    # The suite runs with a fast hasher; test_platform.py proves production uses Argon2.
    register(api_client)
    stored = User.objects.get(email="new@example.org").password
    assert stored.startswith(get_hasher().algorithm + "$")
    assert PASSWORD not in stored


def test_it_refuses_a_duplicate_email_whatever_its_case(api_client, user):
    response = register(api_client, email="ANN@example.org")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["email"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timezone", "Mars/Olympus"),
        ("email", "not-an-email"),
        ("password", "short"),
        ("password", "password1234"),
        ("birth_year", 1800),
    ],
)
def test_it_names_the_field_and_rule_of_bad_registration_input(api_client, field, value):
    response = register(api_client, **{field: value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert all(isinstance(message, str) and message for message in error["fields"][field])
    assert not User.objects.filter(email="new@example.org").exists()


def test_it_refuses_a_password_too_similar_to_the_email(api_client):
    response = register(api_client, email="margaretthatcher@example.org", password="margaretthatcher")
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]


def test_it_logs_in_with_any_email_case_and_names_the_device(api_client, user):
    response = login(api_client, email="  Ann@Example.org ")
    assert response.status_code == 200, response.json()
    assert DeviceToken.objects.get(user=user).device_name == "iPhone"


def test_it_refuses_a_wrong_password_without_saying_which_part_was_wrong(api_client, user):
    response = login(api_client, password="wrong-password-here")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert login(api_client, email="nobody@example.org").json() == response.json()


def test_it_refuses_requests_without_a_token_in_the_error_shape(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_it_refuses_an_invalid_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "x" * 64)
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_it_refuses_an_expired_token(api_client, user):
    token = login(api_client).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        assert api_client.get("/api/v1/me/").status_code == 401


def test_a_used_token_stays_alive_past_its_first_expiry(api_client, user):
    token = login(api_client).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=20), tick=False):
        assert api_client.get("/api/v1/me/").status_code == 200
    with time_machine.travel(start + timedelta(days=40), tick=False):
        assert api_client.get("/api/v1/me/").status_code == 200


def test_another_devices_expired_token_is_swept_when_this_token_is_refreshed_not_on_every_request(user, client_for):
    phone = client_for(user, "phone")
    tablet, _ = device_token_create(user=user, device_name="tablet")
    DeviceToken.objects.filter(pk=tablet.pk).update(expiry=timezone.now() - timedelta(days=1))
    assert phone.get("/api/v1/me/").status_code == 200
    assert DeviceToken.objects.filter(pk=tablet.pk).exists()  # the phone's expiry was not rewritten
    assert [d["name"] for d in phone.get("/api/v1/auth/devices/").json()] == ["phone"]
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        assert phone.get("/api/v1/me/").status_code == 200
    assert not DeviceToken.objects.filter(pk=tablet.pk).exists()


def test_logout_kills_only_this_devices_token(api_client, user, client_for):
    phone = client_for(user, "phone")
    tablet = client_for(user, "tablet")
    assert phone.post("/api/v1/auth/logout/").status_code == 204
    assert phone.get("/api/v1/me/").status_code == 401
    assert tablet.get("/api/v1/me/").status_code == 200


def test_logout_all_kills_every_token(user, client_for):
    phone = client_for(user, "phone")
    tablet = client_for(user, "tablet")
    assert phone.post("/api/v1/auth/logout-all/").status_code == 204
    assert phone.get("/api/v1/me/").status_code == 401
    assert tablet.get("/api/v1/me/").status_code == 401


def test_it_lists_my_devices_and_marks_the_current_one(user, client_for):
    client_for(user, "tablet")
    phone = client_for(user, "phone")
    devices = phone.get("/api/v1/auth/devices/").json()
    assert sorted(d["name"] for d in devices) == ["phone", "tablet"]
    assert [d["name"] for d in devices if d["current"]] == ["phone"]


def test_revoking_a_device_kills_its_token(user, client_for):
    tablet = client_for(user, "tablet")
    phone = client_for(user, "phone")
    tablet_id = next(d["id"] for d in phone.get("/api/v1/auth/devices/").json() if d["name"] == "tablet")
    assert phone.delete(f"/api/v1/auth/devices/{tablet_id}/").status_code == 204
    assert tablet.get("/api/v1/me/").status_code == 401
    assert phone.get("/api/v1/me/").status_code == 200


def test_nobody_can_revoke_another_users_device(user, make_user, client_for):
    client_for(user, "ann's phone")
    ann_device = DeviceToken.objects.get(user=user)
    mallory = client_for(make_user(email="mallory@example.org"))
    response = mallory.delete(f"/api/v1/auth/devices/{ann_device.public_id}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert DeviceToken.objects.filter(pk=ann_device.pk).exists()


def test_me_patch_changes_the_profile_and_validates_the_timezone(auth_client, user):
    response = auth_client.patch(
        "/api/v1/me/", {"timezone": "Pacific/Auckland", "weekly_summary_enabled": False}, format="json"
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.timezone, user.weekly_summary_enabled) == ("Pacific/Auckland", False)
    bad = auth_client.patch("/api/v1/me/", {"timezone": "GMT+25"}, format="json")
    assert bad.status_code == 400
    assert "timezone" in bad.json()["error"]["fields"]
    user.refresh_from_db()
    assert user.timezone == "Pacific/Auckland"


def test_me_patch_cannot_change_the_email(auth_client, user):
    auth_client.patch("/api/v1/me/", {"email": "other@example.org"}, format="json")
    user.refresh_from_db()
    assert user.email == "ann@example.org"


def test_password_change_needs_the_old_password_and_signs_out_other_devices(user, client_for):
    tablet = client_for(user, "tablet")
    phone = client_for(user, "phone")
    wrong = phone.post(
        "/api/v1/auth/password/change/",
        {"old_password": "nope-nope-nope", "new_password": "another-long-passphrase"},
        format="json",
    )
    assert wrong.status_code == 400
    assert "old_password" in wrong.json()["error"]["fields"]
    ok = phone.post(
        "/api/v1/auth/password/change/",
        {"old_password": PASSWORD, "new_password": "another-long-passphrase"},
        format="json",
    )
    assert ok.status_code == 204
    assert phone.get("/api/v1/me/").status_code == 200
    assert tablet.get("/api/v1/me/").status_code == 401
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase")


def test_malformed_json_gets_a_parse_error_in_the_error_shape(auth_client):
    response = auth_client.generic("PATCH", "/api/v1/me/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_a_wrong_method_gets_405_in_the_error_shape(auth_client):
    response = auth_client.put("/api/v1/auth/logout/", {}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_an_unknown_api_path_gets_404_in_the_error_shape(auth_client):
    response = auth_client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}
