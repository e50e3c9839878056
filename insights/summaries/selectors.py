"""Reads for weekly summaries: who is due, which rows to send, and one user's week.

``summary_data`` reads a constant number of queries whatever the size of the diary: one
per diary table (bounded to the four weeks the summary shows), one for the diary's first
entry ever, the insight state, the open flags and the flags earlier emails showed. The
numbers are aggregated in numpy by the pure ``figures`` module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Q, QuerySet, Subquery

from accounts.models import User
from diary import models as diary_models
from diary.catalogues.drinks import DAILY_GUIDE_MG
from insights import presenters
from insights import selectors as insight_selectors
from insights.analysis.daily_series import local_midnight
from insights.analysis.records import TremorRecord
from insights.models import Flag
from insights.summaries.models import SummaryStatus, WeeklySummary
from insights.summaries.week_figures import SummaryFigures, chart_start, summary_figures
from insights.summaries.weeks import Week

# How many triggers a summary lists; the app shows them all.
TOP_ASSOCIATIONS = 5

# The tables whose entries say the diary was kept that day, with the instant that places an
# entry on a day: the same rows and fields as the daily series' "logged" and first entry
# (labs are left out; a tremor test counts once analysed, as the analysis reads it), so the
# email's first day agrees with the report's.
_DAY_FIELDS: tuple[tuple[type[diary_models.DiaryRecord], str, dict[str, Any]], ...] = (
    (diary_models.Episode, "started_at", {}),
    (diary_models.CaffeineIntake, "consumed_at", {}),
    (diary_models.SleepLog, "woke_at", {}),
    (diary_models.StressLog, "recorded_at", {}),
    (diary_models.MedicationDose, "taken_at", {}),
    (diary_models.ExerciseSession, "started_at", {}),
    (diary_models.TremorRecording, "recorded_at", {"analysed_at__isnull": False}),
)


@dataclass(frozen=True)
class SummaryData:
    """Everything a summary says about one user's week, before it is worded."""

    user: User
    week: Week
    figures: SummaryFigures
    flags: tuple[Flag, ...]
    new_flag_ids: frozenset[int]
    associations: tuple[dict[str, Any], ...]
    insights_status: str
    tremors: tuple[TremorRecord, ...] = ()
    # Fingerprint -> the first week whose email showed that flag, for flags already emailed.
    emailed_flags: dict[str, date] | None = None


def diary_began_at(*, user: User) -> datetime | None:
    """The instant of the user's first live diary entry ever, in one query, or None."""
    firsts = {
        f"first_{index}": Subquery(
            model.objects.live().filter(user=OuterRef("pk"), **extra).order_by(field).values(field)[:1]
        )
        for index, (model, field, extra) in enumerate(_DAY_FIELDS)
    }
    row = User.objects.filter(pk=user.pk).annotate(**firsts).values(*firsts).first() or {}
    moments = [moment for moment in row.values() if moment is not None]
    return min(moments) if moments else None


def flags_emailed_before(*, user: User, week: Week) -> dict[str, date]:
    """Each flag fingerprint an earlier week's sent email showed, with the first such week."""
    first_week: dict[str, date] = {}
    rows = (
        WeeklySummary.objects.filter(user=user, status=SummaryStatus.SENT, week_start__lt=week.start)
        .order_by("week_start")
        .values_list("week_start", "flags_emailed")
    )
    for week_start, shown in rows:
        for item in shown or ():
            first_week.setdefault(str(item.get("fingerprint", "")), week_start)
    return first_week


def summary_data(*, user: User, week: Week) -> SummaryData:
    zone = ZoneInfo(user.timezone)
    start = local_midnight(chart_start(week), zone)
    end = local_midnight(week.end + timedelta(days=1), zone)
    diary = insight_selectors.diary_for_user(user=user, today=week.end, start=start, end=end)
    began = diary_began_at(user=user)
    figures = summary_figures(
        diary, week, guide_mg=DAILY_GUIDE_MG, diary_start=began.astimezone(zone).date() if began else None
    )

    flags = tuple(insight_selectors.open_flags(user=user))
    emailed = flags_emailed_before(user=user, week=week)
    # A flag is new to this email unless an earlier email showed it with the same evidence
    # (its fingerprint: rule, severity, regions); a flag that grew since is shown in full again.
    new_flag_ids = frozenset(f.pk for f in flags if f.fingerprint not in emailed)
    week_began = local_midnight(week.start, zone)
    payload = presenters.insights_payload(insight_selectors.insight_state(user=user))
    return SummaryData(
        user=user,
        week=week,
        figures=figures,
        flags=flags,
        new_flag_ids=new_flag_ids,
        associations=tuple(payload["tested"]),
        insights_status=payload["status"],
        tremors=tuple(t for t in diary.tremors if t.recorded_at >= week_began),
        emailed_flags=emailed,
    )


def summary_timezones() -> list[str]:
    """The distinct timezones of users who want summaries: a handful, however many users."""
    return list(
        User.objects.filter(is_active=True, weekly_summary_enabled=True, email_confirmed_at__isnull=False)
        .order_by()
        .values_list("timezone", flat=True)
        .distinct()
    )


def users_without_summary(*, timezones: list[str], week: Week) -> QuerySet[User]:
    """Users in ``timezones`` who want summaries, at a confirmed address, and have no row yet for ``week``."""
    return (
        User.objects.filter(
            is_active=True, weekly_summary_enabled=True, email_confirmed_at__isnull=False, timezone__in=timezones
        )
        .exclude(weekly_summaries__week_start=week.start)
        .order_by("pk")
    )


def summaries_to_enqueue(
    *, timezones: list[str], week: Week, created_since: datetime, orphaned_before: datetime, stale_before: datetime
) -> Iterator[int]:
    """Ids of ``week``'s rows for users in ``timezones`` that need a send task.

    That is rows just created; rows still pending long after their last change, whose task
    must have been lost; and rows stuck in ``sending`` by a worker that died mid-send. A row
    waiting for a retry is left to its retry, so the dispatcher never bypasses the backoff.
    """
    return (
        WeeklySummary.objects.filter(week_start=week.start, user__timezone__in=timezones)
        .filter(
            Q(status=SummaryStatus.PENDING, attempts=0, created_at__gte=created_since)
            | Q(status=SummaryStatus.PENDING, updated_at__lt=orphaned_before)
            | Q(status=SummaryStatus.SENDING, claimed_at__lt=stale_before)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=500)
    )


def summary_with_user(*, summary_id: int) -> WeeklySummary | None:
    return WeeklySummary.objects.select_related("user").filter(pk=summary_id).first()
