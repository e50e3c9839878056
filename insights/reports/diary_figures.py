"""The diary's figures over the days the diary covers: one source for the PDF, the share page,
the API and the weekly email.

Pure: analysis records in, a frozen ``DiaryFigures`` out, no Django and no database. Every rate
and share is over *covered* days, from the later of the diary's first entry and the range start,
so a 365-day report of a 120-day diary says "of 120 diary days", never "of 365", and a trend never
compares the diary's months with the empty months before it existed.

``diary`` should hold the user's records up to the range end, from the first entry ever (the onset
and the spread need the whole history); records after ``end`` are ignored. To use it elsewhere::

    figures = diary_figures(selectors.diary_for_user(user, end=local_midnight(end + 1 day)), start, end)
    figures.trend.sentence, figures.covered_days, figures.months, figures.negatives ...
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from scipy import stats

from diary.catalogues.body_sites import BODY_SITES
from insights import wording
from insights.analysis.daily_series import build_daily_series
from insights.analysis.records import Diary, EpisodeRecord

# A trend needs this many covered days; below it any "rising" is a handful of episodes.
TREND_MIN_COVERED_DAYS = 28
# With at least twice this many covered days the recent period is the last RECENT_DAYS, which
# reads as "the last month against before"; with fewer, the covered days are halved.
RECENT_DAYS = 30
# Each period needs this many logged days for its daily counts to estimate a dispersion.
TREND_MIN_LOGGED_DAYS = 10
TREND_ALPHA = 0.05

# Symptoms a neurologist asks about when twitching is reported: their absence is the pertinent
# negative (docs/clinical.md, "The flag rules": R3-R5 and R20).
PERTINENT_NEGATIVES: tuple[tuple[str, str], ...] = (
    ("weakness", "weakness"),
    ("muscle_wasting", "muscle wasting"),
    ("speech_difficulty", "speech trouble"),
    ("swallowing_difficulty", "swallowing trouble"),
)


NOTHING_LOGGED = "nothing logged"
# Below this many known days a share in per cent says more than the days can (5 of 7 is not "71%").
SHARE_MIN_DAYS = 10
# A diary whose last entry is this many days before the range end has stopped: say so.
STOPPED_AFTER_DAYS = 7


@dataclass(frozen=True)
class MonthRow:
    """One calendar month of the covered days."""

    month: date  # the first of the month
    covered_days: int  # diary days of this month inside the covered range
    logged_days: int  # of those, days with any entry
    episodes: int
    days_affected: int
    regions: tuple[str, ...]  # regions with episodes this month, in the order they first appeared ever

    @property
    def label(self) -> str:
        return f"{self.month:%b %Y}"

    @property
    def per_logged_day(self) -> float | None:
        return self.episodes / self.logged_days if self.logged_days else None

    @property
    def nothing_logged(self) -> bool:
        """No known day in the month: unknown, never "0 episodes"."""
        return self.logged_days == 0

    @property
    def days_affected_text(self) -> str:
        """ "17 of 28 (61%)": days with episodes of this month's known days; "nothing logged" without any."""
        if self.nothing_logged:
            return NOTHING_LOGGED
        share = f" ({100 * self.days_affected / self.logged_days:.0f}%)" if self.logged_days >= SHARE_MIN_DAYS else ""
        return f"{self.days_affected} of {self.logged_days}{share}"

    @property
    def episodes_text(self) -> str:
        return NOTHING_LOGGED if self.nothing_logged else str(self.episodes)

    @property
    def rate_text(self) -> str:
        return "-" if self.per_logged_day is None else f"{self.per_logged_day:.1f}"

    @property
    def regions_text(self) -> str:
        return ", ".join(wording.region_words(r) for r in self.regions) or "-"


@dataclass(frozen=True)
class RegionOnset:
    """When a body region first and last had an episode, over the whole diary up to the range end."""

    region: str
    first_day: date
    last_day: date
    episodes: int

    @property
    def label(self) -> str:
        return wording.region_words(self.region)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    logged_days: int
    episodes: int

    @property
    def rate(self) -> float:
        return self.episodes / self.logged_days if self.logged_days else 0.0

    @property
    def words(self) -> str:
        return f"{self.rate:.1f} from {wording.period_text(self.start, self.end)}"


