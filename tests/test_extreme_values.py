"""An account holding every table's extreme allowed values still syncs, lists, exports and reports
(issue 23, build point 2).

Every value is written through the API, so each is one the rules allow: the edges of every
declared range, the first allowed day (1900-01-01) and a time minutes ahead of now, the longest
texts and lists, samples at a phone accelerometer's full scale at the fastest and slowest rates.
Then every surface is read back (tests/surfaces.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from diary.catalogues import body_sites, episode_terms
from diary.serializers import MAX_LIST_ITEMS
from diary.tables import LAB_VALUE_MAX, TABLES
from diary.time_bounds import EARLIEST_DAY
from diary.tremor_checks import MAX_ACCELERATION_M_S2, MAX_SAMPLE_RATE_HZ, MIN_DURATION_S, MIN_SAMPLE_RATE_HZ
from tests.surfaces import read_every_surface

pytestmark = pytest.mark.django_db

ODD_TEXT = "=cmd|' /C calc'!A0 <script>alert(1)</script> \"quotes\" \u202eRTL\u202c \U0001f600 \\ \t end"


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _text(length: int) -> str:
    return (ODD_TEXT * (length // len(ODD_TEXT) + 1))[:length].strip() or "x"


def _square_wave(rate: float, seconds: float) -> dict[str, list[float]]:
    n = int(rate * seconds)
    full = [MAX_ACCELERATION_M_S2 if i % 2 else -MAX_ACCELERATION_M_S2 for i in range(n)]
    return {"x": full, "y": list(reversed(full)), "z": [MAX_ACCELERATION_M_S2] * n}


def extreme_records(now: datetime) -> list[tuple[str, dict[str, Any]]]:
    """(route, body) pairs: each table at both ends of what it accepts."""
    first = datetime.combine(EARLIEST_DAY, datetime.min.time(), tzinfo=UTC)
    soon = now + timedelta(minutes=9)
    sites = list(body_sites.BODY_SITES)[:MAX_LIST_ITEMS]
    records: list[tuple[str, dict[str, Any]]] = []
    for at, low in ((first, True), (soon, False), (now - timedelta(hours=2), True)):
        records += [
            (
                "episodes",
                {
                    "started_at": _iso(at),
                    "duration_s": 0 if low else 3600,
                    "body_sites": sites[:1] if low else sites,
                    "character": list(episode_terms.CHARACTERS)[0 if low else -1],
                    "intensity": 1 if low else 10,
                    "context": list(episode_terms.CONTEXTS)[-1],
                    "symptoms": list(episode_terms.SYMPTOMS),
                    "notes": _text(2000),
                    "utc_offset_min": -720 if low else 840,
                },
            ),
            (
                "day-checkins",
                {
                    "day": at.date().isoformat(),
                    "no_twitches": low,
                    "kept_plan": None if low else True,
                    "utc_offset_min": 840 if low else -720,
                },
            ),
            ("caffeine-intakes", {"consumed_at": _iso(at), "drink": "espresso", "servings": 20 if low else 1e-300}),
            ("caffeine-intakes", {"consumed_at": _iso(at), "mg": 0 if low else 2000}),
            (
                "sleep-logs",
                {
                    "bed_at": _iso(max(at - timedelta(hours=24), first)),
                    "woke_at": _iso(max(at, first + timedelta(hours=24))),
                    "quality": 1 if low else 5,
                },
            ),
            ("stress-logs", {"recorded_at": _iso(at), "level": 0 if low else 10}),
            (
                "exercise-sessions",
                {
                    "started_at": _iso(at),
                    "duration_min": 1 if low else 1440,
                    "intensity": "vigorous",
                    "kind": _text(60),
                },
            ),
            (
                "lab-results",
                {
                    "taken_on": (at.date() if low else now.date()).isoformat(),
                    "analyte": list(episode_terms.LAB_ANALYTES)[0 if low else -1],
                    "value": 0 if low else LAB_VALUE_MAX,
                    "unit": _text(20),
                    "reference_low": 0,
                    "reference_high": LAB_VALUE_MAX,
                },
            ),
            (
                "tremor-recordings",
                {
                    "recorded_at": _iso(at),
                    "hand": "left" if low else "right",
                    "posture": "rest",
                    "sample_rate_hz": MIN_SAMPLE_RATE_HZ if low else MAX_SAMPLE_RATE_HZ,
                    "samples": _square_wave(MIN_SAMPLE_RATE_HZ if low else MAX_SAMPLE_RATE_HZ, MIN_DURATION_S),
                },
            ),
        ]
    records.append(
        (
            "medications",
            {
                "id": "med-extreme",
                "name": _text(120),
                "dose": _text(120),
                "started_on": EARLIEST_DAY.isoformat(),
                "stopped_on": (now.date() + timedelta(days=366)).isoformat(),
                "as_needed": True,
            },
        )
    )
    records += [
        ("medication-doses", {"medication_id": "med-extreme", "taken_at": _iso(at), "amount": _text(60)})
        for at in (first, soon)
    ]
    return records


@pytest.mark.slow
def test_an_account_with_every_tables_extreme_allowed_values_reads_on_every_surface(user, client_for):
    client = client_for(user)
    now = timezone.now()
    for route, body in extreme_records(now):
        response = client.post(f"/api/v1/{route}/", body, format="json")
        assert response.status_code == 201, (route, response.json())
    assert {spec.route for spec in TABLES.values()} <= {route for route, _ in extreme_records(now)}

    read_every_surface(
        client,
        user,
        report_ranges=(
            (EARLIEST_DAY, EARLIEST_DAY + timedelta(days=89)),
            (now.date() - timedelta(days=2), now.date() + timedelta(days=1)),
        ),
    )


@pytest.mark.slow
def test_the_first_allowed_day_reaches_the_reports_in_a_timezone_behind_utc(make_user, client_for):
    # Finding 6: an entry near the earliest day, for someone at UTC-12, used to break their PDF and email.
    user = make_user(timezone="Etc/GMT+12")
    client = client_for(user)
    response = client.post(
        "/api/v1/episodes/",
        {
            "started_at": "1900-01-01T11:00:00Z",
            "duration_s": 5,
            "body_sites": ["left_index"],
            "character": "twitch",
            "intensity": 3,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()

    read_every_surface(client, user, report_ranges=((date(1900, 1, 1), date(1900, 1, 3)),))
