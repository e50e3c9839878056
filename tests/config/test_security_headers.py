"""Security headers on real responses: the API's JSON, the share page and PDF, the docs, the admin."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from insights.reports.services import share_create
from insights.summaries.tokens import unsubscribe_token
from tests.config.production_env import PRODUCTION_ENV

pytestmark = pytest.mark.django_db

EVERYWHERE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_baseline(response) -> None:
    for header, value in EVERYWHERE.items():
        assert response.headers.get(header) == value, (header, response.headers)
    assert response.headers.get("Referrer-Policy") in ("same-origin", "no-referrer")


def directives(policy: str) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.partition(" ")[2] for part in (p.strip() for p in policy.split(";")) if part}


def share_path(user, note: str = "for Dr Patel") -> str:
    today = timezone.now().date()
    _, token = share_create(user=user, start=today - timedelta(days=30), end=today, note=note)
    return f"/s/{token}/"


def test_api_json_is_never_stored_and_can_neither_run_nor_be_framed(auth_client):
    response = auth_client.get("/api/v1/episodes/")

    assert response.status_code == 200
    assert_baseline(response)
    assert response["Cache-Control"] == "no-store"
    assert directives(response["Content-Security-Policy"]) == {"default-src": "'none'", "frame-ancestors": "'none'"}


def test_api_errors_are_not_stored_either(auth_client):
    response = auth_client.post("/api/v1/episodes/", {"notes": "x"}, format="json")

    assert response.status_code == 400
    assert response["Cache-Control"] == "no-store"


def test_the_public_catalogues_keep_their_revalidation_header(api_client):
    response = api_client.get("/api/v1/catalogues/drinks/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert response["ETag"]


def test_the_share_page_allows_only_its_own_nonced_stylesheet(user):
    path = share_path(user)

    first, second = Client().get(path), Client().get(path)

    assert first.status_code == second.status_code == 200
    assert_baseline(first)
    assert first["Cache-Control"] == "no-store"
    policy = directives(first["Content-Security-Policy"])
    assert policy["default-src"] == "'none'"
    assert "script-src" not in policy
    assert policy["frame-ancestors"] == "'none'"
    nonce = re.fullmatch(r"'nonce-([\w-]+)'", policy["style-src"]).group(1)
    html = first.content.decode()
    assert re.findall(r"<style[^>]*>", html) == [f'<style nonce="{nonce}">']
    assert "<script" not in html
    assert nonce not in second.content.decode(), "every response gets a fresh nonce"


def test_a_refused_share_link_page_has_the_same_policy():
    response = Client().get("/s/no-such-token-at-all/")

    assert response.status_code == 404
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == "'none'"
    assert f'<style nonce="{policy["style-src"][7:-1]}">' in response.content.decode()


def test_the_unsubscribe_page_allows_its_stylesheet_and_its_form_back_to_us(user):
    response = Client().get(f"/unsubscribe/{unsubscribe_token(user.pk)}/")

    assert response.status_code == 200
    assert_baseline(response)
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert f'<style nonce="{policy["style-src"][7:-1]}">' in response.content.decode()


def test_report_pdfs_are_never_stored(auth_client, user):
    today = timezone.now().date()
    api_pdf = auth_client.get(f"/api/v1/reports/pdf/?from={today - timedelta(days=30)}&to={today}")
    share_pdf = Client().get(share_path(user) + "report.pdf")

    for response in (api_pdf, share_pdf):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert_baseline(response)
        assert response["Cache-Control"] == "no-store"
        # Browsers' PDF viewers misbehave under a CSP, and a PDF we make holds no scripts.
        assert "Content-Security-Policy" not in response


def script_sources(client, path: str) -> tuple[dict[str, str], list[str]]:
    """The page's CSP and the src of each of its scripts, failing on an inline script."""
    page = client.get(path)
    assert page.status_code == 200
    assert_baseline(page)
    scripts = re.findall(r"<script([^>]*)>", page.content.decode())
    sources = [re.search(r'src="([^"]+)"', attributes) for attributes in scripts]
    assert all(sources), f"an inline script on {path}: {scripts}"
    return directives(page["Content-Security-Policy"]), [source.group(1) for source in sources if source]


def test_the_docs_page_runs_only_scripts_from_our_own_origin(client):
    policy, sources = script_sources(client, "/api/docs/")

    assert policy["script-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert sources
    assert all(src.startswith("/") and not src.startswith("//") for src in sources), sources
    initialiser = client.get(next(src for src in sources if "script" in src).replace("&amp;", "&"))
    assert initialiser.status_code == 200
    assert "SwaggerUIBundle" in initialiser.content.decode()


def test_the_admin_pages_run_only_their_own_static_scripts(client, admin_client):
    pages = [(client, "/admin/login/"), (admin_client, "/admin/"), (admin_client, "/admin/accounts/user/")]
    for who, path in pages:
        policy, sources = script_sources(who, path)
        assert policy["frame-ancestors"] == "'none'"
        assert "'unsafe-inline'" not in policy.get("script-src", policy["default-src"])
        assert all(src.startswith(("/static/", "/admin/")) for src in sources), sources


def _production_request(secure: bool) -> str:
    # Production settings are read at import, so they are tried in a fresh interpreter.
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup()\n"
        "from django.test import Client\n"
        f"r = Client().get('/no-such-page', secure={secure}, HTTP_HOST='api.example.org')\n"
        "print(r.status_code, r.headers.get('Strict-Transport-Security'), r.headers.get('Location'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=PRODUCTION_ENV, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.slow
def test_production_sends_hsts_over_https_and_redirects_plain_http():
    assert _production_request(secure=True) == "404 max-age=31536000; includeSubDomains; preload None"
    assert _production_request(secure=False) == "301 None https://api.example.org/no-such-page"
