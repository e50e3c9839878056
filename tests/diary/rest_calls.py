"""Calls and checks the diary REST tests share: a table's URL, its rows, a page walk."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from diary.tables import TABLES

ALL_TABLES = pytest.mark.parametrize("table", list(TABLES))


def url(table: str, client_id: str | None = None) -> str:
    base = f"/api/v1/{TABLES[table].route}/"
    return f"{base}{client_id}/" if client_id else base


def rows(user: Any, table: str) -> Any:
    return TABLES[table].model.objects.filter(user=user)


def same_instant(a: str, b: str) -> bool:
    return datetime.fromisoformat(a) == datetime.fromisoformat(b)


def assert_matches(body: dict[str, Any], sent: dict[str, Any]) -> None:
    for name, value in sent.items():
        if isinstance(value, str) and name.endswith("_at"):
            assert same_instant(body[name], value), name
        else:
            assert body[name] == value, name


def walk(client: Any, first: str) -> list[str]:
    ids: list[str] = []
    next_url: str | None = first
    while next_url:
        assert len(ids) <= 5000, "the cursor keeps handing back pages: it is not moving on"
        response = client.get(next_url)
        assert response.status_code == 200, response.json()
        ids += [item["id"] for item in response.json()["results"]]
        next_url = response.json()["next"]
    return ids
