"""The diary's ``live()`` queryset: the records that are not deleted, for every table."""

from __future__ import annotations

import pytest

from diary import services
from diary.tables import TABLES
from tests.builders import store

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("table", list(TABLES))
def test_live_leaves_out_a_deleted_record_and_keeps_the_others(user, table):
    store(user, table, client_id="kept")
    store(user, table, client_id="gone")
    services.record_delete(user=user, table=table, client_id="gone")
    model = TABLES[table].model

    assert set(model.objects.live().filter(user=user).values_list("client_id", flat=True)) == {"kept"}
    assert model.objects.filter(user=user).count() == 2  # the tombstone is still there for sync
