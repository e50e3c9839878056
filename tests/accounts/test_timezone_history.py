"""The profile's zone follows the phone: each change is kept with its moment, never applied
backwards, and the diary's records without an offset of their own stay where they were logged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.models import TimezoneChange
from accounts.selectors import timezone_periods
from insights.selectors import diary_for_user
from tests.builders import values, write
from tests.query_counts import captured_queries

pytestmark = pytest.mark.django_db

SUMMER = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
MOVED = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)


def move(client, zone: str, when: datetime) -> dict[str, object]:
    with time_machine.travel(when, tick=False):
        response = client.patch("/api/v1/me/", {"timezone": zone}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_new_zone_is_kept_with_its_moment(auth_client, user):
    me = move(auth_client, "Asia/Tokyo", MOVED)

    assert (me["timezone"], me["timezone_since"]) == ("Asia/Tokyo", "2026-11-02T07:00:00Z")
    (change,) = TimezoneChange.objects.filter(user=user)
    assert (change.old_timezone, change.new_timezone, change.changed_at) == ("Europe/London", "Asia/Tokyo", MOVED)


def test_sending_the_same_zone_again_changes_nothing(auth_client, user):
    me = move(auth_client, "Europe/London", MOVED)

    assert me["timezone_since"] is None
    assert not TimezoneChange.objects.filter(user=user).exists()


def test_an_unknown_zone_is_a_400_and_nothing_is_kept(auth_client, user):
    response = auth_client.patch("/api/v1/me/", {"timezone": "Mars/Olympus"}, format="json")

    assert response.status_code == 400
    assert "timezone" in response.json()["error"]["fields"]
    assert not TimezoneChange.objects.filter(user=user).exists()


def test_the_periods_run_oldest_first_and_end_in_the_current_zone(auth_client, user):
    move(auth_client, "Asia/Tokyo", MOVED)
    move(auth_client, "America/New_York", MOVED + timedelta(days=10))
    user.refresh_from_db()

    assert timezone_periods(user=user) == [
        (None, "Europe/London"),
        (MOVED, "Asia/Tokyo"),
        (MOVED + timedelta(days=10), "America/New_York"),
    ]


def test_a_profile_that_never_moved_costs_no_query(user):
    with captured_queries() as queries:
        periods = timezone_periods(user=user)

    assert periods == [(None, "Europe/London")] and len(queries) == 0


def test_records_without_an_offset_stay_in_the_zone_they_were_logged_in(auth_client, user):
    write(
        user,
        "episodes",
        [
            values("episodes", at=SUMMER, id="summer-in-london", intensity=3),
            values("episodes", at=MOVED - timedelta(hours=1), id="before-the-move", intensity=3),
            values("episodes", at=MOVED + timedelta(hours=1), id="after-the-move", intensity=3),
            values("episodes", at=MOVED - timedelta(hours=2), id="own-offset", intensity=3, utc_offset_min=-300),
        ],
    )
    move(auth_client, "Asia/Tokyo", MOVED)
    user.refresh_from_db()

    diary = diary_for_user(user=user)

    offsets = {e.id: e.utc_offset_min for e in diary.episodes}
    assert offsets == {"summer-in-london": 60, "before-the-move": 0, "after-the-move": 540, "own-offset": -300}
    assert diary.timezone == "Asia/Tokyo"


def test_the_diary_carries_the_check_ins(user):
    write(user, "day_checkins", [{"id": "k1", "day": SUMMER.date(), "no_twitches": True, "kept_plan": False}])

    (checkin,) = diary_for_user(user=user).checkins

    assert (checkin.id, checkin.day, checkin.no_twitches, checkin.kept_plan) == ("k1", SUMMER.date(), True, False)


def test_a_report_range_keeps_the_check_ins_of_every_day_it_touches_in_any_zone(user):
    days = [SUMMER.date() + timedelta(days=n) for n in (-2, -1, 0, 1, 2)]
    write(user, "day_checkins", [{"id": f"k{n}", "day": day} for n, day in enumerate(days)])

    diary = diary_for_user(user=user, start=SUMMER - timedelta(hours=6), end=SUMMER + timedelta(hours=1))

    # 06:00-13:00 UTC on 1 July is 30 June 18:00 at UTC-12 and 2 July 03:00 at UTC+14: no further.
    assert sorted(c.day for c in diary.checkins) == days[1:4]


def test_the_diary_reads_one_query_per_table_and_one_for_the_check_ins_after_a_move(auth_client, user):
    write(user, "episodes", [values("episodes", at=SUMMER, id="e1", intensity=3)])
    with captured_queries() as before:
        diary_for_user(user=user)
    move(auth_client, "Asia/Tokyo", MOVED)
    user.refresh_from_db()

    with captured_queries() as after:
        diary_for_user(user=user)

    assert len(after) == len(before) + 1, str(after)  # the zone history, only once the zone has changed
