"""The admin: staff only, behind its own login, which is throttled per address."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


def test_anonymous_visitors_are_sent_to_the_admin_login():
    for path in ("/admin/", "/admin/accounts/user/", "/admin/diary/episode/"):
        response = Client().get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{LOGIN}?next={path}"


def test_a_signed_in_user_who_is_not_staff_is_sent_to_the_login_too(user):
    client = Client()
    client.force_login(user)

    response = client.get("/admin/accounts/user/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_user_who_is_not_staff_cannot_sign_in_with_the_right_password(user):
    response = Client().post(LOGIN, {"username": user.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "correct email and password for a staff account" in response.content.decode()
    assert Client().get("/admin/").status_code == 302


def test_staff_sign_in_through_the_form_and_get_in(make_user):
    staff = make_user(email="staff@example.org", is_staff=True, is_superuser=True)
    client = Client()

    # The form posts its hidden "next" field, the admin index when none was asked for.
    signed_in = client.post(LOGIN, {"username": staff.email, "password": PASSWORD, "next": "/admin/"})

    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_the_admin_login_is_throttled_per_address():
    statuses = [
        Client(REMOTE_ADDR="198.51.100.3").post(LOGIN, {"username": f"n{i}@example.org", "password": "x" * 12})
        for i in range(21)
    ]

    assert [r.status_code for r in statuses[:20]] == [200] * 20
    assert statuses[20].status_code == 429
    assert int(statuses[20]["Retry-After"]) > 0
    assert Client(REMOTE_ADDR="198.51.100.4").get(LOGIN).status_code == 200
