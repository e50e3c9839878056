"""Turn a user's week into the email: subject, text part, HTML part (CSS inlined) and chart.

The message is multipart/alternative with the text first and, as the richer alternative, a
multipart/related holding the HTML and the chart it shows by ``cid:``. That is the structure
mail clients expect for an inline image: a plain-text client shows the text part alone, with
the chart's numbers written out, and no client lists the chart as a stray attachment.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.mime.image import MIMEImage
from typing import Any

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from insights.experiments.presenters import weekly_email_line
from insights.selectors import local_today
from insights.summaries.email_chart import episodes_chart_png
from insights.summaries.presenters import SummaryContent, as_template_context, summary_content
from insights.summaries.selectors import summary_data
from insights.summaries.tokens import unsubscribe_token
from insights.summaries.weeks import Week

_inliner = css_inline.CSSInliner(keep_style_tags=False)


@dataclass(frozen=True)
class RenderedSummary:
    subject: str
    text: str
    html: str
    chart_png: bytes
    chart_cid: str  # the Content-ID, without angle brackets
    unsubscribe_url: str
    # The flags the email shows, in full or as a reminder; stored on the row once it is sent.
    flags_emailed: tuple[dict[str, str], ...] = ()
    # The diary began after the week ended: nothing to sum up, so the send is skipped (the preview
    # still shows what the email says).
    before_diary: bool = False


def unsubscribe_url(user: User) -> str:
    return settings.PUBLIC_BASE_URL + reverse("summaries-unsubscribe", args=[unsubscribe_token(user.pk)])


def render_summary(user: User, week: Week) -> RenderedSummary:
    """Everything the email for ``user``'s ``week`` contains; the preview shows exactly this.

    The buttons are https links (APP_WEB_URL), which open on any device and in webmail, and
    which a phone with the app can hand to it as universal links; the custom-scheme app link
    is offered beside them as an extra, since it does nothing on a desktop.
    """
    data = summary_data(user=user, week=week)
    # The report covers the chart's four weeks, or the diary's days if it began within them.
    # A diary that began after the week (a new user's first Monday) reports its own days so far,
    # so "from" is never after "to".
    chart_from = data.figures.chart_days[0].day
    report_from = max(chart_from, data.figures.diary_start or chart_from)
    report_to = week.end if report_from <= week.end else max(report_from, local_today(user=user))
    report_range = f"from={report_from.isoformat()}&to={report_to.isoformat()}"
    content: SummaryContent = summary_content(
        data,
        insights_url=f"{settings.APP_WEB_URL}/insights/",
        report_url=f"{settings.APP_WEB_URL}/report/?{report_range}",
        app_url=f"{settings.APP_BASE_URL}/insights",
        unsubscribe_url=unsubscribe_url(user),
    )
    chart_cid = f"chart-{week.start.isoformat()}-{user.pk}@twitchlog"
    context = as_template_context(content, chart_src=f"cid:{chart_cid}")
    # One line on the person's self-experiment, if one runs or just ended.
    context["experiment_line"] = weekly_email_line(user, week.end)
    text = render_to_string("summaries/weekly_summary.txt", context).strip() + "\n"
    html = _inliner.inline(render_to_string("summaries/weekly_summary.html", context))
    return RenderedSummary(
        subject=content.subject,
        text=text,
        html=html,
        chart_png=episodes_chart_png(content.chart_days),
        chart_cid=chart_cid,
        unsubscribe_url=content.unsubscribe_url,
        flags_emailed=tuple({"rule": flag.rule_id, "fingerprint": flag.fingerprint} for flag in data.flags),
        before_diary=content.before_diary,
    )


class RelatedImagesEmail(EmailMultiAlternatives):
    """An EmailMultiAlternatives whose HTML alternative carries inline images with it."""

    def __init__(self, *args: Any, related: list[MIMEImage] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.related = related or []

    def _create_alternatives(self, msg: Any) -> Any:
        # A private hook of EmailMultiAlternatives (Django 5.2) that django-stubs does not declare.
        msg = super()._create_alternatives(msg)  # type: ignore[misc]
        if not self.related or not msg.is_multipart():
            return msg
        # Wrap the HTML part (the last alternative) and its images in multipart/related.
        html_part = msg.get_payload()[-1]
        related = SafeMIMEMultipart(_subtype="related", encoding=self.encoding or settings.DEFAULT_CHARSET)
        related.attach(html_part)
        for image in self.related:
            related.attach(image)
        msg.get_payload()[-1] = related
        return msg


def build_message(user: User, rendered: RenderedSummary) -> RelatedImagesEmail:
    chart = MIMEImage(rendered.chart_png, _subtype="png")
    chart.add_header("Content-ID", f"<{rendered.chart_cid}>")
    chart.add_header("Content-Disposition", "inline", filename="last-4-weeks.png")
    message = RelatedImagesEmail(
        subject=rendered.subject,
        body=rendered.text,
        to=[user.email],
        headers={
            # RFC 8058: a mail client may unsubscribe with one POST, with no login and no page.
            "List-Unsubscribe": f"<{rendered.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # Tells auto-responders this is bulk mail, so they do not answer it.
            "Auto-Submitted": "auto-generated",
        },
        related=[chart],
    )
    message.attach_alternative(rendered.html, "text/html")
    return message
