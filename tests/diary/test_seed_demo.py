"""The demo account: reproducible, about four months long, and showing the patterns the insights look for."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import DeviceToken, User
from diary.catalogues.body_sites import region_of
from diary.demo import DEMO_EMAIL, DEMO_PASSWORD
from diary.models import CaffeineIntake, DayCheckin, Episode, LabResult, Medication, MedicationDose, SleepLog
from diary.services import record_save
from diary.tables import TABLES

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# A summer evening in London: local and UTC dates agree, and the day has data in it.
EVENING = datetime(2025, 6, 15, 18, 30, tzinfo=UTC)
# 00:30 on 16 June in London, still 15 June in UTC: "today" must be London's.
AFTER_LOCAL_MIDNIGHT = datetime(2025, 6, 15, 23, 30, tzinfo=UTC)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def demo_user() -> User:
    return User.objects.get(email=DEMO_EMAIL)


def diary_snapshot(user: User) -> dict[str, list[tuple]]:
    """Every row's id, columns and tombstone: what a second run must leave unchanged."""
    snapshot = {}
    for name, spec in TABLES.items():
        fields = ("client_id", "deleted_at", *(spec.read_field(c) for c in spec.columns))
        snapshot[name] = list(spec.model.objects.filter(user=user).order_by("client_id").values_list(*fields))
    return snapshot


def local_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


@pytest.fixture
def seeded() -> User:
    with time_machine.travel(EVENING, tick=False):
        seed()
    return demo_user()


def episodes_by_day(user: User) -> dict[date, int]:
    counts: dict[date, int] = defaultdict(int)
    for started_at in Episode.objects.filter(user=user, deleted_at__isnull=True).values_list("started_at", flat=True):
        counts[local_day(started_at)] += 1
    return counts


def logged_days(user: User) -> set[date]:
    """Days with anything written down: a day without any record was not logged."""
    days = {
        local_day(t)
        for t in SleepLog.objects.filter(user=user, deleted_at__isnull=True).values_list("woke_at", flat=True)
    }
    days |= {
        local_day(t)
        for t in CaffeineIntake.objects.filter(user=user, deleted_at__isnull=True).values_list("consumed_at", flat=True)
    }
    days |= set(episodes_by_day(user))
    return days


def test_running_it_twice_leaves_exactly_the_same_diary(seeded):
    first = diary_snapshot(seeded)
    with time_machine.travel(EVENING + timedelta(minutes=5), tick=False):
        seed()
    second = diary_snapshot(demo_user())
    assert User.objects.filter(email=DEMO_EMAIL).count() == 1
    assert {name: len(rows) for name, rows in second.items()} == {name: len(rows) for name, rows in first.items()}
    assert second == first
    assert all(row[1] is None for rows in second.values() for row in rows)


def test_it_creates_the_demo_profile_with_a_password_that_logs_in(seeded):
    assert (seeded.display_name, seeded.timezone, seeded.birth_year) == ("Demo", "Europe/London", 1984)
    assert seeded.check_password(DEMO_PASSWORD)


def test_it_covers_about_120_days_ending_today_in_the_users_timezone():
    with time_machine.travel(AFTER_LOCAL_MIDNIGHT, tick=False):
        seed()
    user = demo_user()
    today = date(2025, 6, 16)
    days = logged_days(user)
    assert min(days) == today - timedelta(days=119)
    assert max(days) <= today
    assert 0.78 <= len(days) / 120 <= 0.92  # about 85% of days logged


def test_it_stores_nothing_in_the_future(seeded):
    for spec in TABLES.values():
        if spec.name in ("medications", "lab_results"):
            continue
        latest = spec.model.objects.filter(user=seeded).order_by(f"-{spec.model.time_field}").first()
        if latest is None:
            continue  # the demo logs nothing in this table
        value = getattr(latest, spec.model.time_field)
        if isinstance(value, datetime):
            assert value <= EVENING, spec.name
        else:  # a local date: a check-in's day
            assert value <= EVENING.astimezone(ZoneInfo(seeded.timezone)).date(), spec.name


def test_days_with_300_mg_of_caffeine_or_more_have_clearly_more_episodes(seeded):
    mg_by_day: dict[date, float] = defaultdict(float)
    for consumed_at, mg in CaffeineIntake.objects.filter(user=seeded).values_list("consumed_at", "mg"):
        mg_by_day[local_day(consumed_at)] += mg
    episodes = episodes_by_day(seeded)
    days = logged_days(seeded)
    high = [episodes.get(d, 0) for d in days if mg_by_day[d] >= 300]
    low = [episodes.get(d, 0) for d in days if mg_by_day[d] < 300]
    assert len(high) >= 20 and len(low) >= 20
    assert (sum(high) / len(high)) / (sum(low) / len(low)) > 1.5


def test_the_day_after_a_short_night_has_more_episodes(seeded):
    episodes = episodes_by_day(seeded)
    hours = {
        local_day(s.woke_at): (s.woke_at - s.bed_at).total_seconds() / 3600
        for s in SleepLog.objects.filter(user=seeded)
    }
    short = [episodes.get(d, 0) for d, h in hours.items() if h < 6]
    enough = [episodes.get(d, 0) for d, h in hours.items() if h >= 6]
    assert len(short) >= 5
    assert sum(short) / len(short) > 1.2 * sum(enough) / len(enough)


