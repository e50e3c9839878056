"""The numbers of a weekly summary, computed from a user's diary: pure, no Django, no database.

Everything is placed on local days by ``build_daily_series``, so "a week" is the user's own
Monday-Sunday whatever the offset. Averages are taken over the days on which the thing was
logged: a day without a caffeine entry is unknown, not a day without caffeine. Days before the
diary began (its first entry ever) are not days without episodes either: a week counts only the
days the diary covers, and a week wholly before it is "before the diary", never "0 episodes".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np

from diary.catalogues.body_sites import site_label
from insights.analysis.clinical_thresholds import ADULT_SLEEP_NEED_HOURS
from insights.analysis.daily_series import DailySeries, DayIndexer, build_daily_series, utc_offsets
from insights.analysis.records import Diary
from insights.summaries.weeks import Week

CHART_WEEKS = 4
# A night under the adult sleep need (AASM/SRS; docs/clinical.md, "Sleep") counts as short.
SHORT_NIGHT_HOURS = float(ADULT_SLEEP_NEED_HOURS)


@dataclass(frozen=True)
class WeekFigures:
    """One local week's numbers; ``None`` where nothing of that kind was logged."""

    week: Week
    days_covered: int  # days of the week on or after the diary's first entry ever
    days_logged: int
    episodes: int
    days_affected: int
    total_duration_s: int
    mean_intensity: float | None
    body_sites: tuple[tuple[str, int], ...]  # (label, episodes), most frequent first
    caffeine_mean_mg: float | None
    caffeine_days: int
    caffeine_days_over_guide: int
    sleep_mean_hours: float | None
    sleep_nights: int
    short_nights: int
    stress_mean: float | None
    stress_days: int

    @property
    def nothing_logged(self) -> bool:
        return self.days_logged == 0

    @property
    def before_diary(self) -> bool:
        """The whole week lies before the diary's first entry: there is nothing to compare with."""
        return self.days_covered == 0


@dataclass(frozen=True)
class ChartDay:
    day: date
    episodes: int | None  # None: nothing at all was logged that day
    before_diary: bool = False  # the diary had not begun: no bar and no "not logged" mark


@dataclass(frozen=True)
class SummaryFigures:
    this_week: WeekFigures
    week_before: WeekFigures
    # The last CHART_WEEKS weeks, oldest first, ending with this week.
    chart_days: tuple[ChartDay, ...]
    chart_weeks: tuple[tuple[Week, int | None], ...]  # (week, episodes); None: before the diary began
    diary_start: date | None  # the local day of the first entry ever; None for an empty diary


def _mean(values: np.ndarray) -> float | None:
    present = values[~np.isnan(values)]
    return float(present.mean()) if present.size else None


def _days_covered(week: Week, diary_start: date | None) -> int:
    if diary_start is None or diary_start > week.end:
        return 0
    return 7 - max((diary_start - week.start).days, 0)


def _week_figures(
    week: Week, series: DailySeries, diary: Diary, indexer: DayIndexer, guide_mg: float, diary_start: date | None
) -> WeekFigures:
    first = series.index_of(week.start)
    if first is None:
        raise ValueError(f"the series does not cover the week of {week.start}")
    days = slice(first, first + 7)
    logged = series.logged[days]
    episodes = np.nan_to_num(series.episodes[days])
    caffeine = series.caffeine_mg[days]
    sleep = series.sleep_hours[days]
    stress = series.stress_mean[days]

    # Intensity and body sites need each episode, not the daily totals.
    # Each episode on its own local day (its phone offset), as the daily series places it.
    stamps = np.fromiter((record.started_at.timestamp() for record in diary.episodes), dtype=np.float64)
    positions, inside = indexer.positions_of_stamps(stamps, utc_offsets(diary.episodes))
    in_week = inside & (positions >= first) & (positions < first + 7)
    week_episodes = [record for record, keep in zip(diary.episodes, in_week, strict=True) if keep]
    sites: Counter[str] = Counter()
    for record in week_episodes:
        for code in set(record.body_sites):
            sites[site_label(code)] += 1

    return WeekFigures(
        week=week,
        days_covered=_days_covered(week, diary_start),
        days_logged=int(logged.sum()),
        episodes=int(episodes.sum()),
        days_affected=int((episodes > 0).sum()),
        total_duration_s=int(np.nan_to_num(series.episode_duration_s[days]).sum()),
        mean_intensity=(sum(r.intensity for r in week_episodes) / len(week_episodes)) if week_episodes else None,
        body_sites=tuple(sorted(sites.items(), key=lambda item: (-item[1], item[0]))),
        caffeine_mean_mg=_mean(caffeine),
        caffeine_days=int((~np.isnan(caffeine)).sum()),
        caffeine_days_over_guide=int((np.nan_to_num(caffeine) > guide_mg).sum()),
        sleep_mean_hours=_mean(sleep),
        sleep_nights=int((~np.isnan(sleep)).sum()),
        short_nights=int((np.nan_to_num(sleep, nan=24.0) < SHORT_NIGHT_HOURS).sum()),
        stress_mean=_mean(stress),
        stress_days=int((~np.isnan(stress)).sum()),
    )


def chart_start(week: Week) -> date:
    """The first local day the summary reads: the Monday CHART_WEEKS - 1 weeks before ``week``."""
    return week.previous(CHART_WEEKS - 1).start


def summary_figures(diary: Diary, week: Week, *, guide_mg: float, diary_start: date | None) -> SummaryFigures:
    """This week against the week before, and the last CHART_WEEKS weeks day by day.

    ``diary`` may hold more than those weeks; only the days from ``chart_start(week)`` to the
    week's Sunday are read. ``diary_start`` is the local day of the first entry ever, which
    the bounded ``diary`` cannot know.
    """
    start, end = chart_start(week), week.end
    series = build_daily_series(diary, start=start, end=end)
    indexer = DayIndexer(ZoneInfo(diary.timezone), start, end)
    chart_days = tuple(
        ChartDay(day, int(count) if is_logged else None, diary_start is None or day < diary_start)
        for day, count, is_logged in zip(series.days, np.nan_to_num(series.episodes), series.logged, strict=True)
    )
    chart_weeks = tuple(
        (
            chart_week,
            None
            if _days_covered(chart_week, diary_start) == 0
            else sum(d.episodes or 0 for d in chart_days[i * 7 : i * 7 + 7]),
        )
        for i, chart_week in enumerate(week.previous(CHART_WEEKS - 1 - n) for n in range(CHART_WEEKS))
    )
    return SummaryFigures(
        this_week=_week_figures(week, series, diary, indexer, guide_mg, diary_start),
        week_before=_week_figures(week.previous(), series, diary, indexer, guide_mg, diary_start),
        chart_days=chart_days,
        chart_weeks=chart_weeks,
        diary_start=diary_start,
    )
