"""Celery tasks of the diary: the one-time Apple Health export import.

Named "reports.*" so it runs on the reports queue, beside the other long file jobs (report
PDFs); it takes an id, calls one service and is safe to run twice.
"""

from __future__ import annotations

from celery import shared_task

from diary.health import services


@shared_task(name="reports.import_health_export", acks_late=True)
def import_health_export(job_id: str) -> str | None:
    job = services.export_job_run(job_id=job_id)
    return job.status if job is not None else None
