"""Content-Security-Policy and Cache-Control, the two headers Django 5.2 does not set itself.

SecurityMiddleware already sends HSTS (production), nosniff, Referrer-Policy and
Cross-Origin-Opener-Policy, and XFrameOptionsMiddleware sends X-Frame-Options; this
middleware adds the rest:

- A Content-Security-Policy on every HTML page. Our own pages (the share page, the
  unsubscribe pages) need nothing but their inline <style>, which carries the per-request
  nonce from ``request.csp_nonce``; no script may run on them at all. The Swagger UI and
  the admin load their scripts and styles from our own static files, so they get a policy
  of their own. JSON answers get the strict policy OWASP recommends for APIs, so a
  response opened directly in a browser can neither run anything nor be framed. PDFs get
  none: browsers' PDF viewers misbehave under a CSP, and our PDFs hold no scripts.
- ``Cache-Control: no-store`` on every answer under /api/v1/ that does not set its own
  Cache-Control: they carry health data, which must not be kept by a browser, a shared
  proxy or the phone's HTTP cache. The public catalogues set ``no-cache`` with an ETag on
  purpose, and keep it. The share pages and PDFs set no-store themselves.

With DEBUG on, the policy is sent as Content-Security-Policy-Report-Only, so Django's
debug pages and DRF's browsable API (both built on inline scripts) keep working while
the browser console still reports what production would block.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/v1/"

# Answers that are data, not documents: nothing may load from or frame them.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"

# Swagger UI: the sidecar's bundle, its split-out initialiser (served from the docs URL
# itself) and its stylesheet all come from this origin; it fetches the schema from here
# too. Its React components set inline styles, and its icons are data: URIs.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

# The admin's scripts and stylesheets are static files of this origin; a few of its
# templates set style attributes, and its widgets use data: images.
ADMIN_POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def page_policy(nonce: str) -> str:
    """Our own pages: one inline stylesheet with the request's nonce, forms back to us, nothing else."""
    return (
        f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def _policy_for(request: HttpRequest, response: HttpResponse) -> str | None:
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html"):
        if request.path.startswith("/api/docs/"):
            return DOCS_POLICY
        if request.path.startswith(f"/{settings.ADMIN_URL}"):
            return ADMIN_POLICY
        return page_policy(request.csp_nonce)  # type: ignore[attr-defined]  # set in __call__
    if content_type.startswith("application/pdf"):
        return None
    return API_POLICY


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(16)  # type: ignore[attr-defined]
        response = self.get_response(request)
        policy = _policy_for(request, response)
        header = "Content-Security-Policy-Report-Only" if settings.DEBUG else "Content-Security-Policy"
        if policy is not None and header not in response:
            response[header] = policy
        if request.path.startswith(API_PREFIX) and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response
