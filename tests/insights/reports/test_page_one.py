"""Page 1 is one page in a clinician's order, no page is nearly blank, and the share page agrees."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from diary.demo import demo_user_seed
from insights.reports.models import Share
from insights.reports.pdf import render_report_pdf
from insights.reports.presenters import report_content
from insights.reports.report_model import AssociationRow, DayRow, FlagRow, MedicationRow, ReportContent
from insights.selectors import local_today
from insights.services import insights_recompute
from tests.insights.reports.diary_rows import write, write_known_diary
from tests.insights.reports.pdf_pages import assert_page_one_stands_alone, body_ink, pages_text
from tests.insights.reports.sample import sample_content

# Below this share of dark pixels in the body a page reads as blank (a lone line is about 0.2%).
NEARLY_BLANK = 0.004


def _assert_no_page_nearly_blank(pdf: bytes) -> None:
    ink = body_ink(pdf)
    blank = [(number, round(share, 4)) for number, share in enumerate(ink, start=1) if share < NEARLY_BLANK]
    assert not blank, f"nearly blank pages (page, ink): {blank}"


def _crowded(content: ReportContent) -> ReportContent:
    """The most page 1 can be asked to hold: every flag rule firing, many medicines, many triggers."""
    flag = FlagRow(
        "Twitching in more than one area",
        "see_doctor_soon",
        "patient wording",
        "120 of 336 episodes (36%) on 80 days",
        content.range_start,
        content.range_end,
        "NHS, 'Twitching eyes and muscles' (reviewed 2023-10-30)",
        clinician="Twitching in more than one body region",
        detail="left hand from 2 Dec 2025; right hand from 3 Mar 2026; left leg from 9 Jul 2026",
    )
    flags = [
        replace(flag, rule_id=f"R{i}", severity=("urgent", "see_doctor_soon", "see_doctor")[i % 3]) for i in range(19)
    ]
    medicine = MedicationRow(
        "Sertraline", "SSRI or SNRI antidepressant", "50 mg", content.range_start, known_link="can cause tremor"
    )
    triggers = [
        AssociationRow(
            f"Trigger {i}",
            "Episodes 1.1x as frequent (95% CI 0.8-1.5).",
            1.1,
            0.8,
            1.5,
            0.5,
            "no_sign",
            comparison="days with more of it vs other days",
        )
        for i in range(9)
    ]
    return replace(content, flags=flags, medications=[medicine] * 8, associations=triggers)


@pytest.mark.slow
def test_page_one_of_a_dense_year_fits_on_one_page_even_when_crowded() -> None:
    content = sample_content(days=365, seed=3)
    assert content.figures is not None and len(content.figures.months) >= 12

    pages = pages_text(render_report_pdf(content))
    assert_page_one_stands_alone(pages)
    # Crowded, the flags after the first few go to one line each, with their evidence after page 1.
    crowded = pages_text(render_report_pdf(_crowded(content)))
    assert_page_one_stands_alone(crowded, next_section="Flags in full")
    assert crowded[0].count("Twitching in more than one body region") == 19
    assert "Evidence and sources of every flag: see Flags in full." in crowded[0]
    _assert_no_page_nearly_blank(render_report_pdf(content))


def test_page_one_of_an_empty_diary_is_one_page_and_says_nothing_was_logged() -> None:
    start, end = date(2026, 3, 2), date(2026, 3, 31)
    from insights.analysis.records import Diary
    from insights.reports.diary_figures import diary_figures

    content = ReportContent(
        patient_display_name="Sam Patient",
        range_start=start,
        range_end=end,
        generated_at=datetime(2026, 4, 1, 8, 0),
        timezone="Europe/Berlin",
        days_in_range=30,
        daily=[DayRow(start + timedelta(days=i)) for i in range(30)],
        figures=diary_figures(Diary("Europe/Berlin", end), start, end),
    )
    pdf = render_report_pdf(content)
    pages = pages_text(pdf)

    assert len(pages) == 1
    assert_page_one_stands_alone(pages)
    assert "Nothing was logged in this range." in pages[0]
    assert "No diary days in this range." in pages[0]
    assert "No weakness, muscle wasting, speech trouble or swallowing trouble logged" in pages[0]
    _assert_no_page_nearly_blank(pdf)


@pytest.mark.django_db
def test_the_demo_reports_keep_page_one_to_one_page_with_onset_course_spread_and_no_blank_page() -> None:
    user = demo_user_seed().user
    insights_recompute(user_id=user.pk)
    today = local_today(user)

    for days in (90, 365):
        content = report_content(user=user, start=today - timedelta(days=days - 1), end=today)
        pdf = render_report_pdf(content)
        pages = pages_text(pdf)
        first = pages[0]

        assert_page_one_stands_alone(pages)
        figures = content.figures
        assert figures is not None and figures.onset is not None
        assert f"first episode ever on {figures.onset.day} {figures.onset:%b %Y}" in first
        # The demo diary is 120 days old: a 365-day report counts its 120 diary days, not 365.
        if days == 365:
            assert figures.covered_days == 120
            assert f"of {figures.logged_days} known days" in first and figures.logged_days <= 120
            assert "figures cover 120 of the 365 days in range" in first
        assert "right hand from" in first  # the spread, with its date
        assert "No weakness, muscle wasting, speech trouble or swallowing trouble logged" in first
        assert "Your diary" not in first and "your diary" not in first  # no patient voice on page 1
        assert ">=" not in " ".join(pages)
        # Every trigger considered is listed, found or not.
        for row in content.associations:
            assert row.label in first
        _assert_no_page_nearly_blank(pdf)


@pytest.mark.django_db
def test_a_low_lab_repeated_normal_later_raises_no_flag_in_the_report(user) -> None:
    end = local_today(user) - timedelta(days=1)
    lab = {"analyte": "magnesium", "unit": "mmol/L", "reference_low": 0.7, "reference_high": 1.0}
    write(user, "lab_results", [{"id": "mg-low", "taken_on": end - timedelta(days=40), "value": 0.62, **lab}])
    write(user, "lab_results", [{"id": "mg-ok", "taken_on": end - timedelta(days=5), "value": 0.84, **lab}])
    insights_recompute(user_id=user.pk)

    content = report_content(user=user, start=end - timedelta(days=59), end=end)

    assert [f.rule_id for f in content.flags if f.rule_id == "L1"] == []


@pytest.mark.django_db
def test_the_share_page_shows_page_one_and_the_expiry_in_the_patients_timezone(auth_client, user) -> None:
    user.timezone = "America/New_York"
    user.save(update_fields=["timezone"])
    known = write_known_diary(user, days=20)
    end = local_today(user)
    response = auth_client.post(
        "/api/v1/shares/", {"from": (end - timedelta(days=29)).isoformat(), "to": end.isoformat()}, format="json"
    )
    assert response.status_code == 201, response.content
    share = Share.objects.get(pk=response.json()["id"])
    html = Client().get("/" + response.json()["url"].split("/", 3)[3]).content.decode()
    content = report_content(user=user, start=share.range_start, end=share.range_end, scope="range")

    assert content.figures is not None and content.figures.onset == known.start
    assert f"first episode in this range on {known.start.day} {known.start:%b %Y}" in html
    assert "Red flags" in html
    for flag in content.open_flags:
        assert flag.dates in html  # each flag with its dates
    # The medicine started before the shared range: its flag is left out, and the page says so.
    if content.flags_left_out:
        assert "left out; the patient can share a longer range." in html
    assert "Magnesium 0.62 mmol/L (range 0.70-1.00) on" in html  # the lab flag names its evidence
    assert "Triggers tested" in html
    assert "Pertinent negatives:" in html and "Spread:" in html
    expires = share.expires_at.astimezone(ZoneInfo("America/New_York"))
    assert f"until {expires.day} {expires:%b %Y}, {expires:%H:%M} (America/New_York)" in html
    assert "UTC" not in html
