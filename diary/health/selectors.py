"""Reads of the health imports."""

from __future__ import annotations

from accounts.models import User
from config.errors import NotFound
from diary.models import HealthExportJob


def export_job_get(*, user: User, job_id: str) -> HealthExportJob:
    """One of the user's export imports; another user's id is simply not found."""
    job = HealthExportJob.objects.filter(user=user, pk=job_id).first()
    if job is None:
        raise NotFound("No such import job.")
    return job
