"""The per-user sync clock: one lock and one ever-growing stamp for every diary change.

Every write and every pull of a user's diary runs inside a transaction that first locks
the user's SyncClock row (a write with the UPDATE that advances it, a pull with SELECT ...
FOR UPDATE on PostgreSQL). A write takes a stamp strictly greater than any stamp issued
before and stamps its rows' ``updated_at``; a pull returns the last stamp as
WatermelonDB's ``timestamp``. Because the lock is held until
commit, a pull's stamp is only issued once every earlier write has committed, and every
later write gets a larger stamp, so a pull can never miss a change (docs/architecture.md, "Promises and targets").
On SQLite, which has one writer at a time, the same code is correct because the clock's
UPDATE takes the database's write lock.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import cast

from django.db import connection, transaction

from accounts.models import User
from diary.models import SyncClock

# The last millisecond a datetime can hold (9999-12-31T23:59:59.999Z): a larger stamp is no time at all.
MAX_STAMP_MS = 253_402_300_799_999


def stamp_to_datetime(stamp_ms: int) -> datetime:
    return datetime.fromtimestamp(stamp_ms / 1000, tz=UTC)


def tick(user: User) -> int:
    """Lock the user's clock for the rest of the transaction and return a fresh stamp in ms."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the sync clock must be ticked inside a transaction")
    stamp = _advance(user, int(time.time() * 1000))
    if stamp is None:
        SyncClock.objects.get_or_create(user=user)
        stamp = _advance(user, int(time.time() * 1000))
    return cast(int, stamp)


def _advance(user: User, now_ms: int) -> int | None:
    """Move the clock to now, or one past its last stamp if the wall clock is behind it, and
    return the new stamp; None if the user has no clock row yet. The UPDATE takes the row's
    lock and RETURNING reads the stamp in the same round trip."""
    table = SyncClock._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_stamp_ms = CASE WHEN last_stamp_ms >= %s THEN last_stamp_ms + 1 "  # noqa: S608
            "ELSE %s END WHERE user_id = %s RETURNING last_stamp_ms",
            [now_ms, now_ms, user.pk],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


# The stamp a statement built with ``ticking`` writes: the clock's new value as a time (exact
# integer arithmetic on milliseconds, as stamp_to_datetime reads it).
STAMP_SQL = "(timestamptz 'epoch' + (SELECT stamp_ms FROM clock) * interval '1 millisecond')"


def ticking(user_id: int, statement: str, params: list[object]) -> tuple[str, list[object]]:
    """``statement`` preceded by the clock's tick as a CTE named ``clock`` (column ``stamp_ms``),
    so one statement advances the clock and writes with its stamp (STAMP_SQL). Run on its own
    (autocommit) it is one transaction: the clock's row stays locked until the write commits,
    as with ``tick``. If the user has no clock row yet, ``clock`` is empty: the statement must
    then write nothing (``... SELECT ... FROM clock``), and the caller takes the ``tick`` path,
    which creates the row."""
    table = SyncClock._meta.db_table
    now_ms = int(time.time() * 1000)
    cte = (
        f"WITH clock AS (UPDATE {table} SET last_stamp_ms = CASE WHEN last_stamp_ms >= %s "  # noqa: S608
        "THEN last_stamp_ms + 1 ELSE %s END WHERE user_id = %s RETURNING last_stamp_ms AS stamp_ms) "
    )
    return cte + statement, [now_ms, now_ms, user_id, *params]
