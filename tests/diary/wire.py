"""Sync calls for tests: a push body, a push and a pull as a WatermelonDB app makes them.

The records themselves come from ``tests.builders.wire``.
"""

from __future__ import annotations

from typing import Any

from diary.tables import current_version


def changes(**tables: list[dict[str, Any]]) -> dict[str, Any]:
    """A push body: each keyword is a table whose records go in "created"."""
    return {name: {"created": records, "updated": [], "deleted": []} for name, records in tables.items()}


def push(client, body: dict[str, Any], last_pulled_at: int | None = None):
    query = f"?last_pulled_at={last_pulled_at}" if last_pulled_at is not None else ""
    return client.post(f"/api/v1/sync/{query}", body, format="json")


def pull(client, last_pulled_at: int | None = None, schema_version: int | None = None):
    """A pull by an app at ``schema_version``: the server's newest by default."""
    query = f"?last_pulled_at={last_pulled_at}" if last_pulled_at is not None else "?last_pulled_at=null"
    version = current_version() if schema_version is None else schema_version
    response = client.get(f"/api/v1/sync/{query}&schema_version={version}")
    assert response.status_code == 200, response.json()
    return response.json()
