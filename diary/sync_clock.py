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
from datetime import UTC, datetime, timedelta
from typing import cast

from django.db import connection, transaction

from accounts.models import User
from diary.models import SyncClock

# The last millisecond a datetime can hold (9999-12-31T23:59:59.999Z): a larger stamp is no time at all.
MAX_STAMP_MS = 253_402_300_799_999


def stamp_to_datetime(stamp_ms: int) -> datetime:
    return datetime.fromtimestamp(stamp_ms / 1000, tz=UTC)


# The clock's next stamp: now (ms, given twice as parameters), or one past the last if the wall
# clock is behind it.
_NEW_STAMP = "CASE WHEN last_stamp_ms >= %s THEN last_stamp_ms + 1 ELSE %s END"


def tick(user: User) -> int:
    """Lock the user's clock for the rest of the transaction and return a fresh stamp in ms."""
    return _tick(user, claim=False)[0]


def tick_and_claim(user: User) -> tuple[int, bool]:
    """``tick``, taking the recompute claim in the same statement when it is free (see "The
    recompute claim" below): (the stamp, whether this write took the claim)."""
    return _tick(user, claim=True)


def _tick(user: User, *, claim: bool) -> tuple[int, bool]:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the sync clock must be ticked inside a transaction")
    ticked = _advance(user, int(time.time() * 1000), claim)
    if ticked is None:
        SyncClock.objects.get_or_create(user=user)
        ticked = _advance(user, int(time.time() * 1000), claim)
    return cast(tuple[int, bool], ticked)


def _advance(user: User, now_ms: int, claim: bool) -> tuple[int, bool] | None:
    """Move the clock to now, or one past its last stamp if the wall clock is behind it, and
    return the new stamp and whether this tick took the recompute claim; None if the user has
    no clock row yet. The UPDATE takes the row's lock and RETURNING reads the stamp in the same
    round trip."""
    table = SyncClock._meta.db_table
    stamp = _NEW_STAMP
    claiming, params = "", [now_ms, now_ms]
    if claim:
        claiming = f", recompute_claimed_ms = CASE WHEN {_CLAIM_FREE} THEN {stamp} ELSE recompute_claimed_ms END"
        params += [now_ms - CLAIM_GIVE_UP_MS, now_ms, now_ms]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_stamp_ms = {stamp}{claiming} WHERE user_id = %s "  # noqa: S608
            # Stamps only grow, so a held claim is never this write's own new stamp.
            "RETURNING last_stamp_ms, recompute_claimed_ms = last_stamp_ms",
            [*params, user.pk],
        )
        row = cursor.fetchone()
    return None if row is None else (int(row[0]), bool(row[1]) if claim else False)


# The stamp a statement built with ``ticking`` writes: the clock's new value as a time (exact
# integer arithmetic on milliseconds, as stamp_to_datetime reads it).
STAMP_SQL = "(timestamptz 'epoch' + (SELECT stamp_ms FROM clock) * interval '1 millisecond')"


def ticking(user_id: int, statement: str, params: list[object]) -> tuple[str, list[object]]:
    """``statement`` preceded by the clock's tick as a CTE named ``clock`` (columns ``stamp_ms``
    and ``claimed``), so one statement advances the clock and writes with its stamp (STAMP_SQL);
    ``statement`` continues the WITH list (", name AS (...) SELECT ..."). Run on its own
    (autocommit) it is one transaction: the clock's row stays locked until the write commits,
    as with ``tick``. If the user has no clock row yet, ``clock`` is empty: the statement must
    then write nothing (``... SELECT ... FROM clock``), and the caller takes the ``tick`` path,
    which creates the row.

    The tick also takes the recompute claim when it is free (see "The recompute claim" below):
    ``claimed`` is true when this write took it, with nothing more asked of anyone."""
    table = SyncClock._meta.db_table
    now_ms = int(time.time() * 1000)
    stamp = _NEW_STAMP
    cte = (
        f"WITH clock AS (UPDATE {table} SET last_stamp_ms = {stamp}, "  # noqa: S608
        f"recompute_claimed_ms = CASE WHEN {_CLAIM_FREE} THEN {stamp} ELSE recompute_claimed_ms END "
        # Stamps only grow, so a held claim is never this write's own new stamp.
        "WHERE user_id = %s RETURNING last_stamp_ms AS stamp_ms, recompute_claimed_ms = last_stamp_ms AS claimed)"
    )
    return cte + statement, [now_ms, now_ms, now_ms - CLAIM_GIVE_UP_MS, now_ms, now_ms, user_id, *params]


# The recompute claim
# -------------------
# A burst of diary writes should queue one recompute of the user's insights, not one per write,
# and no write may be left out of every recompute. The claim is a column of the clock's row:
# null when no recompute is waiting; set by the first write after that. The write that sets it
# queues the recompute (after its commit); a write that finds it set queues nothing. The
# recompute clears it (``recompute_claim_drop``) before it reads the diary.
#
# A REST create (``ticking``) and a write through changes_apply, a sync push among them
# (``tick_and_claim``), take the claim in their tick's own statement; other writes ask after
# their commit (``recompute_claim``). Why no write is missed: a write that takes the claim in
# its tick holds the clock's row lock until it commits, and the recompute's clearing UPDATE
# waits for that lock, so a write that found the claim held is committed before the recompute
# reads (and a write that rolls back takes its claim back with it). A write that
# claims after its commit (``recompute_claim``) and finds the claim held knows the recompute
# that holds it has not cleared it yet, so it has not read yet either. A claim whose recompute
# was lost (its worker died before the broker redelivered it) is free again after CLAIM_GIVE_UP.
CLAIM_GIVE_UP = timedelta(minutes=30)
CLAIM_GIVE_UP_MS = int(CLAIM_GIVE_UP.total_seconds() * 1000)
_CLAIM_FREE = "(recompute_claimed_ms IS NULL OR recompute_claimed_ms < %s)"


def recompute_claim(user_id: int) -> bool:
    """Take the user's recompute claim after a committed write that did not take it in its tick;
    True if this call took it (the caller queues the recompute)."""
    table = SyncClock._meta.db_table
    now_ms = int(time.time() * 1000)
    # Taken at the wall clock's time. (Should a later write's new stamp fall on the same
    # millisecond, that write reads the claim as its own and queues a second recompute: one too
    # many, never one too few.) A held claim changes no row: nothing to commit to the disk.
    take = f"UPDATE {table} SET recompute_claimed_ms = %s WHERE user_id = %s AND {_CLAIM_FREE}"  # noqa: S608
    take_params = [now_ms, user_id, now_ms - CLAIM_GIVE_UP_MS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # in one round trip
            cursor.execute(
                f"WITH taken AS ({take} RETURNING 1) SELECT EXISTS (SELECT 1 FROM taken), "  # noqa: S608
                f"EXISTS (SELECT 1 FROM {table} WHERE user_id = %s)",
                [*take_params, user_id],
            )
            taken, has_clock = cursor.fetchone()
        else:  # SQLite has no UPDATE inside WITH
            cursor.execute(take, take_params)
            taken = cursor.rowcount > 0
            has_clock = taken or SyncClock.objects.filter(user_id=user_id).exists()
    # No clock row: a user who never wrote through the clock. Claim, and let the recompute run.
    return bool(taken or not has_clock)


def recompute_claim_drop(user_id: int) -> None:
    """Free the claim before the recompute reads: a write from now on claims the next one. Its
    UPDATE waits for any write still holding the clock's lock, so the read that follows sees it."""
    SyncClock.objects.filter(user_id=user_id).update(recompute_claimed_ms=None)