@dataclass(frozen=True)
class RateTrend:
    """Episodes per known day, recent period against the earlier one, with a quasi-Poisson test."""

    direction: str  # "up" | "down" | "flat" | "too_short"
    sentence: str
    earlier: Period | None = None
    recent: Period | None = None
    rate_ratio: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None


@dataclass(frozen=True)
class Negative:
    """A pertinent symptom and how often it was logged in the covered days (0: a pertinent negative)."""

    code: str
    label: str
    episodes: int = 0
    first_day: date | None = None


@dataclass(frozen=True)
class DiaryFigures:
    range_start: date
    range_end: date
    onset: date | None  # the first episode ever
    onset_sites: tuple[str, ...]  # body-site codes of that first episode
    first_entry: date | None  # the first diary entry of any kind ever
    covered_start: date | None  # later of first_entry and range_start; None when nothing is covered
    covered_days: int
    logged_days: int
    episodes: int
    days_affected: int
    months: tuple[MonthRow, ...]
    spread: tuple[RegionOnset, ...]
    trend: RateTrend
    negatives: tuple[Negative, ...]
    last_entry: date | None = None  # the last known day up to the range end
    range_only: bool = False  # a share's figures: nothing before the range was read

    @property
    def range_days(self) -> int:
        return (self.range_end - self.range_start).days + 1

    @property
    def share_of_covered_days(self) -> float | None:
        return self.days_affected / self.covered_days if self.covered_days else None

    @property
    def per_logged_day(self) -> float | None:
        return self.episodes / self.logged_days if self.logged_days else None

    @property
    def starts_in_range(self) -> bool:
        """The diary began inside the range, so the range's first days are not diary days."""
        return self.covered_start is not None and self.covered_start > self.range_start

    @property
    def onset_sentence(self) -> str:
        """ "first episode ever on 4 Aug 2026 (left index finger)"."""
        if self.onset is None:
            return (
                "no episode logged in this range"
                if self.range_only
                else "no episode logged up to the end of this range"
            )
        sites = ", ".join(BODY_SITES[c].label for c in self.onset_sites if c in BODY_SITES)
        first = "first episode in this range" if self.range_only else "first episode ever"
        return f"{first} on {wording.day_text(self.onset)}" + (f" ({sites})" if sites else "")

    @property
    def frequency_sentence(self) -> str:
        """ "158 episodes on 64 of 106 known days (60%); 1.5 per known day." """
        if not self.covered_days:
            return "No diary days in this range."
        if not self.logged_days:
            return "Nothing logged in this range."
        share = f" ({100 * self.days_affected / self.logged_days:.0f}%)" if self.logged_days >= SHARE_MIN_DAYS else ""
        text = (
            f"{wording.plural(self.episodes, 'episode')} on {self.days_affected} of "
            f"{wording.plural(self.logged_days, 'known day')}{share}"
        )
        if self.per_logged_day is not None:
            text += f"; {self.per_logged_day:.1f} per known day"
        return text + "."

    @property
    def coverage_sentence(self) -> str:
        """What the figures rest on, e.g. "Diary kept from 4 Aug 2026: 120 of the 365 days in range"."""
        if self.covered_start is None:
            return "The diary holds no entries up to the end of this range."
        text = f"Figures cover all {self.range_days} days in range"
        if self.starts_in_range:
            text = (
                f"Diary kept from {wording.day_text(self.covered_start)}: figures cover {self.covered_days} of the "
                f"{self.range_days} days in range"
            )
        text += f", {wording.plural(self.logged_days, 'known day')} (days with an entry or a check-in)."
        if self.stopped:
            text += f" Nothing logged after {wording.day_text(self.last_entry)}."
        return text

    @property
    def stopped(self) -> bool:
        """The diary's last known day is well before the range end: it stopped, it did not go quiet."""
        return self.last_entry is not None and (self.range_end - self.last_entry).days >= STOPPED_AFTER_DAYS

    @property
    def spread_sentence(self) -> str:
        if not self.spread:
            return "No episodes logged."
        parts = [f"{s.label} from {wording.day_text(s.first_day)}" for s in self.spread]
        scope = "in this range" if self.range_only else "whole diary"
        return "; ".join(parts) + f" (first episode in each region, {scope})."

    @property
    def negatives_sentence(self) -> str:
        """Always worded, whether or not a flag was raised."""
        absent = [n.label for n in self.negatives if not n.episodes]
        present = [n for n in self.negatives if n.episodes]
        parts = []
        if absent:
            joined = absent[0] if len(absent) == 1 else ", ".join(absent[:-1]) + " or " + absent[-1]
            parts.append(f"No {joined} logged")
        for n in present:
            parts.append(
                f"{n.label.capitalize()} logged with {wording.plural(n.episodes, 'episode')}, "
                f"first {wording.day_text(n.first_day)}"
            )
        scope = "in the diary days covered" if self.covered_days else "(no diary days in range)"
        return "; ".join(parts) + f" {scope}."


