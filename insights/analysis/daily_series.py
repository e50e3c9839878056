"""One row per local day of a user's diary, as numpy arrays: the input of the associations.

A "day" is a calendar day where the person was (docs/architecture.md, "Promises and targets"). A
record that carries the phone's UTC offset (``utc_offset_min``) lands on the local date of that
offset, so a traveller's days stay their days; one without (an older app) lands on the date of the
profile's IANA zone, found by comparing its UTC instant with the UTC instants of the zone's local
midnights, computed once per day with zoneinfo and used for every record through
``np.searchsorted``. Both are vectorised: converting each of a year's ~6,000 records through
zoneinfo one by one would cost more than everything else here.

Known days (docs/clinical.md, "Known days"). Missing is NaN, not zero: a day on which nothing was
logged says nothing about twitching. ``logged`` means "a known day", the denominator of every count:

- a day with a check-in is known: no episode on it is 0 episodes, no intake 0 mg, no session 0 min;
  a check-in's "no twitches today" beside logged episodes does not erase them (the episodes count);
- a day with neither a check-in nor an entry is unknown;
- a day with entries and no check-in depends on the person's habit around it: someone who checks in
  on most of their diary days (``CHECKIN_HABIT_SHARE`` of the days with entries within
  ``CHECKIN_HABIT_WINDOW`` days) did not finish that day's diary, so it is unknown for the counts
  (episodes, caffeine, exercise, doses), while a night's sleep or a stress rating logged on it still
  stands on its own; someone who does not check in (an older app, or a habit not taken up) keeps the
  rule from before check-ins: any entry makes the day known.

``caffeine_mg`` is the logged total, missing on a day without an intake (what the weekly summary
and the report average). The associations use ``caffeine_day_mg``: 0 mg on a checked-in day without
an intake, and on a known day without a check-in a caffeine-free day is
read from the user's habit (``caffeine_free_day``): someone who has ever
ticked "no caffeine" (a 0 mg intake) says so on their caffeine-free days, so a kept day without any
intake is one where they did not log caffeine (missing); someone who never logs 0 mg logs drinks,
not their absence, so a kept day without any intake is a day without caffeine (0 mg). Dropping
those days as missing, as before, threw away the lowest-caffeine days of everyone in the second
group and left their comparison only the days they drank.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from insights.analysis.records import Diary

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def local_date(moment: datetime, tz: ZoneInfo | str) -> date:
    """The calendar date of an aware ``moment`` in the timezone ``tz``."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return moment.astimezone(zone).date()


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The aware instant at which ``day`` begins in ``tz``.

    In the rare zones whose DST jump happens at midnight the wall time 00:00 does not exist;
    zoneinfo then resolves it with the offset before the jump, which lands just after it, so
    successive midnights stay in order and every instant still falls on exactly one day.
    """
    return datetime.combine(day, time(0), tzinfo=tz)


@dataclass(frozen=True)
class DailySeries:
    """Per-day arrays aligned with ``days``; NaN marks a value that was not logged."""

    timezone: str
    start: date
    end: date
    days: tuple[date, ...]
    logged: BoolArray
    episodes: FloatArray
    episode_duration_s: FloatArray
    max_intensity: FloatArray
    caffeine_mg: FloatArray
    # Caffeine of each kept day with caffeine-free days read from the user's habit (module docstring).
    caffeine_day_mg: FloatArray
    # Caffeine intakes logged each day (0 on a kept day without any).
    caffeine_entries: FloatArray
    sleep_hours: FloatArray
    stress_mean: FloatArray
    stress_max: FloatArray
    exercise_min: FloatArray
    exercise_min_prev: FloatArray
    doses: dict[str, FloatArray]
    medications_active: dict[str, BoolArray]
    # UTC epoch seconds of each day's local midnight, plus the end of the last day; the
    # inhaler-window association measures time on logged days with these.
    day_starts_utc: FloatArray

    def __len__(self) -> int:
        return len(self.days)

    def index_of(self, day: date) -> int | None:
        """Position of ``day`` in the series, or None when it is outside it."""
        offset = (day - self.start).days
        return offset if 0 <= offset < len(self.days) else None


EPOCH = date(1970, 1, 1)
DAY_SECONDS = 86_400.0
# A person "checks in" around a day when they checked in on at least this share of the days with
# entries within this many days either side; a day with entries and no check-in is then a diary
# dropped part-way through (unknown), else a day kept the way people kept it before check-ins.
# Measured (docs/clinical.md, "Known days"): at half, the new null kinds' wrong reports summed over
# their 12 cells (300 users each) to 38.7 points against 46.3 at 0.8, where more days dropped part-way
# counted as known (step-confounded 180 days: 4.7% against 6.3%); the cost is power for people who
# forget many check-ins (caffeine step RR 2, 180 days: 37.5% found against 58.0%).
CHECKIN_HABIT_SHARE = 0.5
CHECKIN_HABIT_WINDOW = 14
# Reading a wrong profile zone from the records without an offset (``night_shift_hours``): the
# emptiest stretch of this many hours is the night, whose middle sits near NIGHT_MIDDLE_HOUR for
# someone asleep from about 23:00 to 07:00; a gap of MIN_NIGHT_SHIFT_HOURS or more, over at least
# MIN_NIGHT_RECORDS records, moves the day's boundary by it.
NIGHT_HOURS = 6
NIGHT_MIDDLE_HOUR = 3.0
MIN_NIGHT_SHIFT_HOURS = 3.0
MIN_NIGHT_RECORDS = 60


class DayIndexer:
    """Places UTC instants on the local days of a fixed range."""

    def __init__(self, tz: ZoneInfo, start: date, end: date, shift_hours: float = 0.0) -> None:
        self.start = start
        self.shift_hours = shift_hours
        self.start_epoch_day = (start - EPOCH).days
        self.n_days = (end - start).days + 1
        self.days = tuple(start + timedelta(days=offset) for offset in range(self.n_days))
        # One boundary per day plus the end of the last day, so day i spans [b[i], b[i + 1]).
        self.boundaries = np.array(
            [local_midnight(start + timedelta(days=offset), tz).timestamp() for offset in range(self.n_days + 1)],
            dtype=np.float64,
        )
        # Where a record has no offset of its own: the profile zone's midnights, moved by the hours
        # the person's nights say the profile is off by (``night_shift_hours``).
        self.fallback = self.boundaries + shift_hours * 3600.0

    def positions(self, moments: Iterable[datetime]) -> tuple[IntArray, BoolArray]:
        """Day index of each moment and whether it falls inside the range."""
        stamps = np.fromiter((moment.timestamp() for moment in moments), dtype=np.float64)
        return self.positions_of_stamps(stamps)

    def positions_of_stamps(
        self, stamps: FloatArray, offsets_min: FloatArray | None = None
    ) -> tuple[IntArray, BoolArray]:
        """Day index of each UTC stamp and whether it falls inside the range. Where ``offsets_min``
        (the phone's UTC offset in minutes) is given and not NaN, the day is the local date of that
        offset; elsewhere it is the date in the profile's zone."""
        index = np.searchsorted(self.fallback, stamps, side="right").astype(np.int64) - 1
        if offsets_min is not None and offsets_min.size:
            own = ~np.isnan(offsets_min)
            if own.any():
                local = np.floor((stamps[own] + offsets_min[own] * 60.0) / DAY_SECONDS).astype(np.int64)
                index[own] = local - self.start_epoch_day
        inside = (index >= 0) & (index < self.n_days)
        return index, inside


def _timestamps(moments: Iterable[datetime]) -> FloatArray:
    return np.fromiter((moment.timestamp() for moment in moments), dtype=np.float64)


def utc_offsets(records: Sequence[object]) -> FloatArray:
    """Each record's ``utc_offset_min``, NaN where it has none (the profile's zone decides)."""
    return np.fromiter(
        (np.nan if (o := getattr(r, "utc_offset_min", None)) is None else o for r in records), dtype=np.float64
    )


@dataclass(frozen=True)
class _Timed:
    """One table's records as UTC stamps and the phone's offsets."""

    stamps: FloatArray
    offsets: FloatArray

    @classmethod
    def of(cls, records: Sequence[object], moments: Iterable[datetime]) -> _Timed:
        return cls(_timestamps(moments), utc_offsets(records))

    def first_day(self, tz: ZoneInfo, shift_hours: float = 0.0) -> date | None:
        """The earliest local date among the records (own offset, else the profile's zone)."""
        if self.stamps.size == 0:
            return None
        own = ~np.isnan(self.offsets)
        days = []
        if own.any():
            local = np.floor((self.stamps[own] + self.offsets[own] * 60.0) / DAY_SECONDS).min()
            days.append(EPOCH + timedelta(days=int(local)))
        if (~own).any():
            days.append(datetime.fromtimestamp(float(self.stamps[~own].min()) - shift_hours * 3600.0, tz).date())
        return min(days)


def _day_sums(index: IntArray, weights: FloatArray | None, n_days: int) -> FloatArray:
    return np.bincount(index, weights=weights, minlength=n_days).astype(np.float64)


def _day_max(index: IntArray, values: FloatArray, n_days: int) -> FloatArray:
    result = np.full(n_days, -np.inf)
    np.maximum.at(result, index, values)
    result[np.isneginf(result)] = np.nan
    return result


def _nan_where_none(values: FloatArray, counts: FloatArray) -> FloatArray:
    return np.where(counts > 0, values, np.nan)


def caffeine_free_day(total_mg: FloatArray, entries: FloatArray, logged: BoolArray, *, logs_zero: bool) -> FloatArray:
    """Caffeine per day: the logged total, and on a kept day without any intake 0 mg for a user who
    never logs "0 mg" or missing (NaN) for one who does (see the module's docstring)."""
    without = 0.0 if not logs_zero else np.nan
    return np.where(entries > 0, total_mg, np.where(logged, without, np.nan))


def timed_tables(diary: Diary) -> dict[str, _Timed]:
    """Each timed table of the diary (episodes, caffeine, ...) with its entries' moments and offsets,
    by table name: what the day placement and the night-shift check read."""
    return {
        "episodes": _Timed.of(diary.episodes, (r.started_at for r in diary.episodes)),
        "caffeine": _Timed.of(diary.caffeine, (r.consumed_at for r in diary.caffeine)),
        "sleep": _Timed.of(diary.sleep, (r.woke_at for r in diary.sleep)),
        "stress": _Timed.of(diary.stress, (r.recorded_at for r in diary.stress)),
        "exercise": _Timed.of(diary.exercise, (r.started_at for r in diary.exercise)),
        "doses": _Timed.of(diary.doses, (r.taken_at for r in diary.doses)),
        "tremors": _Timed.of(diary.tremors, (r.recorded_at for r in diary.tremors)),
    }


def night_shift_hours(tz: ZoneInfo, tables: Iterable[_Timed]) -> float:
    """How many hours the profile's zone is off where the person lives, read from records without an
    offset of their own: the middle of the emptiest NIGHT_HOURS of their day (entries by the profile's
    clock) against NIGHT_MIDDLE_HOUR. 0 with too few such records or a gap under MIN_NIGHT_SHIFT_HOURS
    (late hours are a habit, not a wrong zone). A profile zone 9 hours off puts the day's boundary in the
    middle of the person's waking hours, and every day gets the evening of one and the morning of the next."""
    stamps = np.concatenate([t.stamps[np.isnan(t.offsets)] for t in tables] or [np.zeros(0)])
    if stamps.size < MIN_NIGHT_RECORDS:
        return 0.0
    # The profile's UTC offset near the middle of the records, then each record's local hour.
    middle = datetime.fromtimestamp(float(np.median(stamps)), tz)
    offset = (middle.utcoffset() or timedelta()).total_seconds()
    hours = np.floor(((stamps + offset) % DAY_SECONDS) / 3600.0).astype(np.int64)
    per_hour = np.bincount(hours, minlength=24)
    window = np.array([per_hour[(h + np.arange(NIGHT_HOURS)) % 24].sum() for h in range(24)])
    # Several starts can be equally empty (a night longer than NIGHT_HOURS): the middle of their run.
    quiet = np.flatnonzero(window == window.min())
    first = int(quiet[0])
    if quiet.size < 24 and (first == 0 and window[23] == window.min()):
        first = int(np.flatnonzero(window != window.min())[-1]) + 1
    run = 0
    while window[(first + run) % 24] == window.min() and run < 24:
        run += 1
    quiet_middle = (first + (run - 1) / 2.0 + NIGHT_HOURS / 2.0) % 24
    shift = (quiet_middle - NIGHT_MIDDLE_HOUR + 12.0) % 24 - 12.0
    return float(round(shift)) if abs(shift) >= MIN_NIGHT_SHIFT_HOURS else 0.0


def _first_entry_day(
    diary: Diary, tz: ZoneInfo, tables: dict[str, _Timed] | None = None, shift_hours: float = 0.0
) -> date | None:
    """The earliest local day on which anything was logged (a check-in too), or None for an empty diary."""
    tables = tables if tables is not None else timed_tables(diary)
    days = [day for timed in tables.values() if (day := timed.first_day(tz, shift_hours)) is not None]
    days.extend(checkin.day for checkin in diary.checkins)
    return min(days) if days else None


class _Placed:
    """The day indices of one kind of record, restricted to the series' range."""

    def __init__(self, indexer: DayIndexer, timed: _Timed) -> None:
        index, inside = indexer.positions_of_stamps(timed.stamps, timed.offsets)
        self.inside = inside
        self.index = index[inside]

    def select(self, values: Sequence[float]) -> FloatArray:
        return np.asarray(values, dtype=np.float64)[self.inside]


def _medications_active(diary: Diary, days: tuple[date, ...]) -> dict[str, BoolArray]:
    """Per drug class, whether any medication of that class was being taken on each day.

    A medication counts from ``started_on`` up to the day before ``stopped_on``: the stop date is
    the first day without it. One with no start date was already being taken when the diary
    began, so it counts from the first day.
    """
    day_numbers = np.array([day.toordinal() for day in days], dtype=np.int64)
    active: dict[str, BoolArray] = {}
    for medication in diary.medications:
        first = medication.started_on.toordinal() if medication.started_on else np.iinfo(np.int64).min
        stop = medication.stopped_on.toordinal() if medication.stopped_on else np.iinfo(np.int64).max
        taking = (day_numbers >= first) & (day_numbers < stop)
        current = active.get(medication.drug_class)
        active[medication.drug_class] = taking if current is None else current | taking
    return active


def _doses_by_class(diary: Diary, doses: _Placed, n_days: int, logged: BoolArray) -> dict[str, FloatArray]:
    class_of = {medication.id: medication.drug_class for medication in diary.medications}
    dose_classes = np.array([class_of.get(dose.medication_id, "other") for dose in diary.doses], dtype=object)
    placed_classes = dose_classes[doses.inside] if dose_classes.size else dose_classes
    result: dict[str, FloatArray] = {}
    for drug_class in sorted(set(dose_classes.tolist()) | set(class_of.values())):
        counts = _day_sums(doses.index[placed_classes == drug_class], None, n_days)
        result[drug_class] = np.where(logged, counts, np.nan)
    return result


def checkin_days(diary: Diary, indexer: DayIndexer) -> BoolArray:
    """Whether each day of the range has a check-in (its ``day`` is already a local date)."""
    checked = np.zeros(indexer.n_days, dtype=bool)
    index = np.fromiter(((c.day - indexer.start).days for c in diary.checkins), dtype=np.int64)
    checked[index[(index >= 0) & (index < indexer.n_days)]] = True
    return checked


def _window_sums(flags: BoolArray, half: int) -> FloatArray:
    """For each day, how many of the days within ``half`` days either side are flagged."""
    totals = np.concatenate([[0.0], np.cumsum(flags, dtype=np.float64)])
    positions = np.arange(flags.size)
    high = np.minimum(positions + half + 1, flags.size)
    low = np.maximum(positions - half, 0)
    return totals[high] - totals[low]


def known_days(entries: BoolArray, checked: BoolArray) -> BoolArray:
    """Days the diary can speak for (module docstring): a check-in, or entries from someone who does
    not check in around that day (under CHECKIN_HABIT_SHARE of their entry days within
    CHECKIN_HABIT_WINDOW days either side)."""
    if not checked.any():
        return entries | checked
    entry_days = _window_sums(entries, CHECKIN_HABIT_WINDOW)
    checked_entry_days = _window_sums(entries & checked, CHECKIN_HABIT_WINDOW)
    checks_in = checked_entry_days >= CHECKIN_HABIT_SHARE * np.maximum(entry_days, 1.0)
    return checked | (entries & ~checks_in)


def build_daily_series(diary: Diary, start: date | None = None, end: date | None = None) -> DailySeries:
    """Build the per-day series of ``diary`` from ``start`` (default: first entry day) to ``end``.

    ``end`` defaults to ``diary.today``. An empty diary with no ``start`` gives a series of the
    single day ``end``.
    """
    tz = ZoneInfo(diary.timezone)
    tables = timed_tables(diary)
    shift = night_shift_hours(tz, tables.values())
    end = end or diary.today
    start = start or _first_entry_day(diary, tz, tables, shift) or end
    if start > end:
        start = end
    indexer = DayIndexer(tz, start, end, shift)
    n = indexer.n_days

    placed = {name: _Placed(indexer, timed) for name, timed in tables.items()}
    episodes, caffeine, sleep, stress = placed["episodes"], placed["caffeine"], placed["sleep"], placed["stress"]
    exercise, doses = placed["exercise"], placed["doses"]

    # Labs are left out on purpose: their date is when the blood was taken, often long before it
    # was typed in, so it says nothing about whether the diary was kept that day.
    entries = np.zeros(n, dtype=bool)
    for table in placed.values():
        entries[table.index] = True
    checked = checkin_days(diary, indexer)
    logged = known_days(entries, checked)

    episode_counts = _day_sums(episodes.index, None, n)
    durations = _day_sums(episodes.index, episodes.select([r.duration_s for r in diary.episodes]), n)
    intensity = _day_max(episodes.index, episodes.select([r.intensity for r in diary.episodes]), n)

    caffeine_counts = _day_sums(caffeine.index, None, n)
    caffeine_total = _day_sums(caffeine.index, caffeine.select([r.mg for r in diary.caffeine]), n)
    caffeine_mg = _nan_where_none(caffeine_total, caffeine_counts)
    caffeine_day_mg = caffeine_free_day(
        caffeine_total, caffeine_counts, logged, logs_zero=any(r.mg == 0 for r in diary.caffeine)
    )
    # A check-in says the day's diary is complete: no intake on it is no caffeine, whatever the habit.
    caffeine_day_mg[checked & (caffeine_counts == 0)] = 0.0
    caffeine_day_mg[~logged] = np.nan

    hours_slept = sleep.select([r.hours for r in diary.sleep])
    sleep_counts = _day_sums(sleep.index, None, n)
    sleep_hours = _nan_where_none(_day_sums(sleep.index, hours_slept, n), sleep_counts)

    levels = stress.select([r.level for r in diary.stress])
    stress_counts = _day_sums(stress.index, None, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        stress_mean = _nan_where_none(_day_sums(stress.index, levels, n) / stress_counts, stress_counts)
    stress_max = _day_max(stress.index, levels, n)

    # People log sessions, not rest days, so on a day they kept the diary no session means none.
    exercise_total = _day_sums(exercise.index, exercise.select([r.duration_min for r in diary.exercise]), n)
    exercise_min = np.where(logged, exercise_total, np.nan)
    exercise_min_prev = np.concatenate([[np.nan], exercise_min[:-1]])

    return DailySeries(
        timezone=diary.timezone,
        start=start,
        end=end,
        days=indexer.days,
        logged=logged,
        episodes=np.where(logged, episode_counts, np.nan),
        episode_duration_s=np.where(logged, durations, np.nan),
        max_intensity=intensity,
        caffeine_mg=caffeine_mg,
        caffeine_day_mg=caffeine_day_mg,
        caffeine_entries=np.where(logged, caffeine_counts, np.nan),
        sleep_hours=sleep_hours,
        stress_mean=stress_mean,
        stress_max=stress_max,
        exercise_min=exercise_min,
        exercise_min_prev=exercise_min_prev,
        doses=_doses_by_class(diary, doses, n, logged),
        medications_active=_medications_active(diary, indexer.days),
        day_starts_utc=_own_midnights(indexer, placed.values(), tables.values()),
    )


def _own_midnights(indexer: DayIndexer, placed: Iterable[_Placed], tables: Iterable[_Timed]) -> FloatArray:
    """UTC instants of each day's local midnight where the person was (the offset of that day's
    records, where they carry one; the profile's zone elsewhere), plus the end of the last day: the
    inhaler comparison's waking hours run from these. Kept in order where a journey crosses zones."""
    n = indexer.n_days
    offset_sums, offset_counts = np.zeros(n), np.zeros(n)
    for where, timed in zip(placed, tables, strict=True):
        offsets = timed.offsets[where.inside]
        own = ~np.isnan(offsets)
        offset_sums += _day_sums(where.index[own], offsets[own], n)
        offset_counts += _day_sums(where.index[own], None, n)
    if not offset_counts.any():
        return indexer.fallback
    # A day without an offset of its own takes the nearest earlier one's (the later one's at the start).
    has = offset_counts > 0
    last_seen = np.maximum.accumulate(np.where(has, np.arange(n), -1))
    first_after = np.flatnonzero(has)[0]
    source = np.where(last_seen >= 0, last_seen, first_after)
    offsets = (offset_sums / np.maximum(offset_counts, 1))[source]
    offsets = np.concatenate([offsets, offsets[-1:]])
    starts = (indexer.start_epoch_day + np.arange(n + 1)) * DAY_SECONDS - offsets * 60.0
    return np.maximum.accumulate(starts)
