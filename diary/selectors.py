"""Diary reads: a user's records for the REST lists, and the catalogues for the app's pickers."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import DateField, Min, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import User
from diary.catalogues import body_sites, drinks, episode_terms, medicines
from diary.models import DayCheckin, DiaryRecord, ExperimentDay, ExperimentStatus
from diary.tables import TABLES


def _local_day_bounds(
    user: User, time_from: datetime | None, time_to: datetime | None
) -> tuple[date | None, date | None]:
    """The days (in the user's timezone) a [from, to) range of instants touches, as [first, end)."""
    zone = ZoneInfo(user.timezone)
    first = time_from.astimezone(zone).date() if time_from else None
    end = None
    if time_to:
        local = time_to.astimezone(zone)
        # A day counts while any moment of it lies before ``to``.
        end = local.date() if local.time() == time.min else local.date() + timedelta(days=1)
    return first, end


def record_list(
    *,
    user: User,
    table: str,
    time_from: datetime | None = None,
    time_to: datetime | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[DiaryRecord]:
    """The user's records that are not deleted, with the table's time in [time_from, time_to)
    and changed after updated_since. A table whose time is a date (a lab result's day)
    matches when any moment of that day, in the user's timezone, lies in the range.
    Records without a time (a medication with no start date) only match an open range."""
    spec = TABLES[table]
    rows = spec.model.objects.live().filter(user=user)
    field = spec.model.time_field
    # DateTimeField subclasses DateField, so ask for the column type rather than isinstance.
    if spec.model._meta.get_field(field).get_internal_type() == "DateField":
        first, end = _local_day_bounds(user, time_from, time_to)
        if first:
            rows = rows.filter(**{f"{field}__gte": first})
        if end:
            rows = rows.filter(**{f"{field}__lt": end})
    else:
        if time_from:
            rows = rows.filter(**{f"{field}__gte": time_from})
        if time_to:
            rows = rows.filter(**{f"{field}__lt": time_to})
    if updated_since:
        rows = rows.filter(updated_at__gt=updated_since)
    refs = [column.name.removesuffix("_id") for column in spec.columns if column.kind == "ref"]
    if refs:
        rows = rows.select_related(*refs)
    return rows


def checkin_today(*, user: User, now: datetime | None = None) -> dict[str, Any]:
    """Whether today's check-in is due: today in the profile's zone (which follows the phone), its
    check-in if there is one, and today's plan in a running self-experiment (so the app asks
    "kept today's plan?"). Two queries."""
    zone = user.timezone
    today = (now or timezone.now()).astimezone(ZoneInfo(zone)).date()
    checkin = DayCheckin.objects.live().filter(user=user, day=today).first()
    plan = (
        ExperimentDay.objects.live()
        .filter(user=user, day=today, experiment__status=ExperimentStatus.ACTIVE, experiment__deleted_at__isnull=True)
        .values("experiment__client_id", "assignment", "label", "instruction")
        .first()
    )
    return {
        "day": today,
        "timezone": zone,
        "due": checkin is None,
        "checkin": checkin,
        "plan": None
        if plan is None
        else {
            "experiment_id": plan["experiment__client_id"],
            "assignment": plan["assignment"],
            "label": plan["label"],
            "instruction": plan["instruction"],
        },
    }


# --- Catalogues ---------------------------------------------------------------------


def _terms(mapping: dict[str, str] | tuple[str, ...]) -> list[dict[str, str]]:
    if isinstance(mapping, dict):
        return [{"code": code, "label": label} for code, label in mapping.items()]
    return [{"code": code, "label": code.replace("_", " ").capitalize()} for code in mapping]


def _drug_class(code: str) -> dict[str, Any]:
    return asdict(medicines.DRUG_CLASSES[code])


def catalogue_drinks() -> dict[str, Any]:
    return {
        "version": drinks.VERSION,
        "source": drinks.SOURCE,
        "daily_guide_mg": drinks.DAILY_GUIDE_MG,
        "items": [asdict(drink) for drink in drinks.DRINKS.values()],
    }


def catalogue_medicines() -> dict[str, Any]:
    return {
        "version": medicines.VERSION,
        "items": [
            {"code": m.code, "label": m.code.replace("_", " "), "drug_class": _drug_class(m.drug_class)}
            for m in medicines.MEDICINES.values()
        ],
        "drug_classes": [asdict(c) for c in medicines.DRUG_CLASSES.values()],
    }


def catalogue_body_sites() -> dict[str, Any]:
    return {"version": body_sites.VERSION, "items": [asdict(site) for site in body_sites.BODY_SITES.values()]}


def catalogue_terms() -> dict[str, Any]:
    return {
        "version": episode_terms.VERSION,
        "characters": _terms(episode_terms.CHARACTERS),
        "contexts": _terms(episode_terms.CONTEXTS),
        "symptoms": _terms(episode_terms.SYMPTOMS),
        "exercise_intensities": _terms(episode_terms.EXERCISE_INTENSITIES),
        "lab_analytes": _terms(episode_terms.LAB_ANALYTES),
    }


def diary_first_day(*, user: User) -> date | None:
    """The UTC date of the user's earliest live record in any table, in one query; None for an empty diary."""
    firsts = [
        spec.model.objects.live()
        .filter(user=user)
        .values("user")
        .annotate(first=Cast(Min(spec.model.time_field), DateField()))
        .values_list("first", flat=True)
        for spec in TABLES.values()
    ]
    days = [day for day in firsts[0].union(*firsts[1:], all=True) if day is not None]
    return min(days) if days else None
