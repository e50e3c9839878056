"""A large push (COPY_MIN_ROWS records or more) mixing new records, stored ones and tombstones.

The new ones are COPYed straight into the table, the ones the user already has (a tombstone
too) go through the merge: the result must be the small push's, record by record.
"""

from __future__ import annotations

import pytest

from diary.bulk_upsert import COPY_MIN_ROWS
from diary.models import Episode
from tests.builders import wire
from tests.diary.wire import changes, pull, push

pytestmark = pytest.mark.django_db


def test_new_stored_and_deleted_ids_in_one_large_push(auth_client, user):
    assert (
        push(auth_client, changes(episodes=[wire("episodes", f"old{i}", intensity=2) for i in range(10)])).status_code
        == 200
    )
    gone = {"episodes": {"created": [], "updated": [], "deleted": ["old0", "old1"]}}
    assert push(auth_client, gone).status_code == 200
    first_seen = dict(Episode.objects.filter(user=user).values_list("client_id", "created_at"))

    records = [wire("episodes", f"old{i}", intensity=8) for i in range(10)]
    records += [wire("episodes", f"new{i}", intensity=5) for i in range(COPY_MIN_ROWS)]
    assert push(auth_client, changes(episodes=records)).status_code == 200

    rows = {r.client_id: r for r in Episode.objects.filter(user=user)}
    assert len(rows) == 10 + COPY_MIN_ROWS
    assert all(rows[f"old{i}"].deleted_at is None and rows[f"old{i}"].intensity == 8 for i in range(10))
    assert all(rows[f"old{i}"].created_at == first_seen[f"old{i}"] for i in range(10))
    assert {rows[f"new{i}"].intensity for i in range(COPY_MIN_ROWS)} == {5}
    assert len({r.updated_at for r in rows.values()}) == 1  # one push, one stamp
    pulled = pull(auth_client)["changes"]["episodes"]
    assert len(pulled["created"]) == 10 + COPY_MIN_ROWS
