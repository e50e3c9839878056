"""What a summary says, in both parts: numbers, guidance, flags, associations, chart, links."""

from __future__ import annotations

import email
import email.policy
import struct
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import Message

import pytest
import time_machine
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import User
from insights.summaries.models import WeeklySummary
from insights.summaries.tasks import send_weekly_summary
from tests.builders import local, row
from tests.insights.summaries import states

TZ = "America/Los_Angeles"
# Monday 12 January 2026 09:05 in Los Angeles; the summary covers Monday 5 to Sunday 11 January.
SEND_TIME = datetime(2026, 1, 12, 17, 5, tzinfo=UTC)


@pytest.fixture
def frozen_monday() -> Iterator[None]:
    with time_machine.travel(SEND_TIME, tick=False):
        yield


@pytest.fixture
def diarist(make_user: Callable[..., User]) -> User:
    """A user with a known week (5-11 Jan) and week before (29 Dec-4 Jan)."""
    user = make_user(email="lee@example.org", display_name="Lee", timezone=TZ)
    rows = [
        # This week: 3 episodes on 2 days, 60 + 120 + 180 s, intensities 3, 5, 7.
        row("episodes", user=user, at=local(date(2026, 1, 5), 9, TZ), duration_s=60, intensity=3),
        row(
            "episodes",
            user=user,
            at=local(date(2026, 1, 5), 15, TZ),
            duration_s=120,
            intensity=5,
            body_sites=["right_eyelid"],
        ),
        # Sunday 23:30 local is Monday in UTC: it still belongs to this week.
        row("episodes", user=user, at=local(date(2026, 1, 11), 23.5, TZ), duration_s=180, intensity=7),
        # The week before: one episode.
        row("episodes", user=user, at=local(date(2025, 12, 30), 10, TZ), duration_s=30, intensity=2),
        # Caffeine: 500 mg on Monday, 300 mg on Tuesday: 400 mg a day on average, one day over the guide.
        row("caffeine_intakes", user=user, at=local(date(2026, 1, 5), 8, TZ), mg=500),
        row("caffeine_intakes", user=user, at=local(date(2026, 1, 6), 8, TZ), mg=300),
        # Sleep: 6 h and 8 h: 7.0 h on average, one night short.
        row(
            "sleep_logs",
            user=user,
            at=local(date(2026, 1, 6), 7, TZ),
            bed_at=local(date(2026, 1, 6), 7, TZ) - timedelta(hours=6),
        ),
        row(
            "sleep_logs",
            user=user,
            at=local(date(2026, 1, 7), 7, TZ),
            bed_at=local(date(2026, 1, 7), 7, TZ) - timedelta(hours=8),
        ),
        row("stress_logs", user=user, at=local(date(2026, 1, 7), 12, TZ), level=3),
        row("stress_logs", user=user, at=local(date(2026, 1, 8), 12, TZ), level=6),
    ]
    states.save_all(rows)
    return user


def send(user: User) -> Message:
    summary = WeeklySummary.objects.create(user=user, week_start=date(2026, 1, 5))
    send_weekly_summary.apply(args=[summary.pk])
    (sent,) = mail.outbox
    return email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)


def parts(message: Message) -> tuple[str, str, Message]:
    text = html = None
    image = None
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode()
        elif part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode()
        elif part.get_content_type() == "image/png":
            image = part
    assert text is not None and html is not None and image is not None
    return text, html, image


def test_text_and_html_parts_both_carry_the_numbers(diarist: User, frozen_monday: None) -> None:
    message = send(diarist)
    text, html, _ = parts(message)
    assert message["Subject"] == "Your Twitchlog week: 5\u201311 January 2026"
    for part in (text, html):
        assert "5\u201311 January 2026" in part
        assert "Lee" in part
        # The diary began on Tuesday 30 December, so the week before has six days, one of them logged.
        for number in ("3", "2 of 5", "6 min", "5.0 / 10", "1 of 1", "30 s", "2.0 / 10", "400 mg", "7.0 h", "4.5 / 10"):
            assert number in part, number
        assert (
            "Your diary began on Tuesday 30 Dec, so the week before has 6 days in the diary (you logged on 1 of them)."
            in part
        )
        assert "left index finger 2, right eyelid 1" in part
        assert "Caffeine was over 400 mg on 1 day" in part
        assert "1 night was under 7 hours" in part
    assert "- Episodes: 3 (week before: 1)" in text
    assert "- Days with episodes, of known days: 2 of 5 (week before: 1 of 1)" in text
    # The caffeine mean says over how many days it was taken.
    assert "- Caffeine, on days with any: 400 mg (2 days) (week before: \u2013)" in text
    assert "- Stress, average: 4.5 / 10 (week before: \u2013)" in text


