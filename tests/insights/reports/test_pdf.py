"""Tests of the physician report PDF: what a doctor must find in it, read back with pypdf."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pypdf
import pytest

from insights import wording
from insights.reports.pdf import DISCLAIMER, render_report_pdf
from insights.reports.report_model import (
    AssociationRow,
    DayRow,
    EpisodeRow,
    FlagRow,
    LabRow,
    MedicationRow,
    RegionRow,
    ReportContent,
    TremorRow,
    Trend,
)
from tests.insights.reports.sample import figures_from_rows, sample_content

START, END = date(2026, 3, 2), date(2026, 3, 15)
SECTION_HEADINGS = (
    "Twitching and tremor diary: report for a doctor",
    "Timeline",
    "Where: fingers and other body sites",
    "Spread: body regions over time",
    "Characteristics",
    "Medications",
    "Associations",
    "Lab results",
    "Tremor recordings",
    "Appendix: episode log",
)


def _episode(day: int, hour: int, sites: str, notes: str = "") -> EpisodeRow:
    return EpisodeRow(datetime(2026, 3, day, hour, 15), 30, sites, "Twitch", 4, "At rest", "Tingling", notes)


def fixed_content() -> ReportContent:
    """Two weeks with every section filled, by hand, so the expected numbers are known."""
    episodes = [
        _episode(2, 9, "left index finger"),
        _episode(2, 14, "left index finger, left middle finger", notes="After the third coffee."),
        _episode(4, 8, "left index finger"),
        _episode(9, 21, "right thumb"),
        _episode(12, 10, "left eyelid"),
        _episode(15, 7, "left index finger"),
    ]
    daily = [
        DayRow(date(2026, 3, d), sum(e.started_at_local.day == d for e in episodes), 200.0, 6.5, 4.0)
        for d in range(2, 16)
    ]
    return ReportContent(
        patient_display_name="Sam Patient",
        birth_year=1979,
        range_start=START,
        range_end=END,
        generated_at=datetime(2026, 3, 16, 8, 0),
        timezone="Europe/Berlin",
        episode_count=len(episodes),
        days_affected=5,
        days_in_range=14,
        total_duration_s=180,
        mean_intensity=4.0,
        trend=Trend("Three episodes in each week.", "flat"),
        daily=daily,
        finger_counts={"left_index": 4, "left_middle": 1, "right_thumb": 1},
        other_site_counts=[("Left eyelid", 1)],
        region_timeline=[
            RegionRow("Left hand", date(2026, 3, 2), date(2026, 3, 15), 4),
            RegionRow("Right hand", date(2026, 3, 9), date(2026, 3, 9), 1),
        ],
        characters=[("Twitch", 6)],
        contexts=[("At rest", 6)],
        symptoms=[("Tingling or pins and needles", 6)],
        intensity_counts={4: 6},
        medications=[
            MedicationRow(
                "Salbutamol inhaler",
                "Beta-2 agonist (asthma inhaler)",
                "100 micrograms",
                date(2025, 1, 1),
                as_needed=True,
                doses_in_range=5,
                known_link="can cause a fine tremor",
            ),
            MedicationRow("Paracetamol", "Other", "1 g", date(2026, 3, 1), date(2026, 3, 5)),
        ],
        associations=[
            AssociationRow(
                "Caffeine 300 mg or more",
                "On days with 300 mg caffeine or more you logged 2.1 times as many episodes.",
                2.1,
                1.4,
                3.2,
                0.004,
            )
        ],
        association_method="Poisson rate ratio with 95% CIs; Benjamini-Hochberg across all tests.",
        flags=[
            FlagRow(
                "Twitching in more than one place",
                "see_doctor",
                "Twitches were logged in more than one part of the body.",
                "left hand from 2 Mar, right hand on 9 Mar",
                date(2026, 3, 2),
                date(2026, 3, 9),
                "NHS",
            )
        ],
        labs=[LabRow(date(2026, 3, 5), "Magnesium", 0.62, "mmol/L", 0.70, 1.00, "low")],
        tremors=[TremorRow(datetime(2026, 3, 6, 19, 0), "right", "postural", 9.6, True, "fine rhythmic tremor")],
        episodes=episodes,
        figures=figures_from_rows(daily, episodes, START, END, "Europe/Berlin"),
    )


def _pages_text(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # Collapse whitespace so assertions do not depend on how pypdf breaks lines.
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


@pytest.fixture(scope="module")
def fixed_pages() -> list[str]:
    return _pages_text(render_report_pdf(fixed_content()))


def test_it_renders_a_pdf() -> None:
    pdf = render_report_pdf(fixed_content())
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


def test_it_shows_every_section_heading_in_reading_order(fixed_pages: list[str]) -> None:
    assert SECTION_HEADINGS[0] in fixed_pages[0]
    # Page 1 names some sections too ("Medications"), so the order is read after it.
    text = " ".join(fixed_pages[1:])
    positions = [text.find(heading) for heading in SECTION_HEADINGS[1:]]
    assert -1 not in positions, [h for h, p in zip(SECTION_HEADINGS[1:], positions, strict=True) if p == -1]
    assert positions == sorted(positions)


def test_the_first_page_reads_in_a_clinicians_order(fixed_pages: list[str]) -> None:
    first = fixed_pages[0]
    order = [
        "Onset:",
        "Frequency:",
        "Trend:",
        "Spread:",
        "Month Known days",
        "Red flags",
        "Pertinent negatives:",
        "Medications",
        "Exposures against guidance",
        "Triggers tested",
    ]
    positions = [first.find(label) for label in order]
    assert -1 not in positions, [label for label, p in zip(order, positions, strict=True) if p == -1]
    assert positions == sorted(positions)
    assert "Onset: first episode ever on 2 Mar 2026 (left index finger)" in first
    # Days with episodes of the known days (an entry or a check-in), not of calendar days.
    assert "6 episodes on 5 of 14 known days (36%); 0.4 per known day." in first
    assert "Spread: left hand from 2 Mar 2026; right hand from 9 Mar 2026; left face from 12 Mar 2026" in first
    assert "Too few diary days (14) to judge a trend." in first
    assert "No weakness, muscle wasting, speech trouble or swallowing trouble logged" in first


def test_the_first_page_gives_the_flag_evidence_and_dates_in_a_doctors_words(fixed_pages: list[str]) -> None:
    first = fixed_pages[0]
    assert "ROUTINE" in first
    assert "left hand from 2 Mar, right hand on 9 Mar" in first
    assert "2 Mar 2026 to 9 Mar 2026" in first
    # The app's patient-voice wording stays out of the PDF.
    assert "Twitches were logged in more than one part of the body." not in first


def test_the_first_page_names_the_top_sites_and_every_trigger_tested(fixed_pages: list[str]) -> None:
    first = fixed_pages[0]
    # Six episodes: counts, not percentages of so few.
    assert "sites left index finger 4 of 6" in first
    assert "Caffeine" in first and "linked in the diary" in first
    # The interval is printed once, beside its ratio.
    assert first.count("1.4-3.2") == 1
    assert "2.1 (1.4-3.2)" in first


def test_the_hand_legend_gives_per_finger_counts_for_each_hand(fixed_pages: list[str]) -> None:
    text = " ".join(fixed_pages)
    assert re.search(r"Thumb 0 1 ", text)
    assert re.search(r"Index finger 4 0 ", text)
    assert re.search(r"Middle finger 1 0 ", text)
    # No summed row: an episode in two fingers would count twice in it.
    assert "All fingers" not in text
    assert "Left hand" in text and "Right hand" in text


def test_medications_are_listed_with_their_known_links(fixed_pages: list[str]) -> None:
    text = " ".join(fixed_pages)
    assert "Salbutamol inhaler" in text
    assert "Paracetamol" in text
    assert "Known link: can cause a fine tremor" in text
    assert "still taking" in text


def test_low_lab_values_are_marked(fixed_pages: list[str]) -> None:
    text = " ".join(fixed_pages)
    assert re.search(r"Magnesium 0\.62 mmol/L 0\.70-1\.00 LOW", text)


def test_the_episode_log_has_every_episode_and_its_notes(fixed_pages: list[str]) -> None:
    log = " ".join(fixed_pages)[" ".join(fixed_pages).index("Appendix: episode log") :]
    assert "6 episodes, oldest first" in log
    assert log.count("Twitch") >= 6
    assert "After the third coffee." in log


def test_every_page_has_the_header_footer_and_disclaimer(fixed_pages: list[str]) -> None:
    total = len(fixed_pages)
    for number, text in enumerate(fixed_pages, start=1):
        assert f"Page {number} of {total}" in text
        assert "Sam Patient (born 1979)" in text
        assert "2 Mar 2026 to 15 Mar 2026" in text
        assert "Generated 16 Mar 2026 08:00" in text
        assert "This report summarises what the patient logged in the Twitchlog app. It is not a diagnosis" in text
    assert DISCLAIMER.startswith("This report summarises what the patient logged in the Twitchlog app.")


def test_an_empty_range_gives_a_short_pdf_saying_nothing_was_logged() -> None:
    content = ReportContent(
        patient_display_name="Sam Patient",
        range_start=START,
        range_end=END,
        generated_at=datetime(2026, 3, 16, 8, 0),
        timezone="Europe/Berlin",
        days_in_range=14,
        daily=[DayRow(date(2026, 3, d)) for d in range(2, 16)],
    )
    pages = _pages_text(render_report_pdf(content))
    assert 1 <= len(pages) <= 2
    assert "Nothing was logged in this range." in pages[0]
    assert "Page 1 of" in pages[0]
    assert "Appendix: episode log" not in " ".join(pages)


def test_an_empty_range_still_lists_medications_and_flags() -> None:
    content = replace(fixed_content(), episode_count=0, days_affected=0, episodes=[], finger_counts={})
    pages = _pages_text(render_report_pdf(content))
    assert len(pages) <= 2
    text = " ".join(pages)
    # The range's days are known (other entries were kept), so it had no episodes, not "nothing".
    assert "No episodes were logged in this range" in text
    assert "Salbutamol inhaler" in text
    assert "Twitching in more than one place" in text


def test_text_with_markup_characters_is_printed_as_written() -> None:
    content = replace(
        fixed_content(),
        patient_display_name="Jo <Smith> & Co",
        episodes=[_episode(3, 9, "left thumb", notes="Worse <after> coffee & tea")],
    )
    text = " ".join(_pages_text(render_report_pdf(content)))
    assert "Jo <Smith> & Co" in text
    assert "Worse <after> coffee & tea" in text


def test_acknowledged_flags_are_not_presented_as_open() -> None:
    flag = replace(fixed_content().flags[0], acknowledged=True)
    first = _pages_text(render_report_pdf(replace(fixed_content(), flags=[flag])))[0]
    assert "Worth a doctor's look" not in first
    assert "Already discussed with a doctor" in first


def test_a_year_of_sample_data_renders_with_the_episode_log_split_across_pages() -> None:
    content = sample_content(days=365, seed=3)
    pages = _pages_text(render_report_pdf(content))
    assert len(pages) > 8
    assert f"{content.episode_count} episodes on" in pages[0]
    log_pages = [p for p in pages if "Duration Sites Character" in p]
    assert len(log_pages) >= 3  # the header row repeats on every page of the log


def test_sample_content_is_reproducible_from_its_seed() -> None:
    assert sample_content(days=30, seed=5) == sample_content(days=30, seed=5)
    assert sample_content(days=30, seed=5) != sample_content(days=30, seed=6)


def test_the_first_page_is_not_blank_when_rasterised(tmp_path: Path) -> None:
    pdftoppm = shutil.which("pdftoppm") or ("/usr/bin/pdftoppm" if Path("/usr/bin/pdftoppm").exists() else None)
    if pdftoppm is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed, so the page cannot be rasterised")
    from PIL import Image

    pdf_path = tmp_path / "report.pdf"
    pdf_path.write_bytes(render_report_pdf(fixed_content()))
    subprocess.run(
        [
            pdftoppm,
            "-r",
            "40",
            "-f",
            "1",
            "-l",
            "1",
            "-gray",
            "-png",
            str(pdf_path),
            str(tmp_path / "page"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    image = Image.open(next(tmp_path.glob("page*.png")))
    dark = sum(count for level, count in enumerate(image.histogram()) if level < 200)
    assert dark / (image.width * image.height) > 0.01


def test_appendix_dates_carry_the_year_across_new_year_and_durations_fit_their_column() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from insights.reports import theme
    from insights.reports.episode_log import _FONT_SIZE, _PADDING, column_widths
    from insights.reports.pdf import CONTENT_WIDTH

    episodes = [
        EpisodeRow(datetime(2025, 12, 31, 22, 0), 89, "left thumb", "Twitch", 3),
        EpisodeRow(datetime(2026, 1, 1, 9, 0), 629, "left thumb", "Twitch", 3),
    ]
    content = replace(fixed_content(), episodes=episodes, episode_count=2)
    log = " ".join(_pages_text(render_report_pdf(content)))
    log = log[log.index("Appendix: episode log") :]

    # One duration format everywhere: whole minutes from a minute up.
    assert "31 Dec 2025 22:00 1 min " in log
    assert "1 Jan 2026 09:00 10 min " in log
    duration_column = column_widths(CONTENT_WIDTH)[2]
    assert stringWidth("10 min", theme.FONT, _FONT_SIZE) + 2 * _PADDING <= duration_column


def test_the_report_has_no_technical_q_column_no_ascii_comparisons_and_no_cause_wording(
    fixed_pages: list[str],
) -> None:
    text = " ".join(fixed_pages)
    assert f"Trigger Compared Result Rate ratio {wording.EFFECT_INTERVAL} Days" in text
    assert " q " not in text.replace("Page", "")
    assert ">=" not in text
    assert "What makes it worse" not in text
    assert "not shown to cause it" not in text
