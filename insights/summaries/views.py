"""The summary preview (API), the unsubscribe pages and the "open in the app" pages (HTML, no login).

The unsubscribe URL is the one in the email's List-Unsubscribe header. A GET only shows a
page with a button, because link scanners and previewers follow links in emails and must
not unsubscribe anyone; the POST, from that button or from a mail client's one-click
unsubscribe (RFC 8058), needs no login and no CSRF token: the signed token is the proof.

The email's buttons are https links to the "open" pages, so they work on a desktop and in
webmail as well as on a phone; each page hands over to the app by its custom-scheme link and
says where the same thing is in the app. They read nothing and show nothing private.
"""

from __future__ import annotations

import base64
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.throttles import UnsubscribeThrottle
from config.plain_throttle import plain_view_throttled
from config.rate_throttles import AnonRateThrottle
from config.typing import AuthenticatedRequest
from insights.summaries import services
from insights.summaries.email_message import render_summary
from insights.summaries.serializers import SummaryPreviewSerializer
from insights.summaries.tokens import InvalidToken, user_id_from_token
from insights.summaries.weeks import week_to_send


class SummaryPreviewView(APIView):
    @extend_schema(
        responses={200: SummaryPreviewSerializer},
        summary="This week's summary email exactly as it would be sent: subject, text and HTML parts, and the chart",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        week = week_to_send(timezone.now(), request.user.timezone)
        rendered = render_summary(request.user, week)
        data = {
            "week_start": week.start,
            "week_end": week.end,
            "subject": rendered.subject,
            "text": rendered.text,
            "html": rendered.html,
            "chart_cid": rendered.chart_cid,
            "chart_png_base64": base64.b64encode(rendered.chart_png).decode("ascii"),
        }
        return Response(SummaryPreviewSerializer(data).data)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    refused = plain_view_throttled(request, UnsubscribeThrottle())
    if refused is not None:
        return refused
    try:
        if request.method == "POST":
            services.summaries_unsubscribe(token=token)
            return render(request, "summaries/unsubscribe_done.html")
        user_id_from_token(token)  # refuse a damaged link before showing the button
    except InvalidToken:
        return render(request, "summaries/unsubscribe_invalid.html", status=400)
    return render(request, "summaries/unsubscribe_confirm.html")


# The app screens an email may open, with where to find each in the app.
APP_SCREENS = {
    "insights": ("Your insights", "Open Twitchlog on your phone: your insights are on the Insights tab."),
    "report": (
        "A report for your doctor",
        "Open Twitchlog on your phone to make the report for your doctor, as a PDF or a share link.",
    ),
}


@require_GET
def open_in_app(request: HttpRequest, screen: str) -> HttpResponse:
    """A web page for an email button: hands over to the app, and works on any device."""
    # Public like every page an email opens, so limited per address like the anonymous API.
    refused = plain_view_throttled(request, AnonRateThrottle())
    if refused is not None:
        return refused
    if screen not in APP_SCREENS:
        raise Http404(f"No app screen {screen!r}.")
    title, where = APP_SCREENS[screen]
    query = {}
    for field in ("from", "to"):
        value = request.GET.get(field)
        if value is None:
            continue
        try:
            query[field] = date.fromisoformat(value).isoformat()
        except ValueError:
            return JsonResponse(
                {
                    "error": {
                        "code": "invalid",
                        "message": f"{field} must be a date as YYYY-MM-DD.",
                        "fields": {field: ["Must be a date as YYYY-MM-DD."]},
                    }
                },
                status=400,
            )
    app_link = f"{settings.APP_BASE_URL}/{screen}" + (f"?{urlencode(query)}" if query else "")
    return render(request, "summaries/open_in_app.html", {"title": title, "where": where, "app_link": app_link})