def test_the_chart_is_a_valid_png_referenced_by_the_html(diarist: User, frozen_monday: None) -> None:
    message = send(diarist)
    assert message.get_content_type() == "multipart/alternative"
    text, html, image = parts(message)
    png = image.get_payload(decode=True)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (600, 280)
    content_id = image["Content-ID"].strip("<>")
    assert f'src="cid:{content_id}"' in html
    assert image.get_content_disposition() == "inline"
    # The HTML and its image travel together in multipart/related, the second alternative.
    related = message.get_payload()[1]
    assert related.get_content_type() == "multipart/related"
    # The chart's numbers are in the text too, each labelled: weekly totals and the days. Days
    # before the diary began are neither zeros nor "not logged".
    assert "- 5\u201311 Jan: 3 episodes (Mon 2, Tue 0, Wed 0, Thu 0, Fri \u2013, Sat \u2013, Sun 1)" in text
    assert "- 29 Dec\u20134 Jan: 1 episode (Tue 1, Wed \u2013, Thu \u2013, Fri \u2013, Sat \u2013, Sun \u2013)" in text
    assert "- 15\u201321 Dec: before your diary began" in text
    assert "0 episodes" not in text


def test_the_html_has_its_css_inlined_for_mail_clients(diarist: User, frozen_monday: None) -> None:
    _, html, _ = parts(send(diarist))
    assert "<style" not in html
    assert 'style="' in html
    assert 'name="viewport"' in html


def test_a_week_with_nothing_logged_gets_a_short_note_not_an_empty_table(
    make_user: Callable[..., User], frozen_monday: None
) -> None:
    user = make_user(timezone=TZ)
    text, html, _ = parts(send(user))
    for part in (text, html):
        assert "Nothing was logged from 5\u201311 January 2026" in part
        assert "Days with episodes" not in part
    assert 'class="figures"' not in html


def test_open_flags_follow_the_weeks_numbers_worded_as_in_the_app_with_the_reassurance_beside_them(
    diarist: User, frozen_monday: None
) -> None:
    states.open_flag(
        diarist,
        rule_id="R2",
        title="Twitching in more than one area",
        wording="Your diary shows twitching in more than one area of the body.",
    )
    acknowledged = states.open_flag(diarist, rule_id="R3", title="Weakness", wording="Quiet one.")
    acknowledged.status = "acknowledged"
    acknowledged.save()
    text, html, _ = parts(send(diarist))
    reassurance = "Most twitches are harmless; a GP can check the common causes."
    for part, heading in ((text, "NEW: WORTH A DOCTOR'S LOOK"), (html, "New: worth a doctor's look")):
        assert part.index("Days with episodes") < part.index(heading)
        # The reassurance comes with the flags, before the first of them, not after them.
        assert part.index(heading) < part.index(reassurance) < part.index("Twitching in more than one area")
        assert "Your diary shows twitching in more than one area of the body." in part
        assert "Guidance: NHS" in part
        assert "Next step: book a routine appointment with your GP" in part
        assert "Quiet one." not in part
    # Not the small grey print: the reassurance has the body text's size.
    assert 'class="reassure"' in html
    reassure_style = html.split(f">{reassurance}<")[0].rsplit("<p", 1)[1]
    assert "font-size" not in reassure_style


def test_old_shape_associations_show_only_the_significant_ones_strongest_first(
    diarist: User, frozen_monday: None
) -> None:
    states.insight_state(
        diarist,
        [
            states.association(
                "sleep", "After short nights you logged 1.5 times as many.", significant=True, q_value=0.04
            ),
            states.association(
                "caffeine", "On coffee days you logged 2.0 times as many.", significant=True, q_value=0.01
            ),
            states.association("stress", "Stress made no clear difference.", significant=False, q_value=0.6),
        ],
    )
    text, html, _ = parts(send(diarist))
    for part in (text, html):
        assert part.index("On coffee days") < part.index("After short nights")
        assert "linked in the diary" in part
        # Every trigger is listed with its one status wording and the engine's sentence.
        assert "Stress made no clear difference." in part


