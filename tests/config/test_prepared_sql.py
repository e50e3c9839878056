"""config.prepared_sql: the constant statements of every request, prepared once per connection."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.prepared_sql import prepared_cursor

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]
STATEMENT = "SELECT %s::int + 1 AS prepared_sql_test"


def prepared_here() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%prepared_sql_test%"])
        return cursor.fetchone()[0]


def test_a_statement_is_prepared_once_and_answers_as_an_ordinary_cursor_does():
    with CaptureQueriesContext(connection) as queries:
        for n in range(3):
            with prepared_cursor() as cursor:
                cursor.execute(STATEMENT, [n])
                assert cursor.fetchone() == (n + 1,)

    assert prepared_here() == 1
    # Logged and counted as Django's own cursors' statements are, prepared runs too.
    assert [query["sql"] for query in queries.captured_queries] == [STATEMENT] * 3
    for _ in range(10):  # Django's own cursors still never prepare on this connection
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 AS prepared_sql_test_django")
    assert prepared_here() == 1


def test_with_connections_that_do_not_persist_nothing_is_prepared(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)  # PgBouncer in transaction mode
    with prepared_cursor() as cursor:
        cursor.execute(STATEMENT.replace("prepared_sql_test", "prepared_sql_test_not"), [1])
        assert cursor.fetchone() == (2,)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%prepared_sql_test_not%'")
        assert cursor.fetchone() == (0,)
