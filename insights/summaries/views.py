"""The summary preview (API) and the unsubscribe pages (HTML, no login).

The unsubscribe URL is the one in the email's List-Unsubscribe header. A GET only shows a
page with a button, because link scanners and previewers follow links in emails and must
not unsubscribe anyone; the POST, from that button or from a mail client's one-click
unsubscribe (RFC 8058), needs no login and no CSRF token: the signed token is the proof.
"""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.throttles import UnsubscribeThrottle
from config.plain_throttle import plain_view_throttled
from config.typing import AuthenticatedRequest
from insights.summaries import services
from insights.summaries.compose import render_summary
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