def test_every_tested_trigger_is_listed_with_its_status_in_the_shared_shape(diarist: User, frozen_monday: None) -> None:
    states.insight_state(
        diarist,
        [
            states.shared_association("stress", "no_sign", "Stress: no sign."),
            states.shared_association(
                "sleep",
                "possible",
                "After short nights, perhaps more. Not clear yet: about 40 more logged days would settle it.",
                days_needed=40,
            ),
            states.shared_association("caffeine", "linked", "On coffee days you logged at least 1.4 times as many."),
            states.shared_association(
                "exercise",
                "not_enough_data",
                "Not enough data yet to compare: log exercise on 25 more days.",
                days_needed=25,
            ),
            # A row stored without its sentence: the email says the days itself.
            states.shared_association("medication", "possible", "", days_needed=30),
        ],
    )
    text, html, _ = parts(send(diarist))
    for part in (text, html):
        linked = part.index("linked in the diary. On coffee days you logged at least 1.4 times as many.")
        possible = part.index("possible, not clear yet. After short nights, perhaps more. Not clear yet: about 40")
        no_sign = part.index("no sign of a link. Stress: no sign.")
        not_yet = part.index("not testable yet. Not enough data yet to compare: log exercise on 25 more days.")
        assert linked < possible < no_sign < not_yet
        # A stored "more days" figure without the engine's sentence (and its chance) is not repeated bare.
        assert (
            "Medication:</strong> possible, not clear yet.</li>" in part
            or "- Medication: possible, not clear yet.\n" in part
        )
        assert part.count("40 more logged days") == 1
        assert part.count("25 more") == 1


def test_the_buttons_are_https_web_links_with_the_app_link_as_an_extra(diarist: User, frozen_monday: None) -> None:
    message = send(diarist)
    text, html, _ = parts(message)
    unsubscribe = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert unsubscribe.startswith("https://twitchlog.example/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for part in (text, html):
        assert unsubscribe in part
        assert "https://twitchlog.example/open/insights/" in part
        # The report starts on the diary's first day, not before it.
        assert "https://twitchlog.example/open/report/?from=2025-12-30" in part
        assert "twitchlog://open/insights" in part
    hrefs = [chunk.split('"', 1)[0] for chunk in html.split('href="')[1:]]
    buttons = [href for href in hrefs if "twitchlog://" not in href]
    assert buttons and all(href.startswith("https://") for href in buttons)
    assert hrefs.count("twitchlog://open/insights") == 1
    # The button is the first link; the app link comes after it as an extra.
    assert html.index("https://twitchlog.example/open/insights/") < html.index("twitchlog://open/insights")


def test_the_preview_returns_exactly_what_would_be_sent(
    diarist: User, frozen_monday: None, client_for: Callable[[User], APIClient]
) -> None:
    response = client_for(diarist).get("/api/v1/summaries/preview/")
    assert response.status_code == 200
    preview = response.json()
    message = send(diarist)
    text, html, image = parts(message)
    assert (preview["week_start"], preview["week_end"]) == ("2026-01-05", "2026-01-11")
    assert preview["subject"] == message["Subject"]
    assert preview["text"] == text
    assert preview["html"] == html
    assert preview["chart_cid"] == image["Content-ID"].strip("<>")


def test_the_preview_needs_a_login(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/summaries/preview/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_weeks_tremor_tests_are_shown_in_both_parts(diarist: User, frozen_monday: None) -> None:
    from diary.models import TremorRecording

    recorded = local(date(2026, 1, 7), 10, TZ)
    TremorRecording.objects.create(
        user=diarist,
        client_id="t1",
        created_at=recorded,
        updated_at=recorded,
        recorded_at=recorded,
        hand="right",
        posture="rest",
        sample_rate_hz=100,
        samples={"x": [], "y": [], "z": []},
        analysed_at=recorded,
        dominant_hz=5.1,
        rhythmic=True,
        description="A regular rhythm at 5.1 Hz at rest in the right hand.",
    )
    text, html, _ = parts(send(diarist))
    for part in (text, html):
        assert "Wed 7 Jan: A regular rhythm at 5.1 Hz at rest in the right hand." in part
