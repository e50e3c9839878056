"""Every surface, for every shape of diary: what the doctor and the patient read agrees with the diary.

For each diary of ``surface_diaries`` (new this week, 3 days, episodes only, triggers only, stopped
two weeks ago, began mid-week, a 120-day demo-like diary, a dense 3-year diary, a finished
experiment): the insights API, the flags, the Monday email, the 30/90/365-day PDF and a short and
a long share page are produced, and their facts asserted. With RENDER_SURFACES=<dir> set, page 1
and the email (390 px, headless Chromium) are also rendered to PNGs in that directory.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import tempfile
from datetime import date, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from insights import wording
from insights.analysis.flag_rules import is_red_flag
from insights.reports.pdf import render_report_pdf
from insights.reports.presenters import report_content
from insights.services import insights_recompute
from insights.summaries.email_message import render_summary
from insights.summaries.weeks import week_to_send
from tests.insights.reports.pdf_pages import pages_text
from tests.insights.surface_diaries import DIARIES, NOW, TODAY, TZ

DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* (\d{4})\b")
MONTHS = {
    m: i
    for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1)
}
RENDER_DIR = os.environ.get("RENDER_SURFACES")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _diary_user(make_user, name: str):
    user = make_user(email=f"{name}@example.org", display_name=name.replace("_", " ").title(), timezone=TZ)
    DIARIES[name](user)
    insights_recompute(user_id=user.pk)
    return user


def _dates(text: str) -> list[date]:
    return [date(int(y), MONTHS[m], int(d)) for d, m, y in DAY_MONTH_YEAR.findall(text)]


def _visible(html: str) -> str:
    html = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _links(html: str) -> list[str]:
    return sorted({unescape(href) for href in re.findall(r'href="([^"]+)"', html)})


def _get(client: Client, url: str):
    parts = urlsplit(url)
    return client.get(parts.path + (f"?{parts.query}" if parts.query else ""))


@pytest.mark.django_db(transaction=False)
# Three years of diary is the slow one.
@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n == "dense_three_years" else n for n in DIARIES]
)
def test_every_surface_of_every_diary_says_what_the_diary_shows(name, make_user, client_for, frozen) -> None:
    user = _diary_user(make_user, name)
    api = client_for(user)

    # The insights API: every status one of the five, in its one wording.
    insights = api.get("/api/v1/insights/")
    assert insights.status_code == 200
    tested = insights.json()["tested"]
    for row in tested:
        assert row["status"] in wording.STATUS_ORDER
        assert row["status_text"] == wording.status_words(row["status"])
        if row["status"] == "no_sign":
            assert row["ci_high"] < wording.NO_SIGN_BELOW
        if row["status"] == "not_testable" and row["n_days"] == 0:
            assert row["days_needed"] is None  # never a promise for a trigger never logged
        if row["days_needed"] is not None and row["status"] in ("possible", "not_clear"):
            assert row["days_needed_chance"] >= wording.MORE_DAYS_MIN_POWER

    # The flags: a list the app can show, each a red flag or a routine pattern.
    flags = api.get("/api/v1/flags/")
    assert flags.status_code == 200
    for flag in flags.json():
        assert "fasciculation" not in (flag["clinician_wording"] + flag["wording"]).lower()

    # The Monday email: a story line first, every link answers 200, each status in its one wording.
    week = week_to_send(NOW, TZ)
    email = render_summary(user, week)
    text = email.text
    assert text.splitlines()[2].strip(), "the story line comes right after the week's title"
    assert "0 (0%)" not in text
    anonymous = Client()
    for url in _links(email.html):
        if not url.startswith(settings.PUBLIC_BASE_URL):
            continue  # cid: images and the app's own scheme
        if "/unsubscribe/" in url:
            continue  # answering it unsubscribes; tests/insights/summaries cover it
        response = _get(anonymous, url)
        assert response.status_code == 200, (url, response.status_code)
    for row in tested[:3]:
        if f"{row['label']}:" in text:
            assert f"{row['label']}: {wording.status_words(row['status'])}." in text

    # The PDF for 30, 90 and 365 days: page 1 never says "0 (0%)", never heads routine items as red flags.
    for days in (30, 90, 365):
        start = TODAY - timedelta(days=days - 1)
        content = report_content(user=user, start=start, end=TODAY)
        assert all(is_red_flag(f.rule_id, f.severity) for f in content.red_flags)
        assert not any(is_red_flag(f.rule_id, f.severity) for f in content.routine_flags)
        pages = pages_text(render_report_pdf(content))
        first = pages[0]
        if name == "three_days":
            # Six episodes: the short log follows the sections instead of a page of its own.
            assert len(pages) <= 4, len(pages)
        assert "0 (0%)" not in first
        red = first.split("Red flags", 1)[1].split("Pertinent negatives:", 1)[0]
        assert "ROUTINE" not in red
        if not content.red_flags:
            assert "No red flags logged" in red
        if content.figures is not None:
            for month in content.figures.months:
                if month.logged_days == 0:
                    assert month.episodes_text == "nothing logged" and month.days_affected_text == "nothing logged"
        assert "your logged days" not in first.lower()

    # A short share (its last 3 days) and a long one (90 days): the short one shows no date outside it.
    share_html = ""
    for days in (3, 90):
        start = TODAY - timedelta(days=days - 1)
        created = api.post("/api/v1/shares/", {"from": start.isoformat(), "to": TODAY.isoformat()}, format="json")
        assert created.status_code == 201, created.content
        page = _get(anonymous, created.json()["url"])
        assert page.status_code == 200
        html = share_html = page.content.decode()
        visible = _visible(html.split('<p class="muted">This link works until')[0])
        assert "0 (0%)" not in visible
        if days == 3:
            outside = [
                (d, visible[max(0, visible.find(f"{d.day} {d:%b}") - 80) :][:160])
                for d in _dates(visible)
                if not start <= d <= TODAY
            ]
            assert outside == [], outside
        for row in tested:
            if row["status"] != "not_testable" and "Not shown: trigger tests" not in visible:
                assert wording.status_words(row["status"]) in visible

    if RENDER_DIR:
        chart = base64.b64encode(email.chart_png).decode()
        _render(name, user, email.html.replace(f"cid:{email.chart_cid}", f"data:image/png;base64,{chart}"), share_html)


def _render(name: str, user, email_html: str, share_html: str) -> None:
    """Page 1 of the 90-day PDF, the email and the 90-day share page at 390 px, into RENDER_DIR."""
    out = Path(RENDER_DIR)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "report.pdf"
        pdf.write_bytes(render_report_pdf(report_content(user=user, start=TODAY - timedelta(days=89), end=TODAY)))
        pdftoppm = shutil.which("pdftoppm")
        assert pdftoppm, "pdftoppm (poppler-utils) renders page 1"
        subprocess.run(
            [pdftoppm, "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(out / f"{name}-page1")],
            check=True,
        )
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        for kind, page in (("email", email_html), ("share", share_html)):
            html = Path(tmp) / f"{kind}.html"
            html.write_text(page)
            if chromium:
                subprocess.run(
                    [
                        chromium,
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--hide-scrollbars",
                        f"--screenshot={out / f'{name}-{kind}.png'}",
                        "--window-size=390,2000",
                        html.as_uri(),
                    ],
                    check=True,
                    capture_output=True,
                    timeout=120,
                )


@pytest.mark.django_db
def test_a_diary_begun_after_the_week_gets_no_email_for_it_but_its_preview_says_why(make_user, frozen) -> None:
    from django.core import mail

    from insights.summaries.models import SummaryStatus, WeeklySummary
    from insights.summaries.services import summary_send

    user = _diary_user(make_user, "new_this_week")
    week = week_to_send(NOW, TZ)
    summary = WeeklySummary.objects.create(user=user, week_start=week.start)
    assert summary_send(summary_id=summary.pk) == SummaryStatus.SKIPPED
    assert mail.outbox == []
    assert "after this week ended" in render_summary(user, week).text
