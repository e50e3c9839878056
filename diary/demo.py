"""The demo account: a reproducible, realistic diary to try the app and the API with.

``demo_records`` is pure: from a fixed numpy seed it writes about four months of one
person's diary, with the patterns the insights should find. This person's own story,
chosen here and not taken from the analysis's cut points: caffeine doubles the day's
episode rate from DEMO_CAFFEINE_EFFECT_FROM_MG, a night under DEMO_SHORT_NIGHT_HOURS
raises the day after it, a salbutamol inhaler starts half-way with as-needed doses, one
magnesium result is slightly low and a repeat ten days before the end is back in range,
and the twitching starts in the left index finger, spreads over the left hand and
reaches the right hand in the last quarter (the last month of 120 days).

``demo_user_seed`` is the service: it creates or refreshes the demo user and stores
the records through the diary services, so every input rule is checked. Ids are
deterministic, so a second run overwrites the same rows; anything else the demo user
holds is soft-deleted, so running it twice leaves exactly the same diary and a phone
synced to the demo account learns of every change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db import transaction
from django.utils import timezone

from accounts.models import DeviceToken, User
from accounts.services import device_token_create
from config.errors import DomainError
from diary.catalogues import drinks
from diary.clinical_constants import DIARY_COMPLETION_SHARE
from diary.services import RecordWrite, TableChanges, changes_apply, check_records, with_defaults
from diary.tables import TABLES

DEMO_SEED = 20_240_611
DEMO_EMAIL = "demo@twitchlog.example"
# A known password is the point of a demo account; the command refuses to run in production.
DEMO_PASSWORD = "demo-twitches-daily"
DEMO_DEVICE = "seed_demo"
DEMO_PROFILE: dict[str, Any] = {"display_name": "Demo", "timezone": "Europe/London", "birth_year": 1984}
DEFAULT_DAYS = 120

# The demo person's own thresholds, the effects planted in their diary. They are facts about this
# invented person, not the analysis's cut points or the clinical guides (400 mg caffeine, 7 h sleep):
# a person's threshold can sit anywhere, and the analysis must find it without being told.
DEMO_CAFFEINE_EFFECT_FROM_MG = 300
DEMO_SHORT_NIGHT_HOURS = 6

# Where the twitching has reached, by the share of the period gone: it starts in the left
# index finger, takes in more of the left hand, and in the last quarter the right hand.
# Each site carries a weight: the first finger stays the usual place.
SPREAD: tuple[tuple[float, dict[str, float]], ...] = (
    (0.00, {"left_index": 1.0}),
    (0.15, {"left_index": 3.0, "left_middle": 1.5}),
    (0.35, {"left_index": 3.0, "left_middle": 1.5, "left_thumb": 1.0}),
    (0.55, {"left_index": 3.0, "left_middle": 1.5, "left_thumb": 1.0, "left_ring": 1.0}),
    (
        0.75,
        {
            "left_index": 3.0,
            "left_middle": 1.5,
            "left_thumb": 1.0,
            "left_ring": 1.0,
            "right_index": 2.0,
            "right_middle": 1.5,
        },
    ),
)

CHARACTERS = {"twitch": 0.8, "jerk": 0.12, "spasm_cramp": 0.08}
CONTEXTS = {"at_rest": 0.5, "writing_typing": 0.25, "holding_posture": 0.15, "during_action": 0.1}
EXERCISES = (
    ("running", "vigorous"),
    ("cycling", "moderate"),
    ("yoga", "light"),
    ("gym", "vigorous"),
    ("swimming", "moderate"),
    ("walking", "light"),
)

# Reference ranges as a UK laboratory prints them.
LABS = (
    ("magnesium", 0.68, "mmol/L", 0.70, 1.00),
    ("calcium", 2.31, "mmol/L", 2.20, 2.60),
    ("potassium", 4.2, "mmol/L", 3.5, 5.3),
    ("tsh", 1.9, "mU/L", 0.27, 4.2),
)

Records = dict[str, list[tuple[str, dict[str, Any]]]]


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    names = list(weights)
    p = np.array([weights[n] for n in names], dtype=float)
    return names[int(rng.choice(len(names), p=p / p.sum()))]


def _sites_on(share: float) -> dict[str, float]:
    reached = SPREAD[0][1]
    for start, sites in SPREAD:
        if share >= start:
            reached = sites
    return reached


@dataclass
class _Day:
    """What one simulated day brings, before it is written down (or not)."""

    index: int
    day: date
    share: float  # how far through the period, 0..1
    logged: bool
    sleep_hours: float
    caffeine_mg: float = 0.0
    stress: int = 4


class _DemoDiary:
    """Writes the records day by day. Every random draw happens whether or not the day is
    logged or already past ``end``, so the same seed always gives the same diary."""

    def __init__(self, *, days: int, today: date, end: datetime, tz: ZoneInfo, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.days = days
        self.start = today - timedelta(days=days - 1)
        self.end = end
        self.tz = tz
        self.records: Records = {name: [] for name in TABLES}
        self.inhaler_from = days // 2
        self.notes_used: set[str] = set()

    def at(self, day: date, hour: float) -> datetime:
        """A local wall-clock time on ``day`` (hours past midnight, may pass 24) in UTC, to the minute."""
        local = datetime.combine(day, time.min) + timedelta(minutes=round(hour * 60))
        return local.replace(tzinfo=self.tz).astimezone(UTC)

    def add(self, table: str, client_id: str, values: dict[str, Any], when: datetime | date) -> None:
        moment = when if isinstance(when, datetime) else self.at(when, 9)
        if moment <= self.end:
            if any(column.name == "utc_offset_min" for column in TABLES[table].columns):
                # As the phone would stamp it: its offset when the entry was made.
                offset = moment.astimezone(self.tz).utcoffset()
                values["utc_offset_min"] = int(offset.total_seconds() // 60) if offset else 0
            self.records[table].append((client_id, values))

    def build(self) -> Records:
        self._medications()
        for index in range(self.days):
            self._day(index)
        self._labs()
        return self.records

    def _medications(self) -> None:
        self.add(
            "medications",
            "demo-med-salbutamol",
            {
                "name": "Salbutamol inhaler",
                "catalogue_key": "salbutamol",
                "dose": "100 micrograms per puff, 2 puffs when needed",
                "started_on": self.start + timedelta(days=self.inhaler_from),
                "as_needed": True,
            },
            self.start + timedelta(days=self.inhaler_from),
        )
        # Long-term omeprazole is one reason a magnesium result can come back low.
        self.add(
            "medications",
            "demo-med-omeprazole",
            {
                "name": "Omeprazole",
                "catalogue_key": "omeprazole",
                "dose": "20 mg once a day",
                "started_on": self.start - timedelta(days=400),
                "as_needed": False,
            },
            self.start,
        )

    def _labs(self) -> None:
        taken = self.start + timedelta(days=round(self.days * 0.62))
        for analyte, value, unit, low, high in LABS:
            self.add(
                "lab_results",
                f"demo-lab-{analyte}-1",
                {
                    "taken_on": taken,
                    "analyte": analyte,
                    "value": value,
                    "unit": unit,
                    "reference_low": low,
                    "reference_high": high,
                },
                taken,
            )
        retest = self.start + timedelta(days=max(self.days - 10, 0))
        if retest > taken:
            self.add(
                "lab_results",
                "demo-lab-magnesium-2",
                {
                    "taken_on": retest,
                    "analyte": "magnesium",
                    "value": 0.76,
                    "unit": "mmol/L",
                    "reference_low": 0.70,
                    "reference_high": 1.00,
                },
                retest,
            )

    def _day(self, index: int) -> None:
        rng = self.rng
        # The first and last days are always logged, so the demo starts and ends on data.
        logged = bool(rng.random() < DIARY_COMPLETION_SHARE) or index in (0, self.days - 1)
        short_night = rng.random() < 0.18
        sleep_hours = float(rng.uniform(4.3, 5.8) if short_night else np.clip(rng.normal(7.4, 0.6), 6.2, 9.0))
        d = _Day(
            index=index,
            day=self.start + timedelta(days=index),
            share=index / self.days,
            logged=logged,
            sleep_hours=sleep_hours,
        )
        self._sleep(d)
        self._caffeine(d)
        self._stress(d)
        after_exercise = self._exercise(d)
        after_doses = self._doses(d)
        episodes_before = len(self.records["episodes"])
        self._episodes(d, after_exercise, after_doses)
        if d.logged:
            # The evening check-in of a kept diary day: no draw, so the seed's diary is unchanged.
            quiet = len(self.records["episodes"]) == episodes_before
            when = self.at(d.day, 21.75)
            self.add("day_checkins", f"demo-checkin-{d.index:04d}", {"day": d.day, "no_twitches": quiet}, when)

    def _sleep(self, d: _Day) -> None:
        # The night counts for the day you woke: bed on the evening before.
        bed_hour = 23.0 + float(self.rng.normal(0, 0.5))
        bed_at = self.at(d.day - timedelta(days=1), bed_hour)
        woke_at = bed_at + timedelta(minutes=round(d.sleep_hours * 60))
        quality = int(self.rng.integers(2, 4) if d.sleep_hours < DEMO_SHORT_NIGHT_HOURS else self.rng.integers(3, 6))
        if d.logged:
            self.add(
                "sleep_logs",
                f"demo-sleep-{d.index:04d}",
                {"bed_at": bed_at, "woke_at": woke_at, "quality": quality},
                woke_at,
            )

    def _caffeine(self, d: _Day) -> None:
        rng = self.rng
        high = rng.random() < 0.4
        drunk: list[tuple[str, float, float]] = []  # (drink, servings, hour)
        if rng.random() < 0.95:
            drunk.append(("brewed_coffee", 1.5 if rng.random() < 0.3 else 1.0, 7.5 + float(rng.uniform(0, 1))))
        extra = ("brewed_coffee", "espresso", "brewed_coffee", "energy_drink") if high else ("black_tea", "cola")
        for k in range(int(rng.integers(2, 4)) if high else int(rng.integers(0, 2))):
            drink = extra[int(rng.integers(0, len(extra)))]
            servings = 2.0 if drink == "espresso" else 1.0
            drunk.append((drink, servings, 10.5 + k * 2.0 + float(rng.uniform(0, 1.5))))
        d.caffeine_mg = sum(drinks.caffeine_mg(drink, servings) for drink, servings, _ in drunk)
        if d.logged:
            for k, (drink, servings, hour) in enumerate(drunk):
                when = self.at(d.day, hour)
                self.add(
                    "caffeine_intakes",
                    f"demo-caf-{d.index:04d}-{k}",
                    {"consumed_at": when, "drink": drink, "servings": servings},
                    when,
                )

    def _stress(self, d: _Day) -> None:
        d.stress = int(np.clip(round(float(self.rng.normal(4, 1.8))), 0, 10))
        hour = 21.0 + float(self.rng.uniform(0, 1.5))
        if d.logged and self.rng.random() < 0.75:
            when = self.at(d.day, hour)
            self.add("stress_logs", f"demo-stress-{d.index:04d}", {"recorded_at": when, "level": d.stress}, when)

    def _exercise(self, d: _Day) -> datetime | None:
        """Log a session on some days; the end of a vigorous one, which can bring a twitch."""
        rng = self.rng
        happens = rng.random() < 0.4
        kind, intensity = EXERCISES[int(rng.integers(0, len(EXERCISES)))]
        minutes = int(rng.integers(20, 76))
        hour = (10.0 if d.day.weekday() >= 5 else 18.0) + float(rng.uniform(0, 1))
        if not happens:
            return None
        started = self.at(d.day, hour)
        if d.logged:
            self.add(
                "exercise_sessions",
                f"demo-ex-{d.index:04d}",
                {"started_at": started, "duration_min": minutes, "intensity": intensity, "kind": kind},
                started,
            )
        return started + timedelta(minutes=minutes) if intensity == "vigorous" else None

    def _doses(self, d: _Day) -> list[datetime]:
        rng = self.rng
        count = int(rng.integers(1, 3)) if rng.random() < 0.45 else 0
        hours = sorted(float(h) for h in rng.uniform(8, 21, size=2))[:count]
        if d.index < self.inhaler_from:
            return []
        taken = [self.at(d.day, hour) for hour in hours]
        if d.logged:
            for k, when in enumerate(taken):
                self.add(
                    "medication_doses",
                    f"demo-dose-{d.index:04d}-{k}",
                    {"medication_id": "demo-med-salbutamol", "taken_at": when, "amount": "2 puffs"},
                    when,
                )
        return taken

    def _episodes(self, d: _Day, after_exercise: datetime | None, after_doses: list[datetime]) -> None:
        rng = self.rng
        rate = (0.9 + 0.8 * d.share) * (2.0 if d.caffeine_mg >= DEMO_CAFFEINE_EFFECT_FROM_MG else 1.0)
        rate *= 1.6 if d.sleep_hours < DEMO_SHORT_NIGHT_HOURS else 1.0
        rate *= 1.0 + 0.05 * (d.stress - 4)
        # The diary starts because the twitching did: the first day has at least one episode.
        count = max(int(rng.poisson(rate)), 1 if d.index == 0 else 0)
        starts = [(self.at(d.day, float(h)), "") for h in sorted(rng.uniform(8.5, 22.5, size=count))]
        # A beta-2 agonist can bring a fine tremor within hours of a dose.
        for dose in after_doses:
            if rng.random() < 0.5:
                starts.append((dose + timedelta(minutes=int(rng.integers(20, 180))), "inhaler"))
        if after_exercise is not None and rng.random() < 0.5:
            starts.append((after_exercise + timedelta(minutes=int(rng.integers(10, 60))), "exercise"))
        for k, (started, cause) in enumerate(starts):
            values = self._episode(d, started, cause)
            if d.logged:
                self.add("episodes", f"demo-ep-{d.index:04d}-{k}", values, started)

    def _episode(self, d: _Day, started: datetime, cause: str) -> dict[str, Any]:
        rng = self.rng
        weights = _sites_on(d.share)
        sites = [_pick(rng, weights)]
        if len(weights) > 1 and rng.random() < 0.2:
            sites.append(_pick(rng, {s: w for s, w in weights.items() if s != sites[0]}))
        character = _pick(rng, CHARACTERS)
        context = _pick(rng, CONTEXTS)
        if cause == "inhaler" and rng.random() < 0.4:
            character, context = "tremor", "holding_posture"
        elif cause == "exercise":
            context = "after_exercise"
        caffeine_bump = 1 if d.caffeine_mg >= DEMO_CAFFEINE_EFFECT_FROM_MG else 0
        intensity = int(np.clip(round(float(rng.normal(3.3 + 0.3 * d.share, 0.9)) + caffeine_bump), 2, 6))
        duration = int(np.clip(rng.lognormal(np.log(20), 0.9), 2, 600))
        symptoms = ["tingling"] if rng.random() < 0.05 else []
        if character == "spasm_cramp" and rng.random() < 0.5:
            symptoms.append("cramp")
        return {
            "started_at": started,
            "duration_s": duration,
            "body_sites": sites,
            "character": character,
            "intensity": intensity,
            "context": context,
            "symptoms": symptoms,
            "notes": self._note(d, sites, character, cause, rng.random()),
        }

    def _note(self, d: _Day, sites: list[str], character: str, cause: str, draw: float) -> str:
        """A note on the firsts, and on a few episodes besides: people write when something is new."""
        firsts: list[tuple[str, Callable[[], bool], str]] = [
            ("first", lambda: True, "First time I noticed it: my left index finger."),
            ("right", lambda: any(s.startswith("right_") for s in sites), "Now the right hand as well."),
            ("tremor", lambda: character == "tremor", "Hand shaky holding my phone, an hour or so after the inhaler."),
        ]
        for key, applies, text in firsts:
            if d.logged and key not in self.notes_used and applies():
                self.notes_used.add(key)
                return text
        if draw < 0.04:
            if d.sleep_hours < DEMO_SHORT_NIGHT_HOURS:
                return "Slept badly last night."
            if d.caffeine_mg >= DEMO_CAFFEINE_EFFECT_FROM_MG:
                return "Deadline day, far too much coffee."
            if cause == "exercise":
                return "Straight after the workout."
            return "Went on for a while, stopped when I moved the hand."
        return ""


def demo_records(*, days: int, today: date, end: datetime, tz: ZoneInfo, seed: int = DEMO_SEED) -> Records:
    """The demo diary of ``days`` days ending on ``today``: per table, (client id, column values).

    Nothing is dated after ``end``, so the records pass the rule against future times.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    return _DemoDiary(days=days, today=today, end=end, tz=tz, seed=seed).build()


