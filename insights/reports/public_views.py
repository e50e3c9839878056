"""The share link a doctor opens, without login: a summary page and the report PDF.

Plain Django views, outside the token-authenticated API: the answer is HTML for a person,
so a refused link (unknown, expired, revoked, throttled) gets a short page that says what
happened, never an error trace or a JSON body. Every request counts against the
per-address SharePublicThrottle, so guessing tokens is slow; every served page or PDF is
logged for the share's owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.throttles import SharePublicThrottle
from config.client_ip import client_ip
from config.plain_throttle import plain_view_throttled
from insights import wording
from insights.reports import report_model, services, theme
from insights.reports.models import Share, ShareAccessKind
from insights.reports.page_one import NO_RED_FLAGS, left_out_sentence, pattern_sentence
from insights.reports.presenters import report_content
from insights.reports.report_model import FlagRow, ReportContent
from insights.reports.selectors import ShareState, share_by_token

_REFUSALS: dict[ShareState, tuple[int, str, str]] = {
    ShareState.UNKNOWN: (
        404,
        "This link does not exist",
        "Check that the whole link was copied. If it still does not open, ask the patient for a new one.",
    ),
    ShareState.EXPIRED: (
        410,
        "This link has expired",
        "Share links work for a limited time. Ask the patient to share the report again.",
    ),
    ShareState.REVOKED: (
        410,
        "This link was withdrawn",
        "The patient has stopped sharing this report. Ask them for a new link if you need it.",
    ),
}


def _private(response: HttpResponse) -> HttpResponse:
    """Headers every public answer carries: never indexed, never cached, never leaked in a Referer."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _message(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    page = render(request, "reports/share_unavailable.html", {"title": title, "text": text}, status=status)
    return _private(page)


def _throttled(request: HttpRequest) -> HttpResponse | None:
    return plain_view_throttled(
        request,
        SharePublicThrottle(),
        lambda: _message(
            request,
            429,
            "Too many requests",
            "This address has opened too many links in a short time. Please wait a minute and try again.",
        ),
    )


def _open(request: HttpRequest, token: str) -> tuple[Share | None, HttpResponse | None]:
    """The share behind the token, or the page that refuses it."""
    refused = _throttled(request)
    if refused is not None:
        return None, refused
    share, state = share_by_token(token=token)
    if share is None or state is not ShareState.ACTIVE:
        status, title, text = _REFUSALS[state]
        return None, _message(request, status, title, text)
    return share, None


def _log(request: HttpRequest, share: Share, what: ShareAccessKind) -> None:
    services.share_access_log(
        share=share, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""), what=what
    )


@dataclass(frozen=True)
class _FlagLine:
    badge: str
    flag: FlagRow


def _line(flag: FlagRow) -> _FlagLine:
    return _FlagLine(theme.SEVERITY_BADGES.get(flag.severity, theme.SEVERITY_BADGES["info"])[0], flag)


def _within_range(day: date | None, content: ReportContent, outside: str) -> str:
    """A date the share may show: inside its range, or said as outside it without the date."""
    if day is None:
        return "-"
    return wording.day_text(day) if content.range_start <= day <= content.range_end else outside


def _covers_diary(content: ReportContent) -> bool:
    return content.first_entry_ever is not None and content.first_entry_ever >= content.range_start


def _page_context(share: Share, content: ReportContent) -> dict[str, object]:
    """What page 1 of the PDF shows, from the same content model, every time in the patient's zone."""
    tz = ZoneInfo(content.timezone)
    expires = share.expires_at.astimezone(tz)
    return {
        "content": content,
        "figures": content.figures,
        "share": share,
        "period": wording.period_text(content.range_start, content.range_end),
        "pattern": pattern_sentence(content),
        "red_flags": [_line(f) for f in content.red_flags],
        "routine_flags": [_line(f) for f in content.routine_flags],
        "no_red_flags": NO_RED_FLAGS,
        "left_out": left_out_sentence(content.flags_left_out) if content.flags_left_out else "",
        "medications": [
            (
                med,
                _within_range(med.started_on, content, "before this range"),
                _within_range(med.stopped_on, content, "after this range") if med.stopped_on else "still taking",
            )
            for med in content.medications
        ],
        # Trigger tests run over the whole diary: a share shows them only when it covers all of it.
        "show_triggers": content.scope != "range" or _covers_diary(content),
        "effect_interval": wording.EFFECT_INTERVAL,
        "why_two_levels": wording.WHY_TWO_LEVELS,
        "acknowledged": [f for f in content.flags if f.acknowledged],
        "labs": [(lab, *lab.numbers) for lab in content.labs],
        "expires": f"{wording.day_text(expires.date())}, {expires:%H:%M} ({content.timezone})",
    }


@require_GET
def share_page(request: HttpRequest, token: str) -> HttpResponse:
    share, refused = _open(request, token)
    if share is None:
        assert refused is not None
        return refused
    content = report_content(user=share.user, start=share.range_start, end=share.range_end, scope="range")
    _log(request, share, ShareAccessKind.PAGE)
    return _private(render(request, "reports/share_page.html", _page_context(share, content)))


@require_GET
def share_pdf(request: HttpRequest, token: str) -> HttpResponse:
    share, refused = _open(request, token)
    if share is None:
        assert refused is not None
        return refused
    pdf = services.report_pdf_render(user=share.user, start=share.range_start, end=share.range_end, scope="range")
    _log(request, share, ShareAccessKind.PDF)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = report_model.report_filename(start=share.range_start, end=share.range_end)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return _private(response)
