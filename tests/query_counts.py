"""The one way tests count SQL queries: capture a block's queries and, on failure, show every one.

    with captured_queries() as few:
        client.get(url)
    ...
    assert_same_query_count(few, many)          # the count does not grow with the rows
    with assert_max_queries(4):                 # an upper bound on one block
        client.get(url)

A failed count prints the numbered SQL of each side, so the extra query can be read straight off
the failure instead of being hunted down with a debugger.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext

_SAVEPOINT_PREFIXES = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


class Queries:
    """The queries one block ran, in order; ``len()`` is their count."""

    def __init__(self, context: CaptureQueriesContext, *, savepoints: bool) -> None:
        self._context = context
        self._savepoints = savepoints

    @property
    def sql(self) -> list[str]:
        statements = [query["sql"] for query in self._context.captured_queries]
        if self._savepoints:
            return statements
        return [sql for sql in statements if not sql.startswith(_SAVEPOINT_PREFIXES)]

    def __len__(self) -> int:
        return len(self.sql)

    def __str__(self) -> str:
        return "\n".join(f"{n:>3}. {sql}" for n, sql in enumerate(self.sql, start=1)) or "   (no queries)"


@contextmanager
def captured_queries(*, savepoints: bool = True) -> Iterator[Queries]:
    """Capture the queries of the block on the default connection.

    ``savepoints=False`` leaves out the SAVEPOINT statements that the test's own transaction turns
    a view's ``atomic()`` into, for a count that should not depend on how the test wraps the call.
    """
    with CaptureQueriesContext(connection) as context:
        yield Queries(context, savepoints=savepoints)


def assert_same_query_count(first: Queries, second: Queries, what: str = "") -> None:
    """Fail, listing both sides' SQL, unless the two blocks ran as many queries."""
    label = f"{what}: " if what else ""
    assert len(first) == len(second), (
        f"{label}{len(first)} queries against {len(second)}\n--- first:\n{first}\n--- second:\n{second}"
    )


@contextmanager
def assert_max_queries(limit: int, what: str = "") -> Iterator[Queries]:
    """Fail, listing the SQL, if the block runs more than ``limit`` queries."""
    with captured_queries() as queries:
        yield queries
    label = f"{what}: " if what else ""
    assert len(queries) <= limit, f"{label}{len(queries)} queries, at most {limit} expected:\n{queries}"