def test_twitching_starts_in_the_left_hand_and_reaches_the_right_hand_in_the_last_month(seeded):
    today = local_day(EVENING)
    start = today - timedelta(days=119)
    regions_by_period: dict[str, set[str]] = defaultdict(set)
    for started_at, sites in Episode.objects.filter(user=seeded).values_list("started_at", "body_sites"):
        day = local_day(started_at)
        if day < start + timedelta(days=14):
            regions_by_period["first two weeks"].update(region_of(s) for s in sites)
            regions_by_period["first two weeks sites"].update(sites)
        if day > today - timedelta(days=30):
            regions_by_period["last month"].update(region_of(s) for s in sites)
    assert regions_by_period["first two weeks"] == {"left_hand"}
    assert regions_by_period["first two weeks sites"] == {"left_index"}
    assert {"left_hand", "right_hand"} <= regions_by_period["last month"]
    left_fingers = {
        s
        for sites in Episode.objects.filter(user=seeded).values_list("body_sites", flat=True)
        for s in sites
        if s.startswith("left_")
    }
    assert len(left_fingers) >= 3


def test_an_as_needed_salbutamol_inhaler_starts_midway_with_doses_after_its_start(seeded):
    inhaler = Medication.objects.get(user=seeded, catalogue_key="salbutamol")
    assert (inhaler.drug_class, inhaler.as_needed) == ("beta2_agonist", True)
    start = local_day(EVENING) - timedelta(days=119)
    assert start + timedelta(days=40) <= inhaler.started_on <= start + timedelta(days=80)
    doses = list(MedicationDose.objects.filter(user=seeded, medication=inhaler).values_list("taken_at", flat=True))
    assert len(doses) >= 10
    assert all(local_day(taken_at) >= inhaler.started_on for taken_at in doses)


def test_one_magnesium_result_is_slightly_below_its_reference_range(seeded):
    low = [lab for lab in LabResult.objects.filter(user=seeded, analyte="magnesium") if lab.value < lab.reference_low]
    assert len(low) == 1
    assert low[0].reference_low - low[0].value < 0.1


def test_episodes_read_like_a_diary(seeded):
    episodes = list(Episode.objects.filter(user=seeded))
    assert {e.intensity for e in episodes} <= set(range(2, 7))
    assert 2 <= sum("tingling" in e.symptoms for e in episodes) <= 20
    assert 3 <= sum(bool(e.notes) for e in episodes) <= 20


def test_it_prints_the_login_urls_and_a_token_that_works_and_replaces_the_last_one():
    with time_machine.travel(EVENING, tick=False):
        first = seed("--quiet").strip()
        output = seed()
        for text in (DEMO_EMAIL, DEMO_PASSWORD, "/api/docs/", "/api/v1/episodes/", "/api/v1/sync/", "/healthz", "curl"):
            assert text in output
        token = output.split("API token", 1)[1].split()[0]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get("/api/v1/sync/").status_code == 200
        client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
        assert client.get("/api/v1/sync/").status_code == 401
    assert DeviceToken.objects.filter(user=demo_user(), device_name="seed_demo").count() == 1


def test_a_refresh_deletes_what_else_the_demo_user_logged_and_leaves_other_users_alone(seeded, make_user):
    other = make_user()
    with time_machine.travel(EVENING, tick=False):
        record_save(
            user=other,
            table="stress_logs",
            client_id="demo-stress-0001",
            values={"recorded_at": EVENING - timedelta(hours=1), "level": 9},
        )
        record_save(
            user=seeded,
            table="stress_logs",
            client_id="added-by-hand",
            values={"recorded_at": EVENING - timedelta(hours=1), "level": 9},
        )
        seed("--quiet")
    assert seeded.pk == demo_user().pk
    added = TABLES["stress_logs"].model.objects.get(user=seeded, client_id="added-by-hand")
    assert added.deleted_at is not None
    theirs = TABLES["stress_logs"].model.objects.get(user=other, client_id="demo-stress-0001")
    assert (theirs.level, theirs.deleted_at) == (9, None)


def test_fewer_days_can_be_asked_for(seeded):
    with time_machine.travel(EVENING, tick=False):
        seed("--days", "30", "--quiet")
    days = logged_days(seeded)
    assert min(days) >= local_day(EVENING) - timedelta(days=29)


@override_settings(IS_PRODUCTION=True)
def test_it_refuses_to_run_in_production():
    with pytest.raises(CommandError, match="production"):
        seed()
    assert not User.objects.filter(email=DEMO_EMAIL).exists()


def test_every_kept_diary_day_has_its_evening_check_in_and_every_entry_its_offset(seeded):
    checkins = {c.day: c for c in DayCheckin.objects.filter(user=seeded)}
    zone = ZoneInfo(seeded.timezone)
    episode_days = {e.started_at.astimezone(zone).date() for e in Episode.objects.filter(user=seeded)}

    assert len(checkins) > 60
    assert all(c.no_twitches == (day not in episode_days) for day, c in checkins.items())
    assert not Episode.objects.filter(user=seeded, utc_offset_min__isnull=True).exists()
    assert not DayCheckin.objects.filter(user=seeded, utc_offset_min__isnull=True).exists()
