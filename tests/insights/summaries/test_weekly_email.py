"""The Monday email's reading order: the week first, new flags in full, old ones as reminders, web links."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from insights.summaries import email_chart, services
from insights.summaries.models import SummaryStatus, WeeklySummary
from insights.summaries.week_figures import ChartDay
from tests.builders import local, row
from tests.insights.summaries import states

TZ = "Europe/London"
THIS_WEEK = date(2026, 1, 5)  # Monday 5 to Sunday 11 January 2026
# Monday 12 January 2026 08:30 in London: the summary covers 5-11 January.
SEND_TIME = datetime(2026, 1, 12, 8, 30, tzinfo=UTC)
REASSURANCE = "Most twitches are harmless; a GP can check the common causes."


@pytest.fixture
def frozen_monday() -> Iterator[None]:
    with time_machine.travel(SEND_TIME, tick=False):
        yield


def _episodes(user: User, *days: date) -> None:
    states.save_all([row("episodes", user=user, at=local(day, 10, TZ), duration_s=90) for day in days])


def _send(user: User, week_start: date = THIS_WEEK) -> tuple[str, str]:
    """Send ``user``'s email for the week of ``week_start``; its text and HTML parts."""
    before = len(mail.outbox)
    summary = WeeklySummary.objects.create(user=user, week_start=week_start)
    assert services.summary_send(summary_id=summary.pk) == SummaryStatus.SENT
    (sent,) = mail.outbox[before:]
    message = email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def _visible_html(html: str) -> str:
    """The HTML's body without the hidden preheader, tags stripped to words."""
    body = html.split("<body", 1)[1].split(">", 1)[1]
    body = re.sub(r'<div class="preheader".*?</div>', "", body, count=1, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def _preheader(html: str) -> str:
    match = re.search(r'<div class="preheader"[^>]*>(.*?)</div>', html, flags=re.S)
    assert match, "no preheader"
    return match.group(1).split("&#847;")[0].split("\u034f")[0].strip()


@pytest.fixture
def regular(make_user: Callable[..., User]) -> User:
    """A user who has kept the diary for a month: this week 3 episodes, the week before 1."""
    user = make_user(email="ada@example.org", display_name="Ada", timezone=TZ)
    _episodes(user, date(2025, 12, 10), date(2025, 12, 31), THIS_WEEK, THIS_WEEK, date(2026, 1, 9))
    return user


def test_the_first_block_of_both_parts_is_the_weeks_numbers_against_the_week_before(
    regular: User, frozen_monday: None
) -> None:
    states.open_flag(regular, rule_id="R2", title="Twitching in more than one area")
    text, html = _send(regular)
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0] == "Hello Ada,"
    assert lines[1] == "YOUR WEEK: 5\u201311 January 2026"
    # The story of the week comes first, per known day since the weeks differ in known days.
    assert lines[2].startswith("This week: 3 episodes on 2 of 2 known days, 1.5 a day: more than the week before")
    assert "1.0 a day over its 1 known day (compared per known day" in lines[2]
    assert lines[3:10] == [
        "- Episodes: 3 (week before: 1)",
        "- Days with episodes, of known days: 2 of 2 (week before: 1 of 1)",
        "- Total duration: 4 min (week before: 2 min)",
        "- Average intensity: 4.0 / 10 (week before: 4.0 / 10)",
        "- Caffeine, on days with any: \u2013 (week before: \u2013)",
        "- Sleep a night: \u2013 (week before: \u2013)",
        "- Stress, average: \u2013 (week before: \u2013)",
    ]
    visible = _visible_html(html)
    week_block = visible.index("This week Week before Episodes 3 1 Days with episodes, of known days 2 of 2 1 of 1")
    assert week_block < visible.index("New: worth a doctor's look")
    # Nothing but the greeting and the week's title comes before the numbers.
    # Nothing but the greeting, the week's title and its one-line story comes before the numbers.
    assert visible[:week_block].split()[:8] == ["Hello", "Ada,", "Your", "week", "5\u201311", "January", "2026", "This"]


def test_a_first_week_user_gets_no_comparison_against_zero(make_user: Callable[..., User], frozen_monday: None) -> None:
    newcomer = make_user(display_name="Sam", timezone=TZ)
    _episodes(newcomer, date(2026, 1, 7), date(2026, 1, 8))
    text, html = _send(newcomer)
    assert "(week before:" not in text
    assert "Week before" not in html
    for part in (text, _visible_html(html)):
        assert "This is your first week in the diary, so there is no week before to compare with yet." in part
        assert "It counts the 5 days from Wednesday 7 Jan (you logged on 2 of them)." in part
        # A first week, and a partial one, said as such in the story line.
        assert "Your first week in the diary, from Wednesday 7 Jan: 2 episodes on 2 of 2 known days." in part
        assert "2 of 2" in part
        assert "0 episodes" not in part
    assert _preheader(html) == "Your first week with Twitchlog, 5\u201311 Jan: 2 episodes on 2 days."
    assert "- 22\u201328 Dec: before your diary began" in text


