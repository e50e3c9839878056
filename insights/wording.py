"""The words the product says, in one place: the API, the weekly email, the PDF and the share page
all take their statuses, dates, spans, durations, plurals, regions and interval levels from here.

Pure Python, so the analysis modules can import it too. docs/clinical.md, "How a trigger's result
is worded", explains the statuses and the effect sizes behind them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from insights.analysis.trigger_status import TriggerStatus as TriggerStatus  # re-exported for every surface

# --- Interval levels ---------------------------------------------------------------------------
# Every trigger effect (association and self-experiment) is shown with a 90% two-sided interval:
# its lower end is the one-sided 95% bound the one-sided tests use, so the interval and the verdict
# cannot disagree. The episode trend is tested two-sided (it may go either way), so its interval
# is the usual 95% one.
EFFECT_INTERVAL_LEVEL = 0.90
TREND_INTERVAL_LEVEL = 0.95
EFFECT_INTERVAL = f"{EFFECT_INTERVAL_LEVEL:.0%} interval"
TREND_INTERVAL = f"{TREND_INTERVAL_LEVEL:.0%} interval"
WHY_TWO_LEVELS = (
    f"Trigger effects carry {EFFECT_INTERVAL_LEVEL:.0%} intervals, whose lower end is the one-sided 95% bound "
    f"of their one-sided tests; the trend, tested both ways, carries a {TREND_INTERVAL_LEVEL:.0%} interval."
)

# --- The effect sizes the association method is built to find ----------------------------------
# The engine's power was measured for a doubling of episodes (docs/clinical.md, "What a personal
# diary can show"); "no sign of a link" is said only where the interval's upper end is below 1.5,
# which rules out a doubling with room to spare and half of the way to it as well.
AIMED_RATIO = 2.0
NO_SIGN_BELOW = 1.5
# A "more days" figure is given only when that many more days would give at least this chance of
# showing a doubling, and only within this many more known days at the person's pace.
MORE_DAYS_MIN_POWER = 0.5
MORE_DAYS_HORIZON = 180


# --- Statuses: their values are insights.analysis.trigger_status's, their words these ------------
STATUS_WORDS: dict[TriggerStatus, str] = {
    TriggerStatus.LINKED: "linked in the diary",
    TriggerStatus.POSSIBLE: "possible, not clear yet",
    TriggerStatus.NOT_CLEAR: "not clear yet",
    TriggerStatus.NO_SIGN: "no sign of a link",
    TriggerStatus.NOT_TESTABLE: "not testable yet",
}
# (value, words) for each status, strongest first: the API's choices.
STATUS_CHOICES = [(status.value, STATUS_WORDS[status]) for status in TriggerStatus]
STATUS_ORDER = {status.value: index for index, status in enumerate(TriggerStatus)}
# Statuses stored before this vocabulary, read as the one they meant.
_OLD_STATUSES = {"not_enough_data": TriggerStatus.NOT_TESTABLE.value}


def status_words(status: str) -> str:
    """The one wording of a status, for every surface."""
    return STATUS_WORDS[TriggerStatus(status)]


def status_of(result: dict[str, Any]) -> str:
    """The status of a stored association, in the current vocabulary.

    Rows stored earlier may say "not_enough_data", or "no_sign" over an interval that still
    reaches the effects the method aims at: those read as "not testable yet" and "not clear yet".
    """
    status = str(result.get("status") or "")
    status = _OLD_STATUSES.get(status, status)
    if status not in STATUS_ORDER:
        if result.get("significant"):
            status = TriggerStatus.LINKED
        elif result.get("rate_ratio") is None:
            status = TriggerStatus.NOT_TESTABLE
        else:
            status = TriggerStatus.NO_SIGN
    high = result.get("ci_high")
    if status == TriggerStatus.NO_SIGN and (high is None or float(high) >= NO_SIGN_BELOW):
        status = TriggerStatus.NOT_CLEAR
    return str(status)


def times(value: float) -> str:
    """A rate ratio as a person reads it: "1.3"."""
    return f"{value:.1f}"


def allows_words(low: float, high: float) -> str:
    """Which effects an inconclusive interval still allows, in words."""
    if high >= AIMED_RATIO:
        upper = "a doubling or more" if high >= AIMED_RATIO + 0.05 else "a doubling"
    else:
        upper = f"{times(high)} times as many"
    lower = "fewer episodes" if low < 0.95 else "no difference"
    return f"anything from {lower} to {upper}"


def chance_words(power: float, *, open_ends: bool = False) -> str:
    """ "about 6 in 10" for a probability; with ``open_ends``, "less than 1 in 10" and "more than 9 in
    10" at the ends (an experiment's plan), otherwise "about 1 in 10" and "about 9 in 10"."""
    tenths = round(power * 10)
    if open_ends and tenths >= 10:
        return "more than 9 in 10"
    if open_ends and tenths <= 0:
        return "less than 1 in 10"
    return f"about {max(1, min(9, tenths))} in 10"


# --- Numbers, plurals, durations -----------------------------------------------------------------


def plural(n: int, word: str, many: str | None = None) -> str:
    """ "1 episode", "3 episodes", "2 nights"."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def duration(seconds: float | None) -> str:
    """A duration as a person says it, at one precision: "45 s", "3 min", "2 h 05 min".

    Minutes are rounded to whole minutes, so a table never shows "1 min" beside "1 min 02 s".
    """
    if seconds is None:
        return "-"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"


def cut_words(trigger: str, value: float) -> str:
    """Where a person's "high" days of a trigger begin, rounded as a person would say it; the
    comparison's sentence and the chart's guide both print this, so they cannot disagree."""
    if trigger == "caffeine":
        return f"{int(round(value / 25.0) * 25)} mg"
    if trigger == "sleep":
        return f"{round(value * 2) / 2:g} h"
    if trigger == "stress":
        return f"{round(float(value))} out of 10"
    return f"{int(round(value / 5.0) * 5)} min"


# --- Dates and spans -----------------------------------------------------------------------------


def day_month_text(day: date) -> str:
    """A day without its year: "4 Aug"."""
    return f"{day.day} {day:%b}"


def day_text(day: date | None) -> str:
    """The one date format: "4 Aug 2026"; "-" for no day."""
    return f"{day_month_text(day)} {day:%Y}" if day else "-"


def weekday_text(day: date, *, full: bool = False) -> str:
    """A day with its weekday and no year: "Wed 7 Jan", or in full "Wednesday 7 January"."""
    return f"{day:%A} {day.day} {day:%B}" if full else f"{day:%a} {day_month_text(day)}"


def moment_text(moment: datetime) -> str:
    """A local time to the minute: "4 Aug 2026 14:05"."""
    return f"{day_text(moment.date())} {moment:%H:%M}"


def period_text(start: date, end: date) -> str:
    """A report's range, both ends in full: "4 Aug 2026 to 3 Sep 2026"."""
    return f"{day_text(start)} to {day_text(end)}"


def span_text(first: date, last: date) -> str:
    """ "3 Sep - 30 Oct 2026", "20 Dec 2025 - 5 Jan 2026", or "3 Sep 2026" for one day."""
    if first == last:
        return day_text(first)
    start = day_month_text(first) if first.year == last.year else day_text(first)
    return f"{start} - {day_text(last)}"


# --- Regions -------------------------------------------------------------------------------------


def region_words(region: str) -> str:
    """ "left_hand" -> "left hand"."""
    return region.replace("_", " ")
