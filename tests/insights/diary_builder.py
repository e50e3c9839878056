"""Write diary rows for a user through the real services, as the API would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from accounts.models import User
from diary.services import RecordWrite, TableChanges, changes_apply, with_defaults
from diary.tables import TABLES


def write(user: User, table: str, rows: list[dict[str, Any]]) -> None:
    spec = TABLES[table]
    writes = [RecordWrite(client_id=row.pop("id"), values=with_defaults(spec, row), path=table) for row in rows]
    changes_apply(user=user, changes={table: TableChanges(upserts=writes, deletions=[])}, since=None)


def days_ago(days: float, hour: int = 12) -> datetime:
    now = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return now - timedelta(days=days)


def episodes_over(user: User, *, days: int, sites: list[str], prefix: str = "e", **fields: Any) -> None:
    """One episode a day for ``days`` days ending yesterday, at the given sites."""
    rows = [
        {
            "id": f"{prefix}{n}",
            "started_at": days_ago(days - n),
            "duration_s": 30,
            "body_sites": sites,
            "character": "twitch",
            "intensity": 3,
            **fields,
        }
        for n in range(days)
    ]
    write(user, "episodes", rows)