def _stamp_days(moments: Iterable[datetime], tz: ZoneInfo) -> set[date]:
    return {moment.astimezone(tz).date() for moment in moments}


def _episode_day(episode: EpisodeRecord, tz: ZoneInfo) -> date:
    """The local day the episode was lived on: by the phone's offset when it carries one."""
    if episode.utc_offset_min is None:
        return episode.started_at.astimezone(tz).date()
    return (episode.started_at.astimezone(UTC) + timedelta(minutes=episode.utc_offset_min)).date()


def _logged_days(diary: Diary, end: date) -> set[date]:
    """Known days up to ``end``: the daily series' own ``logged`` (an entry or a check-in), so the
    report's denominators are the engine's. The series starts at the diary's first entry."""
    series = build_daily_series(diary, end=end)
    return {day for day, known in zip(series.days, series.logged, strict=True) if known}


def _regions(episode: EpisodeRecord) -> list[str]:
    return list(dict.fromkeys(BODY_SITES[code].region for code in episode.body_sites if code in BODY_SITES))


def _spread(dated: Sequence[tuple[date, EpisodeRecord]]) -> tuple[RegionOnset, ...]:
    spans: dict[str, RegionOnset] = {}
    for day, episode in dated:
        for region in _regions(episode):
            span = spans.get(region)
            spans[region] = (
                RegionOnset(region, day, day, 1)
                if span is None
                else RegionOnset(region, span.first_day, day, span.episodes + 1)
            )
    return tuple(sorted(spans.values(), key=lambda s: (s.first_day, s.region)))


def _months(
    start: date, end: date, dated: Sequence[tuple[date, EpisodeRecord]], logged: set[date], order: dict[str, int]
) -> tuple[MonthRow, ...]:
    rows = []
    month = start.replace(day=1)
    while month <= end:
        following = (month + timedelta(days=32)).replace(day=1)
        first, last = max(month, start), min(following - timedelta(days=1), end)
        inside = [(day, e) for day, e in dated if first <= day <= last]
        regions = {region for _, e in inside for region in _regions(e)}
        rows.append(
            MonthRow(
                month=month,
                covered_days=(last - first).days + 1,
                logged_days=sum(1 for day in logged if first <= day <= last),
                episodes=len(inside),
                days_affected=len({day for day, _ in inside}),
                regions=tuple(sorted(regions, key=lambda r: order.get(r, 0))),
            )
        )
        month = following
    return tuple(rows)


def _daily_counts(days: Sequence[date], counts: dict[date, int]) -> np.ndarray:
    return np.array([counts.get(day, 0) for day in days], dtype=np.float64)


def _compare(earlier: np.ndarray, recent: np.ndarray) -> tuple[float, float, float, float]:
    """Recent over earlier episodes per known day: ratio, 95% CI and two-sided p.

    A quasi-Poisson comparison of two groups of daily counts: the Pearson dispersion pooled over
    both, a Wald interval on the log ratio and the score test, both on Student's t with the
    smaller group's degrees of freedom (diary counts are overdispersed and the groups small).
    """
    chi2, n = 0.0, 0
    for counts in (earlier, recent):
        mean = float(counts.mean())
        if mean > 0:
            chi2 += float(((counts - mean) ** 2).sum() / mean)
        n += counts.size
    dispersion = max(1.0, chi2 / (n - 2)) if n > 2 else 1.0
    df = float(min(earlier.size, recent.size) - 1)
    a, b = float(recent.sum()), float(earlier.sum())
    total, share = a + b, recent.size / n
    if total == 0:
        return 1.0, 0.0, math.inf, 1.0
    z = (a - total * share) / math.sqrt(dispersion * total * share * (1 - share))
    p_value = float(2 * stats.t(df).sf(abs(z)))
    if a == 0 or b == 0:  # Haldane: keep the log finite and the interval honest and wide
        a, b = a + 0.5, b + 0.5
    log_ratio = math.log((a / recent.size) / (b / earlier.size))
    se = math.sqrt(dispersion / a + dispersion / b)
    quantile = float(stats.t(df).ppf(1 - TREND_ALPHA / 2))
    return math.exp(log_ratio), math.exp(log_ratio - quantile * se), math.exp(log_ratio + quantile * se), p_value


