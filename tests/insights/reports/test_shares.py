"""Share links: hashed tokens, expiry, revocation, isolation, the access log and the throttle."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from insights.reports.models import Share, ShareAccess
from insights.selectors import local_today
from tests.insights.reports.diary_rows import write_known_diary
from tests.query_counts import assert_max_queries

URL = "/api/v1/shares/"


def create_share(auth_client, user, **extra):
    end = local_today(user)
    body = {"from": (end - timedelta(days=29)).isoformat(), "to": end.isoformat(), **extra}
    response = auth_client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def public_path(share: dict) -> str:
    return "/" + share["url"].split("/", 3)[3]


@pytest.mark.django_db
def test_a_share_returns_a_link_whose_token_is_stored_only_as_its_hash(auth_client, user):
    share = create_share(auth_client, user, note="For Dr Patel, appointment on Friday")

    token = share["url"].rstrip("/").rsplit("/", 1)[1]
    stored = Share.objects.get(pk=share["id"])
    assert share["url"] == f"{settings.PUBLIC_BASE_URL}/s/{token}/"
    assert len(token) >= 40
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(Share.objects.values()))
    assert share["state"] == "active"
    assert stored.expires_at - stored.created_at == timedelta(days=7)
    assert "url" not in auth_client.get(URL).json()[0]


@pytest.mark.django_db
def test_the_doctor_opens_the_page_and_the_pdf_without_login_and_every_access_is_logged(auth_client, user):
    known = write_known_diary(user, days=20)
    share = create_share(auth_client, user, note="Twitching since summer")
    doctor = Client(HTTP_USER_AGENT="ClinicBrowser/1.0", REMOTE_ADDR="203.0.113.9")

    page = doctor.get(public_path(share))
    pdf = doctor.get(public_path(share) + "report.pdf")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Ann" in html and "Twitching since summer" in html
    # The share ends today, a day after the last entry: the diary covers 21 of its 30 days.
    assert f"{known.episodes} episodes on {known.days_affected} of 20 known days" in html
    assert 'href="report.pdf"' in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert page["Referrer-Policy"] == "no-referrer" and page["X-Robots-Tag"] == "noindex, nofollow"
    assert page["Cache-Control"] == "no-store"
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    accesses = auth_client.get(URL).json()[0]["accesses"]
    assert [(a["what"], a["ip"], a["user_agent"]) for a in accesses] == [
        ("pdf", "203.0.113.9", "ClinicBrowser/1.0"),
        ("page", "203.0.113.9", "ClinicBrowser/1.0"),
    ]


@pytest.mark.django_db
def test_the_page_shows_the_open_flags(auth_client, user):
    write_known_diary(user, days=20)
    share = create_share(auth_client, user)

    html = Client().get(public_path(share)).content.decode()

    assert "Red flags" in html
    # The lab flag names its test, value, range and date (rule L1).
    assert "Magnesium 0.62 mmol/L (range 0.70-1.00) on" in html


@pytest.mark.django_db
def test_an_expired_link_gives_a_clear_410_page(auth_client, user):
    share = create_share(auth_client, user, expires_in_days=1)
    now = timezone.now()
    Share.objects.filter(pk=share["id"]).update(
        created_at=now - timedelta(days=1, seconds=1), expires_at=now - timedelta(seconds=1)
    )

    response = Client().get(public_path(share))

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert Client().get(public_path(share) + "report.pdf").status_code == 410
    assert not ShareAccess.objects.exists()
    assert auth_client.get(URL).json()[0]["state"] == "expired"


@pytest.mark.django_db
def test_a_revoked_link_stops_working_at_once_and_revoking_twice_is_harmless(auth_client, user):
    share = create_share(auth_client, user)
    assert Client().get(public_path(share)).status_code == 200

    first = auth_client.delete(f"{URL}{share['id']}/")
    second = auth_client.delete(f"{URL}{share['id']}/")

    assert first.status_code == 200 and first.json()["state"] == "revoked"
    assert second.json()["revoked_at"] == first.json()["revoked_at"]
    response = Client().get(public_path(share) + "report.pdf")
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_token_gives_a_clear_404_page(client):
    response = client.get("/s/not-a-real-token/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "This link does not exist" in response.content.decode()


@pytest.mark.django_db
def test_a_share_expires_within_thirty_days_at_most(auth_client, user):
    end = local_today(user)
    body = {"from": (end - timedelta(days=7)).isoformat(), "to": end.isoformat(), "expires_in_days": 31}

    response = auth_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert "expires_in_days" in response.json()["error"]["fields"]
    assert create_share(auth_client, user, expires_in_days=30)["expires_at"]


@pytest.mark.django_db
def test_a_share_range_follows_the_report_range_rules(auth_client, user):
    end = local_today(user)
    body = {"from": end.isoformat(), "to": (end - timedelta(days=1)).isoformat()}

    response = auth_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert "from" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_another_users_share_cannot_be_listed_or_revoked(auth_client, user, make_user, client_for):
    share = create_share(auth_client, user, note="private note")
    mallory = client_for(make_user(email="mallory@example.org"))

    listed = mallory.get(URL)
    revoked = mallory.delete(f"{URL}{share['id']}/")

    assert listed.status_code == 200 and listed.json() == []
    assert revoked.status_code == 404
    assert Share.objects.get(pk=share["id"]).revoked_at is None
    assert Client().get(public_path(share)).status_code == 200


@pytest.mark.django_db
def test_the_share_list_costs_the_same_queries_however_many_shares_and_accesses(auth_client, user):
    for _ in range(3):
        share = create_share(auth_client, user)
        Client().get(public_path(share))
        Client().get(public_path(share) + "report.pdf")

    # Authentication (token lookup and its refresh), the shares and their accesses.
    with assert_max_queries(4):
        response = auth_client.get(URL)

    assert len(response.json()) == 3 and all(len(s["accesses"]) == 2 for s in response.json())


@pytest.mark.django_db
def test_guessing_tokens_is_throttled_per_address(client):
    allowed = int(settings.THROTTLE_RATES["share_public"].split("/")[0])

    statuses = [client.get(f"/s/guess-{n}/").status_code for n in range(allowed + 1)]

    assert statuses[:allowed] == [404] * allowed
    assert statuses[-1] == 429
    last = client.get("/s/guess-last/")
    assert last.status_code == 429 and int(last["Retry-After"]) >= 1
    assert "Too many requests" in last.content.decode()
