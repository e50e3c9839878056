"""Sync-wire records for tests: what a WatermelonDB app would push."""

from __future__ import annotations

import json
import time
from typing import Any

from diary.tables import current_version


def now_ms() -> int:
    return int(time.time() * 1000)


def episode(client_id: str, *, minutes_ago: int = 60, **overrides: Any) -> dict[str, Any]:
    record = {
        "id": client_id,
        "started_at": now_ms() - minutes_ago * 60_000,
        "duration_s": 20,
        "body_sites": json.dumps(["left_index"]),
        "character": "twitch",
        "intensity": 3,
        "context": "at_rest",
        "symptoms": json.dumps([]),
        "notes": "",
        "_status": "created",
        "_changed": "",
    }
    record.update(overrides)
    return record


def caffeine(client_id: str, *, minutes_ago: int = 90, **overrides: Any) -> dict[str, Any]:
    record = {"id": client_id, "consumed_at": now_ms() - minutes_ago * 60_000, "drink": "espresso", "servings": 2}
    record.update(overrides)
    return record


def sleep(client_id: str, *, hours: float = 7, **overrides: Any) -> dict[str, Any]:
    woke = now_ms() - 3_600_000
    record = {"id": client_id, "bed_at": woke - int(hours * 3_600_000), "woke_at": woke, "quality": 3}
    record.update(overrides)
    return record


def stress(client_id: str, **overrides: Any) -> dict[str, Any]:
    return {"id": client_id, "recorded_at": now_ms() - 120_000, "level": 4, **overrides}


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
