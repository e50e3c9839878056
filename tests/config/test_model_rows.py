"""config.model_rows: a row of hand-written SQL becomes the instance a queryset would hand back."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import User
from config.model_rows import model_rows
from diary.models import Episode, TremorRecording
from tests.builders import store

pytestmark = pytest.mark.django_db


def every_field(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@pytest.mark.parametrize("model", [Episode, TremorRecording, User])
def test_a_row_read_by_hand_is_the_orms_instance(user, model):
    tables = {Episode: "episodes", TremorRecording: "tremor_recordings"}
    stored = user if model is User else store(user, tables[model], client_id="read-me")
    reader = model_rows(model, "r")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {reader.columns} FROM {connection.ops.quote_name(model._meta.db_table)} r WHERE r.id = %s",
            [stored.pk],
        )
        made = reader.make(cursor.fetchone())

    expected = model._default_manager.get(pk=stored.pk)
    assert every_field(made) == every_field(expected)  # JSON parsed, times as times, as the ORM reads them
    assert made._state.adding is False
    assert made._state.db == expected._state.db
    assert model_rows(model, "r") is reader  # made once
