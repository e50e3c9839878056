"""Celery tasks of the reports queue (every task named "reports.*" is routed there).

Each takes ids, calls one service and is safe to run twice.
"""

from __future__ import annotations

from celery import shared_task

from insights.reports import services


@shared_task(name="reports.build_report_pdf")
def build_report_pdf(job_id: str) -> str | None:
    job = services.report_job_run(job_id=job_id)
    return job.status if job is not None else None


@shared_task(name="reports.expire_old_reports")
def expire_old_reports() -> int:
    return services.reports_expire()
