"""Weekly summaries: dispatch for 1,000 and 4,000 due users, side by side.

Each synthetic user has a little diary over the four weeks the summary shows. The hourly
dispatcher runs once at a Monday 08:05 when every user is due; Celery runs eagerly, so the
run includes building, rendering (chart included) and sending every email, to Django's
locmem backend. Printed: time, time per user, queries per user, the 4,000/1,000 time ratio
(linear is 4) and peak Python memory (tracemalloc), which should stay flat.

    .venv/bin/python bench/weekly.py                 # PostgreSQL (fresh database), 1,000 and 4,000 users
    .venv/bin/python bench/weekly.py --sizes 200 800 # quicker
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stack import fresh_database, setup_django

# Monday 12 January 2026, 08:05 UTC: Monday 08:05 or later in every zone below.
NOW = datetime(2026, 1, 12, 8, 5, tzinfo=UTC)
ZONES = ("UTC", "Europe/London", "Europe/Berlin", "Asia/Kolkata", "Asia/Tokyo")


def populate(count: int) -> None:
    """``count`` users, each with about 20 diary rows over the four weeks before NOW."""
    from django.utils import timezone

    from accounts.models import User
    from diary import models as diary_models

    stamp = timezone.now()
    users = User.objects.bulk_create(
        [
            # Confirmed addresses: weekly summaries go only to those.
            User(email=f"bench{n}@example.org", password="!", timezone=ZONES[n % len(ZONES)], email_confirmed_at=stamp)
            for n in range(count)
        ],
        batch_size=1000,
    )
    episodes, caffeine, sleep, stress = [], [], [], []
    for n, user in enumerate(users):
        common = {"user": user, "created_at": stamp, "updated_at": stamp}
        for k in range(8):
            at = NOW - timedelta(days=1 + (n + k * 3) % 27, hours=k)
            episodes.append(
                diary_models.Episode(
                    client_id=f"e{k}",
                    started_at=at,
                    duration_s=30 + k * 10,
                    body_sites=["left_index"],
                    character="twitch",
                    intensity=1 + (n + k) % 10,
                    **common,
                )
            )
        for k in range(5):
            at = NOW - timedelta(days=1 + (n + k * 5) % 27, hours=3)
            caffeine.append(
                diary_models.CaffeineIntake(client_id=f"c{k}", consumed_at=at, mg=95 * (1 + k % 3), **common)
            )
            sleep.append(diary_models.SleepLog(client_id=f"s{k}", bed_at=at - timedelta(hours=7), woke_at=at, **common))
        for k in range(3):
            at = NOW - timedelta(days=2 + (n + k * 7) % 26)
            stress.append(diary_models.StressLog(client_id=f"t{k}", recorded_at=at, level=(n + k) % 11, **common))
    for model, rows in (
        (diary_models.Episode, episodes),
        (diary_models.CaffeineIntake, caffeine),
        (diary_models.SleepLog, sleep),
        (diary_models.StressLog, stress),
    ):
        model.objects.bulk_create(rows, batch_size=2000)


def clear() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE accounts_user CASCADE")
        else:
            from accounts.models import User

            User.objects.all().delete()


def run(count: int) -> dict[str, Any]:
    from django.core import mail
    from django.db import connection, reset_queries

    from insights.summaries import services
    from insights.summaries.models import SummaryStatus, WeeklySummary
    from insights.summaries.tasks import send_weekly_summary

    def dispatch() -> int:
        return services.summaries_dispatch(enqueue=lambda summary_id: send_weekly_summary.delay(summary_id), now=NOW)

    clear()
    populate(count)
    DrainingLocmemBackend.sent = 0
    # Pass 1, timed and with queries counted; tracemalloc is off because it slows every
    # allocation (matplotlib makes many) and would distort the time ratio.
    # Counted by an execute wrapper: Django's query log keeps only the last 9,000 queries.
    executed = 0

    def count_query(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal executed
        executed += 1
        return execute(sql, params, many, context)

    reset_queries()
    began = time.perf_counter()
    with connection.execute_wrapper(count_query):
        enqueued = dispatch()
    elapsed = time.perf_counter() - began
    # Pass 2: the same users and diaries again (this week's rows cleared), for the memory peak.
    WeeklySummary.objects.all().delete()
    tracemalloc.start()
    dispatch()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    sent = WeeklySummary.objects.filter(status=SummaryStatus.SENT).count()
    assert enqueued == count == sent == DrainingLocmemBackend.sent // 2, (
        enqueued,
        count,
        sent,
        DrainingLocmemBackend.sent,
    )
    assert not getattr(mail, "outbox", [])
    print(f"  {count:,} users: {elapsed:.1f} s, {executed:,} queries, peak {peak / 2**20:.1f} MB", flush=True)
    return {"users": count, "seconds": elapsed, "queries": executed, "peak_mb": peak / 2**20}


class _Backend:  # replaced by the real class once Django is set up
    pass


DrainingLocmemBackend: Any = _Backend


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=(1000, 4000), metavar=("SMALL", "LARGE"))
    parser.add_argument("--sqlite", action="store_true", help="use a SQLite file instead of PostgreSQL")
    parser.add_argument("--quick", action="store_true", help="10 and 40 users")
    args = parser.parse_args()
    if args.quick:
        args.sizes = (10, 40)

    sqlite_url = "sqlite:////tmp/twitchlog_bench_weekly.sqlite3"
    url = sqlite_url if args.sqlite else fresh_database("twitchlog_bench_weekly")
    if args.sqlite:
        import os
        import subprocess

        sqlite_file = Path(url.removeprefix("sqlite:///"))
        sqlite_file.unlink(missing_ok=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            cwd=Path(__file__).resolve().parent.parent,
            env={**os.environ, "DATABASE_URL": url},
            check=True,
        )
    setup_django(url)

    import logging

    from django.conf import settings
    from django.core import mail
    from django.core.mail.backends.locmem import EmailBackend

    class Draining(EmailBackend):
        """Django's locmem backend, emptying the outbox after counting, so the bench measures
        the dispatcher's memory rather than a growing list of sent emails."""

        sent = 0

        def send_messages(self, messages: Any) -> int:
            count = super().send_messages(messages)
            type(self).sent += count
            mail.outbox.clear()
            return count

    global DrainingLocmemBackend
    DrainingLocmemBackend = Draining
    sys.modules["__main__"].DrainingLocmemBackend = Draining  # type: ignore[attr-defined]
    settings.EMAIL_BACKEND = "__main__.DrainingLocmemBackend"
    settings.DEBUG = False
    logging.getLogger("celery").setLevel(logging.WARNING)

    # Warm up (imports, fonts, the chart's figure, template compilation) outside the measurements.
    run(10)
    results = [run(size) for size in args.sizes]
    small, large = results
    print(
        f"\nWeekly summary dispatch ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, locmem email, "
        "eager Celery: every email built, rendered and sent)\n"
    )
    print(f"{'users':>8} {'time s':>9} {'ms/user':>9} {'queries':>9} {'queries/user':>13} {'peak MB':>9}")
    for r in results:
        print(
            f"{r['users']:>8,} {r['seconds']:>9.1f} {1000 * r['seconds'] / r['users']:>9.1f} {r['queries']:>9,} "
            f"{r['queries'] / r['users']:>13.2f} {r['peak_mb']:>9.1f}"
        )
    ratio = large["seconds"] / small["seconds"]
    size_ratio = large["users"] / small["users"]
    print(
        f"\ntime ratio {large['users']:,}/{small['users']:,}: {ratio:.2f} (linear: {size_ratio:.1f}; target <= "
        f"{size_ratio * 1.1:.1f})"
    )
    print(f"peak memory ratio: {large['peak_mb'] / small['peak_mb']:.2f} (flat: 1.0)")
    print(
        f"queries per user: {small['queries'] / small['users']:.2f} vs {large['queries'] / large['users']:.2f} "
        "(constant)"
    )


if __name__ == "__main__":
    main()