def test_the_emails_first_diary_day_is_the_one_the_daily_series_starts_from(
    make_user: Callable[..., User],
) -> None:
    from diary.models import LabResult, TremorRecording
    from insights.analysis.daily_series import build_daily_series
    from insights.selectors import diary_for_user
    from insights.summaries.selectors import diary_began_at

    user = make_user(timezone="Pacific/Auckland")
    # A lab taken long before, an unanalysed tremor test and a deleted episode do not start the diary.
    LabResult.objects.create(
        user=user,
        client_id="lab",
        created_at=SEND_TIME,
        updated_at=SEND_TIME,
        taken_on=date(2025, 6, 1),
        analyte="magnesium",
        value=0.6,
        unit="mmol/L",
        reference_low=0.7,
        reference_high=1.0,
    )
    early = datetime(2025, 11, 1, 9, tzinfo=UTC)
    TremorRecording.objects.create(
        user=user,
        client_id="t",
        created_at=early,
        updated_at=early,
        recorded_at=early,
        hand="left",
        posture="rest",
        sample_rate_hz=100,
        samples={"x": [], "y": [], "z": []},
    )
    deleted = row("episodes", user=user, at=datetime(2025, 11, 2, 9, tzinfo=UTC), duration_s=60)
    deleted.deleted_at = SEND_TIME
    # A night that began on 30 November (UTC) and ended on 1 December local time: its day is the waking day.
    night = row(
        "sleep_logs",
        user=user,
        at=datetime(2025, 11, 30, 19, tzinfo=UTC),
        bed_at=datetime(2025, 11, 30, 19, tzinfo=UTC) - timedelta(hours=8),
    )
    states.save_all(
        [deleted, night, row("caffeine_intakes", user=user, at=datetime(2025, 12, 3, 9, tzinfo=UTC), mg=95)]
    )

    began = diary_began_at(user=user)
    assert began is not None
    local_day = began.astimezone(ZoneInfo(user.timezone)).date()
    assert local_day == date(2025, 12, 1)
    assert build_daily_series(diary_for_user(user=user, today=date(2026, 1, 11))).start == local_day


def test_a_week_before_with_nothing_logged_is_not_compared_as_zero(
    make_user: Callable[..., User], frozen_monday: None
) -> None:
    returning = make_user(timezone=TZ)
    _episodes(returning, date(2025, 12, 1), THIS_WEEK)
    text, html = _send(returning)
    assert "- Episodes: 1 (week before: \u2013)" in text
    assert "- Days with episodes, of known days: 1 of 1 (week before: \u2013)" in text
    assert "Nothing was logged in the week before, so there is nothing to compare with." in text
    assert _preheader(html) == "Your week, 5\u201311 Jan: 1 episode on 1 day."


def test_a_flag_emailed_last_week_is_a_one_line_reminder_and_a_new_one_is_shown_in_full(
    regular: User, frozen_monday: None
) -> None:
    old = states.open_flag(
        regular,
        rule_id="R1",
        title="Twitching in the same place for more than two weeks",
        wording="Your diary shows twitching in the same area for more than two weeks.",
    )
    last_week = THIS_WEEK - timedelta(days=7)
    _, first_html = _send(regular, last_week)
    assert old.wording in first_html
    assert WeeklySummary.objects.get(user=regular, week_start=last_week).flags_emailed == [
        {"rule": "R1", "fingerprint": old.fingerprint}
    ]

    states.open_flag(
        regular,
        rule_id="R2",
        title="Twitching in more than one area",
        wording="Your diary shows twitching in more than one area of the body.",
    )
    text, html = _send(regular)
    # Last week's email covered 29 Dec-4 Jan and went out on Monday 5 January.
    reminder = "Twitching in the same place for more than two weeks: still open (first emailed 5 Jan)."
    for part in (text, _visible_html(html)):
        assert "Your diary shows twitching in more than one area of the body." in part
        assert old.wording not in part
        assert reminder in part
        assert part.index("Your diary shows twitching in more than one area") < part.index(reminder)
    assert f"- {reminder}" in text.splitlines()


