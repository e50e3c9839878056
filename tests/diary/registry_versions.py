"""Test-only schema versions: declare a next app version in the registry for one test.

A real release adds a table or column with ``since=N``; here an existing table (lab_results)
and an existing column (episodes.notes) are declared as new at the next version, so an app at
the current version has never seen them and an upgraded app must receive all of them.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from diary.tables import TABLES, current_version

NEW_TABLE = "lab_results"
NEW_COLUMN = ("episodes", "notes")


def declare_next_version(monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Declare NEW_TABLE and NEW_COLUMN at current version + 1 (for this test): (old, new)."""
    old = current_version()
    new = old + 1
    monkeypatch.setitem(TABLES, NEW_TABLE, replace(TABLES[NEW_TABLE], since=new))
    table, column = NEW_COLUMN
    spec = TABLES[table]
    columns = tuple(replace(c, since=new) if c.name == column else c for c in spec.columns)
    monkeypatch.setitem(TABLES, table, replace(spec, columns=columns))
    assert current_version() == new
    return old, new
