"""The builder's default records are valid however a test has them: as rows the database accepts,
owned by the user they are given, and through the services, as the API would store them."""

from __future__ import annotations

import pytest

from diary.tables import TABLES
from tests import builders


@pytest.mark.django_db
@pytest.mark.parametrize("table", list(TABLES))
def test_each_tables_default_row_saves_valid_for_the_given_user(table):
    user = builders.UserFactory()
    extra = {"medication": builders.row("medications", user=user)} if table == "medication_doses" else {}
    for parent in extra.values():
        parent.save()

    row = builders.row(table, user=user, **extra)
    row.save()

    # Field choices and ranges; JSON columns are left out, since Django's check calls an empty list
    # (no symptoms) blank, while the services store exactly that.
    row.full_clean(exclude=[f.name for f in type(row)._meta.fields if f.get_internal_type() == "JSONField"])
    assert type(row).objects.filter(pk=row.pk, user=user).exists()
    if hasattr(row, "medication"):
        assert row.medication.user == user


@pytest.mark.django_db
@pytest.mark.parametrize("table", list(TABLES))
def test_each_tables_default_record_is_stored_by_the_services(table):
    user = builders.UserFactory()

    record = builders.store(user, table)

    assert TABLES[table].model.objects.filter(pk=record.pk, user=user).exists()


@pytest.mark.django_db
def test_the_user_factory_hashes_the_password_and_normalises_the_email():
    user = builders.UserFactory(email="Someone@EXAMPLE.org")

    assert user.email == "someone@example.org"
    assert user.check_password(builders.PASSWORD)
    assert user.password != builders.PASSWORD