def _trend(start: date | None, end: date, logged: set[date], counts: dict[date, int]) -> RateTrend:
    covered = (end - start).days + 1 if start else 0
    if start is None or covered < TREND_MIN_COVERED_DAYS:
        return RateTrend("too_short", f"Too few diary days ({covered}) to judge a trend.")
    if not any(counts.values()):
        return RateTrend("too_short", "No episodes logged, so there is no trend to judge.")
    recent_days = RECENT_DAYS if covered >= 2 * RECENT_DAYS else covered // 2
    split = end - timedelta(days=recent_days - 1)
    earlier_days = sorted(day for day in logged if start <= day < split)
    recent_logged = sorted(day for day in logged if split <= day <= end)
    earlier = Period(start, split - timedelta(days=1), len(earlier_days), sum(counts.get(d, 0) for d in earlier_days))
    recent = Period(split, end, len(recent_logged), sum(counts.get(d, 0) for d in recent_logged))
    if min(earlier.logged_days, recent.logged_days) < TREND_MIN_LOGGED_DAYS:
        return RateTrend("too_short", "Too few known days in one of the periods to judge a trend.", earlier, recent)
    ratio, low, high, p_value = _compare(_daily_counts(earlier_days, counts), _daily_counts(recent_logged, counts))
    direction = "flat" if p_value >= TREND_ALPHA else "up" if ratio > 1 else "down"
    verdict = {"up": "more frequent", "down": "less frequent", "flat": "no clear change"}[direction]
    sentence = (
        f"Episodes per known day: {earlier.words}, {recent.words}: {verdict} "
        f"(rate ratio {ratio:.1f}, {wording.TREND_INTERVAL} {low:.1f}-{high:.1f})."
    )
    return RateTrend(direction, sentence, earlier, recent, ratio, low, high, p_value)


def diary_figures(diary: Diary, start: date, end: date, *, range_only: bool = False) -> DiaryFigures:
    """The figures of ``diary`` over the local dates ``start`` to ``end`` (both included).

    ``range_only``: ``diary`` holds the range alone (a share), and the sentences say "in this range"
    where they would say "ever"."""
    tz = ZoneInfo(diary.timezone)
    dated_all = sorted(((_episode_day(e, tz), e) for e in diary.episodes), key=lambda pair: pair[1].started_at)
    dated_all = [(day, e) for day, e in dated_all if day <= end]
    # A day with an episode logged was a diary day for the report's counts, even where the engine
    # leaves a day without its check-in out of its comparisons (today before the evening
    # check-in): otherwise a month would read "5 of 4 days with episodes".
    logged_all = _logged_days(diary, end) | {day for day, _ in dated_all}
    first_entry = min(logged_all) if logged_all else None
    covered_start = max(first_entry, start) if first_entry else None
    covered_days = (end - covered_start).days + 1 if covered_start else 0
    inside = [(day, e) for day, e in dated_all if covered_start and covered_start <= day <= end]
    logged = {day for day in logged_all if covered_start and covered_start <= day}
    counts: dict[date, int] = {}
    for day, _ in inside:
        counts[day] = counts.get(day, 0) + 1
    spread = _spread(dated_all)
    order = {s.region: i for i, s in enumerate(spread)}
    negatives = []
    for code, label in PERTINENT_NEGATIVES:
        with_it = [day for day, e in inside if code in e.symptoms]
        negatives.append(Negative(code, label, len(with_it), min(with_it) if with_it else None))
    return DiaryFigures(
        range_start=start,
        range_end=end,
        onset=dated_all[0][0] if dated_all else None,
        onset_sites=tuple(dated_all[0][1].body_sites) if dated_all else (),
        first_entry=first_entry,
        covered_start=covered_start,
        covered_days=covered_days,
        logged_days=len(logged),
        episodes=len(inside),
        days_affected=len(counts),
        months=_months(covered_start, end, inside, logged, order) if covered_start else (),
        spread=spread,
        trend=_trend(covered_start, end, logged, counts),
        negatives=tuple(negatives),
        last_entry=max(logged_all) if logged_all else None,
        range_only=range_only,
    )