def test_a_flag_whose_evidence_grew_since_it_was_emailed_is_shown_in_full_again(
    regular: User, frozen_monday: None
) -> None:
    flag = states.open_flag(regular, rule_id="R2", wording="Your diary shows twitching in two areas.")
    _send(regular, THIS_WEEK - timedelta(days=7))
    flag.fingerprint = "R2|see_doctor|left_hand,right_hand,face"
    flag.save()
    text, _ = _send(regular)
    assert "Your diary shows twitching in two areas." in text
    assert "still open" not in text


def test_only_a_sent_email_counts_a_flag_as_emailed(
    regular: User, frozen_monday: None, client_for: Callable[[User], APIClient]
) -> None:
    states.open_flag(regular, wording="Your diary shows twitching in the same area for more than two weeks.")
    failed = WeeklySummary.objects.create(user=regular, week_start=THIS_WEEK - timedelta(days=7))
    failed.status = SummaryStatus.FAILED
    failed.flags_emailed = [{"rule": "R1", "fingerprint": "R1:x"}]
    failed.save()
    for _ in range(2):
        preview = client_for(regular).get("/api/v1/summaries/preview/").json()
        assert "Your diary shows twitching in the same area for more than two weeks." in preview["text"]
    assert not WeeklySummary.objects.filter(user=regular, week_start=THIS_WEEK).exists()


def test_the_preheader_states_the_week_and_is_not_a_warning(regular: User, frozen_monday: None) -> None:
    states.open_flag(regular, rule_id="R3", title="Weakness with the twitching", severity="see_doctor_soon")
    _, html = _send(regular)
    preheader = _preheader(html)
    assert preheader == "Your week, 5\u201311 Jan: 3 episodes on 2 days (1 the week before)."
    for alarming in ("doctor", "flag", "warning", "weakness", "new", "!"):
        assert alarming not in preheader.lower()
    # It is the first thing in the body, so the inbox preview shows it and nothing else first.
    assert html.split("<body", 1)[1].split(">", 1)[1].lstrip().startswith('<div class="preheader"')


def test_no_line_of_the_text_part_is_bare_numbers(regular: User, frozen_monday: None) -> None:
    states.open_flag(regular)
    text, _ = _send(regular)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert len(lines) > 20
    for line in lines:
        if line == "--":  # the signature separator
            continue
        assert re.search(r"[A-Za-z]", line), f"unlabelled line: {line!r}"
        assert len(line) <= 400, line
    # Each figure sits after its label.
    assert all(re.match(r"- [A-Z][a-z ,]+: ", line) for line in lines[3:10])


def test_the_open_pages_hand_over_to_the_app_on_any_device(api_client: APIClient) -> None:
    page = api_client.get("/open/report/?from=2025-12-30&to=2026-01-11")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'href="twitchlog://open/report?from=2025-12-30&amp;to=2026-01-11"' in body
    assert "Open in the app" in body
    assert api_client.get("/open/insights/").status_code == 200

    bad = api_client.get("/open/report/?from=yesterday")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"from": ["Must be a date as YYYY-MM-DD."]}
    assert api_client.get("/open/settings/").status_code == 404


def test_the_chart_has_no_zero_tick_beside_the_first_date_and_says_per_day() -> None:
    days = tuple(ChartDay(date(2026, 1, 5) + timedelta(days=n), n % 4) for n in range(28))
    email_chart.episodes_chart_png(days)
    canvas = email_chart._local.canvas
    labels = [label.get_text() for label in canvas.axes.get_yticklabels() if label.get_text()]
    assert labels and "0" not in labels
    assert all(label.isdigit() for label in labels)
    texts = [text.get_text() for text in canvas.figure.texts]
    assert "Episodes per day" in texts


def test_queries_stay_the_same_however_many_weeks_were_emailed_before(
    make_user: Callable[..., User], frozen_monday: None
) -> None:
    counts = []
    for earlier_weeks in (0, 12):
        user = make_user(timezone=TZ)
        _episodes(user, date(2025, 10, 1), THIS_WEEK)
        states.open_flag(user)
        for week in range(1, earlier_weeks + 1):
            WeeklySummary.objects.create(
                user=user,
                week_start=THIS_WEEK - timedelta(weeks=week),
                status=SummaryStatus.SENT,
                flags_emailed=[{"rule": "R1", "fingerprint": "R1:x"}],
            )
        summary = WeeklySummary.objects.create(user=user, week_start=THIS_WEEK)
        with CaptureQueriesContext(connection) as queries:
            assert services.summary_send(summary_id=summary.pk) == SummaryStatus.SENT
        counts.append(len(queries))
    assert counts[0] == counts[1]
