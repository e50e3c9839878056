"""The first page: what, where, how long, how often, what makes it worse, anything worrying.

A doctor with a few minutes reads this page only, so open flags come first with their
evidence and dates, then the numbers, then where it happens and what goes with it.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from diary.catalogues.body_sites import BODY_SITES
from insights.reports import theme
from insights.reports.content import FlagRow, ReportContent
from insights.reports.theme import escape

TITLE = "Twitching and tremor diary: report for a doctor"
_TREND_WORDS = {"up": "Rising", "down": "Falling", "flat": "Stable"}


def severity_badge(severity: str) -> Table:
    """A small filled label such as "SEE GP SOON" that stands out in black-and-white prints too."""
    text, fill = theme.SEVERITY_BADGES.get(severity, theme.SEVERITY_BADGES["info"])
    badge = Table(
        [[text]],
        style=TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), theme.FONT_BOLD, 7, 8),
                ("TEXTCOLOR", (0, 0), (-1, -1), colors.white),
                ("BACKGROUND", (0, 0), (-1, -1), fill),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        ),
    )
    return badge


def _flag_text(flag: FlagRow) -> list[Flowable]:
    if flag.first_seen and flag.last_seen and flag.first_seen != flag.last_seen:
        dates = f"{theme.format_day(flag.first_seen)} to {theme.format_day(flag.last_seen)}"
    else:
        dates = theme.format_day(flag.first_seen or flag.last_seen)
    parts = [
        Paragraph(f"<b>{escape(flag.title)}</b>", theme.BODY),
        Paragraph(escape(flag.wording), theme.CELL),
        Paragraph(f"<b>Evidence:</b> {escape(flag.evidence)} <font color='#616E7C'>({dates})</font>", theme.CELL),
    ]
    if flag.source:
        parts.append(Paragraph(f"Source: {escape(flag.source)}", theme.SMALL))
    return parts


def flags_table(flags: Sequence[FlagRow], width: float) -> Table:
    """Each flag as a badge beside its title, wording, evidence with dates, and source."""
    rows = [[severity_badge(flag.severity), _flag_text(flag)] for flag in flags]
    return Table(
        rows,
        colWidths=[78, width - 78],
        hAlign="LEFT",
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("LEFTPADDING", (1, 0), (1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LINEBELOW", (0, 0), (-1, -2), 0.3, theme.RULE),
            ]
        ),
    )


def _open_flags_block(content: ReportContent, width: float) -> list[Flowable]:
    flags = content.open_flags
    if not flags:
        return [
            Paragraph(
                "Nothing in this diary matched the signs that call for a doctor's look "
                "(persistence, spread, weakness, wasting, speech or swallowing trouble, low lab values).",
                theme.BODY,
            ),
            Spacer(0, 6),
        ]
    box = Table(
        [[Paragraph("Worth a doctor's look", theme.H3)], [flags_table(flags, width - 16)]],
        colWidths=[width],
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, theme.SEVERITY_BADGES[flags[0].severity][1]),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, 0), 2),
            ]
        ),
    )
    return [box, Spacer(0, 8)]


def _fact(value: str, label: str) -> list[Paragraph]:
    return [Paragraph(escape(value), theme.FACT_VALUE), Paragraph(escape(label), theme.FACT_LABEL)]


def key_facts_table(content: ReportContent, width: float) -> Table:
    """How often, how long, how strong: six figures in a grid that reads at a glance."""
    share = f"{100 * content.days_affected / content.days_in_range:.0f}% of days" if content.days_in_range else ""
    intensity = f"{content.mean_intensity:.1f} / 10" if content.mean_intensity is not None else "-"
    trend = _TREND_WORDS.get(content.trend.direction, "-") if content.trend else "-"
    cells = [
        [
            _fact(str(content.episode_count), "episodes logged"),
            _fact(f"{content.days_affected} of {content.days_in_range}", f"days with episodes ({share})"),
            _fact(trend, "trend over the range"),
        ],
        [
            _fact(theme.format_duration(content.total_duration_s), "total duration"),
            _fact(theme.format_duration(content.mean_duration_s), "mean duration of an episode"),
            _fact(intensity, "mean intensity, self-rated"),
        ],
    ]
    return Table(
        cells,
        colWidths=[width / 3] * 3,
        style=TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), theme.ZEBRA),
                ("LINEAFTER", (0, 0), (1, -1), 2, colors.white),
                ("LINEBELOW", (0, 0), (-1, 0), 2, colors.white),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ]
        ),
    )


def top_sites(content: ReportContent, limit: int = 5) -> list[tuple[str, int]]:
    """The most involved body sites, fingers and others together, largest first."""
    sites = [
        (BODY_SITES[code].label if code in BODY_SITES else code.replace("_", " "), n)
        for code, n in content.finger_counts.items()
    ]
    sites += [(label.lower(), n) for label, n in content.other_site_counts]
    return sorted(sites, key=lambda item: -item[1])[:limit]


def _listing(pairs: Sequence[tuple[str, int]], total: int, limit: int = 3) -> str:
    parts = []
    for label, count in list(pairs)[:limit]:
        share = f", {100 * count / total:.0f}%" if total else ""
        parts.append(f"{escape(label)} ({count}{share})")
    return "; ".join(parts) or "-"


def _what_where_rows(content: ReportContent) -> list[list[Flowable]]:
    total = content.episode_count
    linked = [m for m in content.medications if m.known_link]
    rows = [
        ("What", _listing(content.characters, total)),
        ("Where", _listing(top_sites(content), total, limit=5)),
    ]
    if content.episodes:
        first = min(e.started_at_local for e in content.episodes).date()
        last = max(e.started_at_local for e in content.episodes).date()
        span_days = (last - first).days + 1
        rows.append(
            (
                "Span",
                f"first episode in range {theme.format_day(first)}, last {theme.format_day(last)} "
                f"({span_days} day{'s' if span_days != 1 else ''})",
            )
        )
    rows += [
        ("When", _listing(content.contexts, total)),
        ("With", _listing(content.symptoms, total) if content.symptoms else "no accompanying symptoms logged"),
    ]
    if content.trend:
        rows.append(("Trend", escape(content.trend.sentence)))
    if linked:
        rows.append(
            ("Medicines", "; ".join(f"{escape(m.name)} ({escape(m.drug_class_label)}: known link)" for m in linked))
        )
    return [[Paragraph(f"<b>{label}</b>", theme.BODY), Paragraph(text, theme.BODY)] for label, text in rows]


def _associations_block(content: ReportContent) -> list[Flowable]:
    if not content.associations:
        status = content.association_status or "No factor was associated with the episodes after correction."
        return [Paragraph(f"<b>What makes it worse:</b> {escape(status)}", theme.BODY)]
    strongest = sorted(content.associations, key=lambda a: -a.rate_ratio)[:3]
    items = "".join(
        f"<br/>&bull; {escape(a.sentence)} <font color='#616E7C'>(rate ratio {a.rate_ratio:.1f}, "
        f"95% CI {a.ci_low:.1f}-{a.ci_high:.1f})</font>"
        for a in strongest
    )
    return [
        Paragraph(
            f"<b>What makes it worse</b> (associated in the patient's data, not shown to cause it):{items}", theme.BODY
        )
    ]


def _acknowledged_line(content: ReportContent) -> list[Flowable]:
    seen = [f for f in content.flags if f.acknowledged]
    if not seen:
        return []
    titles = "; ".join(escape(f.title) for f in seen)
    note = f"Already discussed with a doctor, as marked by the patient: {titles}."
    return [Spacer(0, 4), Paragraph(note, theme.SMALL)]


def _nothing_logged_box(content: ReportContent, width: float) -> Table:
    text = (
        f"<b>Nothing was logged in this range.</b> The patient recorded no episodes from "
        f"{theme.format_range(content.range_start, content.range_end)}."
    )
    return Table(
        [[Paragraph(text, theme.BODY)]],
        colWidths=[width],
        style=TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), theme.ZEBRA),
                ("BOX", (0, 0), (-1, -1), 0.5, theme.RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ]
        ),
    )


def summary_flowables(content: ReportContent, width: float) -> list[Flowable]:
    """The whole first page, or the short "nothing logged" report for an empty range."""
    story: list[Flowable] = [
        Paragraph(TITLE, theme.H1),
        Paragraph(
            f"{escape(content.patient_display_name)}"
            + (f", born {content.birth_year}" if content.birth_year else "")
            + f" &middot; {theme.format_range(content.range_start, content.range_end)}"
            + f" ({content.days_in_range} days, times in {escape(content.timezone)})",
            theme.BODY,
        ),
        Spacer(0, 10),
    ]
    if content.episode_count == 0:
        # Flags can outlive the range (a low lab value, a medicine), so they still come first.
        if content.open_flags:
            story += _open_flags_block(content, width)
        story.append(_nothing_logged_box(content, width))
        return story + _acknowledged_line(content)
    story += _open_flags_block(content, width)
    story += [key_facts_table(content, width), Spacer(0, 8)]
    story.append(
        Table(
            _what_where_rows(content),
            colWidths=[62, width - 62],
            hAlign="LEFT",
            style=TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            ),
        )
    )
    story += [Spacer(0, 8), *_associations_block(content), *_acknowledged_line(content)]
    return story
