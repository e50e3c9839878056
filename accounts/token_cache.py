"""Each database connection remembers the tokens it has checked, and PostgreSQL tells it when to forget.

Every request of the API begins with its token: one SELECT of the token and its user, a round
trip to PostgreSQL that a phone writing its diary repeats for each request, with the same
answer every time. A connection keeps the rows it found, keyed by the token's digest, and
reads them again without asking.

What makes a kept row safe to use is that it can never outlive a change to its token or its
user, whoever makes the change and however (a logout, an account deleted or deactivated, a
profile edited, the admin, a queryset update, another server): the migration
accounts/migrations/0004_token_cache_triggers.py puts triggers on both tables that send
``NOTIFY twitchlog_auth, '<user id>'`` with every UPDATE and DELETE of a row (and '*' with a
TRUNCATE), and a connection LISTENs on that channel from the first token it checks. PostgreSQL
signals the listening sessions before the change's commit returns, and a signalled session
sends the notification ahead of its answer to the next statement it reads; psycopg hands it
to ``heard`` as it reads that answer. Each request makes one round trip before it looks at a
token: Django's health check (CONN_HEALTH_CHECKS, a SELECT 1 on the first use of a reused
connection in a request), or a SELECT 1 of its own where that check does not run. So a request
that starts after a logout has returned finds that token forgotten. (A read of the socket
without a round trip is not enough: the session may not have been scheduled to send yet.)

A connection uses what it keeps only when every one of these holds, and otherwise asks the
database as before:
- PostgreSQL, with persistent connections (DATABASE_CONN_MAX_AGE not 0): behind PgBouncer in
  transaction mode (docs/operations.md sets CONN_MAX_AGE 0 there) a session's LISTEN means nothing.
- The connection has listened since before the row was kept (its cache is made with its LISTEN).
- The request is not inside a transaction: PostgreSQL delivers notifications only between
  transactions, so inside one (a test case, ATOMIC_REQUESTS) a change could go unheard.
- The row was found less than MAX_AGE ago: a bound on any way a notification could be lost
  that the above does not foresee.
A new connection starts with nothing kept: what changed while it did not listen was not heard.
Only connections that check tokens listen (a Celery worker's never does): an idle connection
holds the notifications sent to it unread until its next use.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

CHANNEL = "twitchlog_auth"
# The age after which a kept row is read again from the database even though no change was
# heard. Short enough that a notification lost some unforeseen way leaves a revoked token
# working for a minute at most; long enough that a phone's burst of requests asks once.
MAX_AGE_S = 60.0
# A connection keeps at most this many tokens (a server's active devices); past it, it starts again.
MAX_ENTRIES = 2_000


class ConnectionTokenCache:
    """The token rows one database connection has found: digest -> (user id, row, found at)."""

    def __init__(self, session: Any) -> None:
        self.session = session  # the psycopg connection whose LISTEN this cache relies on
        self.rows: dict[str, tuple[int, Sequence[Any], float]] = {}
        # Whether this request has made its round trip yet (see the module's docstring).
        self.heard_this_request = False

    def get(self, digest: str) -> Sequence[Any] | None:
        entry = self.rows.get(digest)
        if entry is None:
            return None
        if time.monotonic() - entry[2] > MAX_AGE_S:
            del self.rows[digest]
            return None
        return entry[1]

    def put(self, digest: str, user_id: int, row: Sequence[Any]) -> None:
        if len(self.rows) >= MAX_ENTRIES:
            self.rows.clear()
        self.rows[digest] = (user_id, tuple(row), time.monotonic())

    def heard(self, notification: Any) -> None:
        """psycopg's notify handler, for what arrives with a query's answer."""
        self.forget(notification.channel, notification.payload)

    def forget(self, channel: str, payload: str) -> None:
        """Drop the rows of the user a notification names (all of them on '*')."""
        if channel != CHANNEL:
            return
        if payload == "*":
            self.rows.clear()
            return
        try:
            user_id = int(payload)
        except ValueError:
            self.rows.clear()
            return
        for digest in [digest for digest, entry in self.rows.items() if entry[0] == user_id]:
            del self.rows[digest]


def _start_listening(connection: Any) -> ConnectionTokenCache | None:
    """LISTEN on this connection and give it an empty cache; None if the LISTEN did not take
    effect at once (the connection is in a transaction, where it would wait for a commit).
    Only connections that check tokens (the web's) listen: a worker's connection, idle for hours,
    would hold every notification sent meanwhile unread."""
    from psycopg.pq import TransactionStatus

    session = connection.connection
    with connection.wrap_database_errors:
        session.execute(f"LISTEN {CHANNEL}")
    if session.info.transaction_status != TransactionStatus.IDLE:
        return None
    cache = ConnectionTokenCache(session)
    cache.heard_this_request = True  # nothing kept yet, and every change from now on heard
    session.add_notify_handler(cache.heard)
    connection.token_cache = cache
    return cache


def new_request(sender: Any, **kwargs: Any) -> None:
    """Django's request_started receiver (accounts/apps.py): this request has heard nothing yet."""
    cache: ConnectionTokenCache | None = getattr(connections[DEFAULT_DB_ALIAS], "token_cache", None)
    if cache is not None:
        cache.heard_this_request = False


def usable_cache(connection: Any) -> ConnectionTokenCache | None:
    """The connection's cache, once this request has heard every change committed before it
    began; None where a kept row cannot be trusted (see the module's list)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    if connection.settings_dict.get("CONN_MAX_AGE") == 0:
        return None
    # Whether Django's health check is about to make this request's round trip.
    checking = connection.connection is not None and connection.health_check_enabled
    checking = checking and not connection.health_check_done
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    cache: ConnectionTokenCache | None = getattr(connection, "token_cache", None)
    if cache is None or cache.session is not connection.connection:
        # A connection's first token, or a new connection: it keeps nothing yet, and from its
        # LISTEN on it hears every change.
        return _start_listening(connection)
    if not (checking or cache.heard_this_request):
        with connection.wrap_database_errors:
            cache.session.execute("SELECT 1")  # the round trip that Django's health check would have made
    cache.heard_this_request = True
    return cache
