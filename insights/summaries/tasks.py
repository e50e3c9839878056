"""Celery tasks of the email queue ("email.*" routes there). Thin: ids in, one service call."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from insights.summaries import services


@shared_task(name="email.dispatch_weekly")
def dispatch_weekly() -> int:
    """Hourly from beat: enqueue this week's summary for every user whose Monday 08:00 has come."""
    return services.summaries_dispatch(enqueue=lambda summary_id: send_weekly_summary.delay(summary_id))


@shared_task(name="email.send_weekly_summary", bind=True, max_retries=services.MAX_RETRIES)
def send_weekly_summary(self: Any, summary_id: int) -> str:
    try:
        return services.summary_send(summary_id=summary_id)
    except services.TransientSendError as exc:
        retries = self.request.retries
        if retries >= self.max_retries:
            services.summary_give_up(summary_id=summary_id, error=str(exc))
            return "failed"
        if self.request.is_eager:
            # Run in-process (the embedded default, tests): there is no broker to hold a delayed
            # retry, and Celery's eager retry would raise out of the dispatcher that called us.
            return str(send_weekly_summary.apply(args=(summary_id,), retries=retries + 1).get())
        raise self.retry(exc=exc, countdown=services.retry_delay(retries)) from exc
