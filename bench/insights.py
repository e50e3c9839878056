"""Insights cost, beside its baselines, in one run (docs/architecture.md, "Benchmark targets").

1. One user's recompute for a year of simulated diary data against the plain SELECT of that
   user's rows (target: at most 3 times).
2. The nightly sweep over 1,000 and then 4,000 users with a month of diary each, run in-process
   (eager tasks), with the process's peak resident memory after each: time should grow
   linearly (ratio near 4) and memory stay flat (the 4,000-user sweep raises the peak by
   little or nothing over the 1,000-user one).

    .venv/bin/python bench/insights.py        (or: make bench-insights)
    .venv/bin/python bench/insights.py --one-user     (part 1 only)

The diaries come from the validation generator (tests/simulation/generator.py): a year with a
caffeine link planted for the one user, two weeks of an ordinary diary for each swept user.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

from _quick import quick
from _stack import fresh_database, setup_django

YEAR_SEED = 11


def store_diary(user: Any, diary: Any) -> None:
    """Write a simulated Diary's records as the user's rows, stamped now."""
    from diary import models as m

    now = datetime.now(UTC)
    base = {"user": user, "created_at": now, "updated_at": now}
    meds = {
        r.id: m.Medication(
            client_id=r.id,
            name=r.name,
            drug_class=r.drug_class,
            started_on=r.started_on,
            stopped_on=r.stopped_on,
            as_needed=r.as_needed,
            catalogue_key=r.catalogue_key or "",
            **base,
        )
        for r in diary.medications
    }
    m.Medication.objects.bulk_create(meds.values())
    m.Episode.objects.bulk_create(
        m.Episode(
            client_id=r.id,
            started_at=r.started_at,
            duration_s=r.duration_s,
            body_sites=list(r.body_sites),
            character=r.character,
            intensity=r.intensity,
            context=r.context or "",
            symptoms=list(r.symptoms),
            **base,
        )
        for r in diary.episodes
    )
    m.CaffeineIntake.objects.bulk_create(
        m.CaffeineIntake(client_id=r.id, consumed_at=r.consumed_at, mg=r.mg, **base) for r in diary.caffeine
    )
    m.SleepLog.objects.bulk_create(
        m.SleepLog(client_id=r.id, bed_at=r.bed_at, woke_at=r.woke_at, quality=r.quality, **base) for r in diary.sleep
    )
    m.StressLog.objects.bulk_create(
        m.StressLog(client_id=r.id, recorded_at=r.recorded_at, level=r.level, **base) for r in diary.stress
    )
    m.ExerciseSession.objects.bulk_create(
        m.ExerciseSession(
            client_id=r.id,
            started_at=r.started_at,
            duration_min=max(1, r.duration_min),
            intensity=r.intensity,
            kind=r.kind,
            **base,
        )
        for r in diary.exercise
    )
    m.MedicationDose.objects.bulk_create(
        m.MedicationDose(client_id=r.id, medication=meds[r.medication_id], taken_at=r.taken_at, **base)
        for r in diary.doses
        if r.medication_id in meds
    )


def select_rows(user: Any) -> int:
    """The baseline: read every row of the user, as plain tuples, one query per table."""
    from diary.tables import TABLES

    return sum(len(list(spec.model.objects.filter(user=user).values_list())) for spec in TABLES.values())


def median_seconds(action: Any, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_one_user() -> None:
    from accounts.models import User
    from insights.services import insights_recompute
    from tests.simulation.generator import Scenario, simulate

    diary = simulate(YEAR_SEED, Scenario("caffeine_step", 365, 2.0)).diary
    user = User.objects.create_user(email="year@example.org", password="bench-passphrase-1", timezone=diary.timezone)
    store_diary(user, diary)
    rows = select_rows(user)
    select_s = median_seconds(lambda: select_rows(user))
    recompute_s = median_seconds(lambda: insights_recompute(user_id=user.pk))
    print(f"one user, a year of data ({rows} rows)")
    print(f"  {'SELECT of the rows (baseline)':<36}{select_s * 1000:>9.1f} ms")
    print(f"  {'recompute (read + analyse + store)':<36}{recompute_s * 1000:>9.1f} ms")
    print(f"  ratio {recompute_s / select_s:.2f} (target <= 3)")


def make_users(count: int, prefix: str) -> None:
    from accounts.models import User
    from insights.models import InsightState
    from tests.simulation.generator import Scenario, simulate

    # Two weeks each keeps 5,000 users' set-up short; the sweep's cost per user is what is measured.
    template = simulate(5, Scenario("plain", 14)).diary
    users = User.objects.bulk_create(
        User(email=f"{prefix}{n}@example.org", password="!", timezone="Europe/London") for n in range(count)
    )
    for user in users:
        store_diary(user, template)
    InsightState.objects.bulk_create(InsightState(user=user, dirty=True) for user in users)


def bench_sweep(count: int) -> tuple[float, int]:
    from django.db import connection

    from insights.tasks import nightly_sweep

    # Each size starts from empty tables, so the larger run does not also pay for the
    # smaller run's rows in its indexes and caches.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE accounts_user CASCADE")
        make_users(count, f"sweep{count}-")
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    swept = nightly_sweep.apply().get()
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert swept == count, (swept, count)
    return seconds, peak_kib * 1024


def main() -> None:
    setup_django(fresh_database("twitchlog_bench_insights"))
    bench_one_user()
    if "--one-user" in sys.argv:
        return
    small, large = quick((1000, 4000), (50, 200))
    small_s, small_peak = bench_sweep(small)
    large_s, large_peak = bench_sweep(large)
    print("nightly sweep (eager, in-process)")
    print(f"  {'users':>8}{'seconds':>10}{'peak RSS MiB':>14}")
    print(f"  {small:>8}{small_s:>10.1f}{small_peak / 2**20:>14.1f}")
    print(f"  {large:>8}{large_s:>10.1f}{large_peak / 2**20:>14.1f}")
    print(f"  time ratio {large_s / small_s:.2f} (target <= 4.4); memory ratio {large_peak / small_peak:.2f} (flat ~1)")


if __name__ == "__main__":
    main()
