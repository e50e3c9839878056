"""A cursor for the few constant statements every request runs, prepared once per connection.

Django's PostgreSQL cursors bind parameters on the client: each statement reaches the server
as new text, parsed and planned again. The statements a diary write runs on every request
(the token lookup, the stamped INSERT) are written once per process, so PostgreSQL can
prepare them once per connection and then only bind and execute: about 0.1 ms of the
server's CPU less for the token lookup and as much again for the INSERT (bench/throughput.sh).

The cursor is Django's own wrapper (queries logged, errors translated, the connection's health
check) around psycopg's server-side binding cursor asked to prepare. Prepared statements
belong to a database session, so they are used only when connections persist
(DATABASE_CONN_MAX_AGE is not 0): behind PgBouncer in transaction mode, where
docs/operations.md sets it to 0, a session may change under the connection at every
transaction, and the statements go unprepared, as every other statement does. Anywhere but
PostgreSQL this is the connection's ordinary cursor.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

_PREPARING_CURSOR: Any = None
# Django turns psycopg's preparing off on its connections (prepare_threshold None, for
# poolers). Turned on with a threshold no statement reaches, only a statement executed with
# prepare=True (this module's) is prepared; Django's own cursors bind on the client and
# never prepare anything in either case.
_ONLY_WHEN_ASKED = 2**62


def _preparing_cursor_class() -> Any:
    """psycopg's server-side binding cursor, as Django makes it, preparing what it executes."""
    global _PREPARING_CURSOR
    if _PREPARING_CURSOR is None:
        from django.db.backends.postgresql import base

        server_binding: Any = base.ServerBindingCursor  # defined only with psycopg 3

        class PreparingCursor(server_binding):
            def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, **kwargs: Any) -> Any:
                return super().execute(query, params, prepare=True if prepare is None else prepare, **kwargs)

        _PREPARING_CURSOR = PreparingCursor
    return _PREPARING_CURSOR


def prepared_cursor() -> CursorWrapper:
    """A cursor whose statements PostgreSQL prepares on first use in the connection's session."""
    # The connection itself, not the proxy: each attribute read through the proxy costs a look-up.
    db: Any = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql" or db.settings_dict.get("CONN_MAX_AGE") == 0:
        return db.cursor()
    # Django's BaseDatabaseWrapper._cursor and _prepare_cursor, with this cursor class instead of
    # create_cursor's.
    db.close_if_health_check_failed()
    db.ensure_connection()
    session = db.connection
    if session.prepare_threshold is None:
        session.prepare_threshold = _ONLY_WHEN_ASKED
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        cursor = _preparing_cursor_class()(session)
    if db.queries_logged:
        return _LoggedPreparedCursor(cursor, db)
    return db.make_cursor(cursor)


class _LoggedPreparedCursor(CursorDebugWrapper):
    """Django's query log (DEBUG, the tests' query counts) for a prepared statement: the log takes
    the statement's text, since psycopg keeps none of a statement run as a prepared one."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)
