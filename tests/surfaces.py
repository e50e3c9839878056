"""Every surface an account is read through, read once each and checked to answer.

The extreme-values test and the fuzz test both call ``read_every_surface``: whatever was stored,
each of these must answer 2xx with a body that parses (strict JSON, a zip of CSV, a PDF), never a
500 and never ``Infinity``.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, timedelta
from typing import Any

import pypdf
from rest_framework.test import APIClient

from accounts.models import User
from diary.tables import TABLES
from insights.reports.presenters import report_content
from insights.reports.services import share_create
from insights.selectors import local_today
from insights.services import insights_recompute
from insights.summaries.email_message import render_summary
from insights.summaries.weeks import week_to_send


def _not_json(name: str) -> Any:
    raise AssertionError(f"{name} is not JSON (RFC 8259)")


def strict_json(body: bytes | str) -> Any:
    return json.loads(body, parse_constant=_not_json)


def _ok(response: Any, what: str) -> Any:
    assert 200 <= response.status_code < 300, (what, response.status_code, getattr(response, "content", b"")[:500])
    return response


def read_every_surface(client: APIClient, user: User, *, report_ranges: tuple[tuple[date, date], ...] = ()) -> None:
    """Read the account through every surface; raise AssertionError naming the first that fails."""
    # The insights engine and the tremor analysis run over whatever is stored, as the jobs would.
    from insights import tremor

    tremor.tremor_analyse_recordings(user_id=user.pk)
    insights_recompute(user_id=user.pk)

    for spec in TABLES.values():
        listed = strict_json(_ok(client.get(f"/api/v1/{spec.route}/?page_size=500"), spec.route).content)
        for record in listed["results"][:3]:
            strict_json(_ok(client.get(f"/api/v1/{spec.route}/{record['id']}/"), f"{spec.route} detail").content)

    strict_json(_ok(client.get("/api/v1/sync/?last_pulled_at=null"), "sync pull").content)
    strict_json(_ok(client.get("/api/v1/sync/?last_pulled_at=null&schema_version=2"), "sync pull v2").content)

    export = _ok(client.get("/api/v1/account/export/"), "account export")
    strict_json(b"".join(export.streaming_content))
    # A tremor recording's samples are one JSON cell of up to about 1 MB: more than the csv module's
    # default field limit (128 KB), which is a reader's setting, not a property of the file.
    csv.field_size_limit(16 * 1024 * 1024)
    archive = zipfile.ZipFile(io.BytesIO(_ok(client.get("/api/v1/exports/csv/"), "csv export").content))
    for name in archive.namelist():
        if name.endswith(".csv"):
            list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"), newline="")))
    strict_json(_ok(client.get("/api/v1/exports/fhir/"), "fhir export").content)

    strict_json(_ok(client.get("/api/v1/insights/"), "insights").content)
    strict_json(_ok(client.get("/api/v1/flags/"), "flags").content)
    preview = strict_json(_ok(client.get("/api/v1/summaries/preview/"), "email preview").content)
    assert preview["text"] and preview["html"]
    render_summary(user, week_to_send(user.date_joined, user.timezone))

    today = local_today(user)
    for start, end in ((today - timedelta(days=89), today), *report_ranges):
        response = _ok(client.get("/api/v1/reports/pdf/", {"from": start.isoformat(), "to": end.isoformat()}), "pdf")
        pypdf.PdfReader(io.BytesIO(response.content))
        report_content(user=user, start=start, end=end)
        _share, token = share_create(user=user, start=start, end=end)
        _ok(APIClient().get(f"/s/{token}/"), "share page")
