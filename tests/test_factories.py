"""The test factories make rows the database accepts, owned by the user they are given."""

from __future__ import annotations

import pytest

from tests import factories

DIARY_FACTORIES = [
    factories.EpisodeFactory,
    factories.CaffeineIntakeFactory,
    factories.SleepLogFactory,
    factories.StressLogFactory,
    factories.MedicationFactory,
    factories.MedicationDoseFactory,
    factories.ExerciseSessionFactory,
    factories.LabResultFactory,
    factories.TremorRecordingFactory,
]


@pytest.mark.django_db
@pytest.mark.parametrize("factory", DIARY_FACTORIES, ids=lambda f: f.__name__)
def test_each_diary_factory_saves_a_valid_row_for_the_given_user(factory):
    user = factories.UserFactory()

    row = factory(user=user)

    # Field choices and ranges; JSON columns are left out, since Django's check calls an empty list
    # (no symptoms) blank, while the services store exactly that.
    row.full_clean(exclude=[f.name for f in type(row)._meta.fields if f.get_internal_type() == "JSONField"])
    assert type(row).objects.filter(pk=row.pk, user=user).exists()
    if hasattr(row, "medication"):
        assert row.medication.user == user


@pytest.mark.django_db
def test_the_user_factory_hashes_the_password_and_normalises_the_email():
    user = factories.UserFactory(email="Someone@EXAMPLE.org")

    assert user.email == "someone@example.org"
    assert user.check_password(factories.PASSWORD)
    assert user.password != factories.PASSWORD
