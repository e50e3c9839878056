"""The per-user sync clock: one lock and one ever-growing stamp for every diary change.

Every write and every pull of a user's diary runs inside a transaction that first locks
the user's SyncClock row (SELECT ... FOR UPDATE on PostgreSQL) and takes a stamp
strictly greater than any stamp issued before. A write stamps its rows' ``updated_at``;
a pull returns its stamp as WatermelonDB's ``timestamp``. Because the lock is held until
commit, a pull's stamp is only issued once every earlier write has committed, and every
later write gets a larger stamp, so a pull can never miss a change (DESIGN.md section 5).
On SQLite, which has one writer at a time, the same code is correct because the clock's
UPDATE takes the database's write lock.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.db import transaction

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
    clock = SyncClock.objects.select_for_update().filter(user=user).first()
    if clock is None:
        SyncClock.objects.get_or_create(user=user)
        clock = SyncClock.objects.select_for_update().get(user=user)
    stamp = max(int(time.time() * 1000), clock.last_stamp_ms + 1)
    SyncClock.objects.filter(user=user).update(last_stamp_ms=stamp)
    return stamp
