"""No health data and no link token in any log line, through every flow that handles them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from config.log_redaction import RedactHealthData, redact_links, trace_without_messages
from insights.tasks import recompute_user
from tests.builders import wire
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# Distinctive enough that no log line could hold them by chance.
SYNC_NOTE = "quokka-marmalade-7731 after the night shift"
REST_NOTE = "zebrafish-lantern-4409 left hand only"
SHARE_NOTE = "for Dr Okonkwo-ibis-5520"
SYMPTOMS = ["perioral_tingling", "swallowing_difficulty"]
SECRETS = [SYNC_NOTE, REST_NOTE, SHARE_NOTE, "quokka-marmalade", "zebrafish-lantern", "Okonkwo-ibis", *SYMPTOMS]


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything the configured handlers write, with the root logger at DEBUG and SQL logging on."""
    buffer = io.StringIO()
    root = logging.getLogger()
    ours = [h for h in root.handlers if any(isinstance(f, RedactHealthData) for f in h.filters)]
    assert ours, "settings.LOGGING's console handler is missing from the root logger"
    streams = [h.setStream(buffer) for h in ours if isinstance(h, logging.StreamHandler)]
    level = root.level
    root.setLevel(logging.DEBUG)
    connection.force_debug_cursor = True  # as with DEBUG on: SQL reaches django.db.backends
    try:
        yield buffer
    finally:
        connection.force_debug_cursor = False
        root.setLevel(level)
        for handler, stream in zip(ours, streams, strict=True):
            handler.setStream(stream)


def test_a_full_flow_leaves_no_note_symptom_or_token_in_the_logs(log_output, monkeypatch):
    anonymous = APIClient()
    anonymous.post("/api/v1/auth/register/", {"email": "ann@example.org", "password": PASSWORD}, format="json")
    login = anonymous.post("/api/v1/auth/login/", {"email": "ann@example.org", "password": PASSWORD}, format="json")
    app = APIClient()
    app.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")
    symptoms = json.dumps(SYMPTOMS)
    episodes = [
        wire("episodes", f"ep{i}", minutes_ago=60 * 24 * i, notes=SYNC_NOTE, symptoms=symptoms) for i in range(20)
    ]

    pushed = app.post("/api/v1/sync/?last_pulled_at=null", {"episodes": {"created": episodes}}, format="json")
    rest = {
        "started_at": timezone.now().isoformat(),
        "duration_s": 30,
        "body_sites": ["left_ring"],
        "character": "twitch",
        "intensity": 4,
        "symptoms": SYMPTOMS,
        "notes": REST_NOTE,
    }
    created = app.post("/api/v1/episodes/", rest, format="json")
    invalid_rest = app.post("/api/v1/episodes/", {**rest, "intensity": 99, "symptoms": [REST_NOTE]}, format="json")
    bad = wire("episodes", "bad", notes=SYNC_NOTE, symptoms=json.dumps([SYNC_NOTE]), intensity=99)
    invalid_sync = app.post("/api/v1/sync/?last_pulled_at=null", {"episodes": {"created": [bad]}}, format="json")
    malformed = app.generic("POST", "/api/v1/episodes/", '{"notes": "' + REST_NOTE + '", oops', "application/json")
    pulled = app.get("/api/v1/sync/?last_pulled_at=null&schema_version=1")
    recompute_user.apply(args=[User.objects.get(email="ann@example.org").pk])
    preview = app.get("/api/v1/summaries/preview/")
    today = timezone.now().date()
    report = app.get(f"/api/v1/reports/pdf/?from={today - timedelta(days=30)}&to={today}")
    share = app.post(
        "/api/v1/shares/", {"from": str(today - timedelta(days=30)), "to": str(today), "note": SHARE_NOTE}
    ).json()
    token = share["url"].rstrip("/").rsplit("/", 1)[1]
    doctor = Client(raise_request_exception=False)
    page, pdf = doctor.get(f"/s/{token}/"), doctor.get(f"/s/{token}/report.pdf")
    exported = app.get("/api/v1/account/export/")
    # Unexpected errors whose messages quote health data: one in the API, one on a share page.
    monkeypatch.setattr(
        "insights.summaries.views.render_summary", _explode(f"could not render {SYNC_NOTE} {SYMPTOMS[0]}")
    )
    monkeypatch.setattr("insights.reports.public_views.report_content", _explode(f"bad row ({SHARE_NOTE})"))
    api_crash = app.get("/api/v1/summaries/preview/")
    page_crash = doctor.get(f"/s/{token}/")
    # Refused links are logged by django.request with their paths.
    assert app.delete(f"/api/v1/shares/{share['id']}/").status_code == 200
    revoked = doctor.get(f"/s/{token}/")
    unknown = doctor.get(f"/s/{token[::-1]}/")
    bad_unsubscribe = doctor.get(f"/unsubscribe/{token}/")

    statuses = [
        pushed,
        created,
        invalid_rest,
        invalid_sync,
        malformed,
        pulled,
        preview,
        report,
        page,
        pdf,
        exported,
        api_crash,
        page_crash,
        revoked,
        unknown,
        bad_unsubscribe,
    ]
    expected = [200, 201, 400, 400, 400, 200, 200, 200, 200, 200, 200, 500, 500, 410, 404, 400]
    assert [r.status_code for r in statuses] == expected
    logged = log_output.getvalue()
    assert "Internal Server Error: /s/[redacted]/" in logged, "the flow should have logged the crash"
    assert "Traceback" in logged and "RuntimeError (message withheld" in logged
    assert "Not Found: /s/[redacted]/" in logged
    assert "SELECT" not in logged, "SQL with its parameters must never be logged"
    for secret in [*SECRETS, token, token[::-1]]:
        assert secret not in logged, f"{secret!r} was logged:\n{logged}"


def _explode(message: str):
    def fail(*args, **kwargs):
        raise RuntimeError(message)

    return fail


def test_link_tokens_are_redacted_wherever_the_path_stands():
    line = 'GET /s/AbC-123_x/report.pdf then "/unsubscribe/MQ:1tX:abc/" and /api/v1/shares/12/'

    assert redact_links(line) == 'GET /s/[redacted]/report.pdf then "/unsubscribe/[redacted]/" and /api/v1/shares/12/'


def test_a_trace_keeps_where_the_error_happened_but_not_what_it_said():
    note = "my private note"  # the trace quotes source lines, so the values come from variables
    try:
        try:
            int(note)
        except ValueError as inner:
            raise KeyError(f"another {note}") from inner
    except KeyError as outer:
        trace = trace_without_messages(outer)

    assert "private note" not in trace
    assert "test_logging.py" in trace
    assert "ValueError (message withheld" in trace
    assert "KeyError (message withheld" in trace


def test_every_handler_of_every_logger_carries_the_redaction_filter():
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in logging.root.manager.loggerDict)]
    unfiltered = [
        f"{logger.name}: {type(handler).__name__}"
        for logger in loggers
        for handler in logger.handlers
        # pytest's own capture handlers are the test run's, not the application's; a
        # NullHandler writes nothing.
        if not type(handler).__module__.startswith("_pytest")
        and not isinstance(handler, logging.NullHandler)
        and not any(isinstance(f, RedactHealthData) for f in handler.filters)
    ]

    assert not unfiltered