@dataclass(frozen=True)
class DemoSeed:
    user: User
    password: str
    token: str
    counts: dict[str, int]


def _demo_user() -> User:
    user = User.objects.filter(email=DEMO_EMAIL).first()
    if user is None:
        # The demo address is made up and cannot be confirmed by a link: it counts as confirmed, so
        # the demo shows the weekly summary being sent (to the console backend by default).
        return User.objects.create_user(
            email=DEMO_EMAIL, password=DEMO_PASSWORD, email_confirmed_at=timezone.now(), **DEMO_PROFILE
        )
    for field, value in DEMO_PROFILE.items():
        setattr(user, field, value)
    user.is_active = True
    user.email_confirmed_at = user.email_confirmed_at or timezone.now()
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def demo_user_seed(*, days: int = DEFAULT_DAYS) -> DemoSeed:
    """Create or refresh the demo user and its diary in one transaction; issue a fresh token."""
    now = timezone.now()
    tz = ZoneInfo(DEMO_PROFILE["timezone"])
    # Ending on the hour, not the second, keeps two runs within the same hour identical.
    end = now.replace(minute=0, second=0, microsecond=0)
    records = demo_records(days=days, today=now.astimezone(tz).date(), end=end, tz=tz)
    with transaction.atomic():
        user = _demo_user()
        changes: dict[str, TableChanges] = {}
        for name, spec in TABLES.items():
            writes = [
                RecordWrite(client_id=client_id, values=with_defaults(spec, values), path=f"{name}.{client_id}")
                for client_id, values in records[name]
            ]
            errors = check_records(name, writes, now=now)
            if errors:
                raise DomainError("The demo data breaks the diary's input rules.", fields=errors)
            keep = {w.client_id for w in writes}
            stored = spec.model.objects.live().filter(user=user).values_list("client_id", flat=True)
            changes[name] = TableChanges(upserts=writes, deletions=[cid for cid in stored if cid not in keep])
        changes_apply(user=user, changes=changes, since=None)
        # One demo token at a time: each run replaces the last one it issued.
        DeviceToken.objects.filter(user=user, device_name=DEMO_DEVICE).delete()
        _, token = device_token_create(user=user, device_name=DEMO_DEVICE)
    return DemoSeed(
        user=user, password=DEMO_PASSWORD, token=token, counts={name: len(rows) for name, rows in records.items()}
    )
