"""factory-boy factories for the suite's users and diary rows: readable defaults, any field overridable.

``UserFactory()`` saves a user through ``User.objects.create_user`` (so the password is hashed and
the email normalised as in production); ``EpisodeFactory(user=user, started_at=...)`` saves a row
straight to its table, and ``EpisodeFactory.build(...)`` makes an unsaved one for ``bulk_create``.
Tests that must go through the diary's rules and sync clock write through the services instead
(tests/diary/payloads.py, tests/insights/diary_builder.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from accounts.models import User
from diary import models as diary_models

PASSWORD = "a-long-enough-passphrase"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = PASSWORD
    timezone = "UTC"
    # An established account: its address confirmed, so weekly summaries go to it.
    email_confirmed_at = factory.LazyFunction(lambda: timezone.now())

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return model_class.objects.create_user(*args, **kwargs)


class DiaryRecordFactory(factory.django.DjangoModelFactory):
    """The columns every diary table shares: owner, the phone's id and the sync timestamps."""

    class Meta:
        abstract = True

    user = factory.SubFactory(UserFactory)
    client_id = factory.Sequence(lambda n: f"c{n}")
    created_at = factory.LazyFunction(lambda: timezone.now())
    updated_at = factory.LazyAttribute(lambda row: row.created_at)


class EpisodeFactory(DiaryRecordFactory):
    class Meta:
        model = diary_models.Episode

    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    duration_s = 60
    body_sites = factory.LazyFunction(lambda: ["left_index"])
    character = "twitch"
    intensity = 4
    symptoms = factory.LazyFunction(list)


class CaffeineIntakeFactory(DiaryRecordFactory):
    class Meta:
        model = diary_models.CaffeineIntake

    consumed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    drink = "brewed_coffee"
    mg = 95.0


class SleepLogFactory(DiaryRecordFactory):
    class Meta:
        model = diary_models.SleepLog

    woke_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    bed_at = factory.LazyAttribute(lambda row: row.woke_at - timedelta(hours=7))


class StressLogFactory(DiaryRecordFactory):
    class Meta:
        model = diary_models.StressLog

    recorded_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    level = 5


class MedicationFactory(DiaryRecordFactory):
    class Meta:
        model = diary_models.Medication

    name = "Salbutamol inhaler"
    catalogue_key = "salbutamol"
    drug_class = "beta2_agonist"
    as_needed = True


class MedicationDoseFactory(DiaryRecordFactory):
    class Meta:
        model = diary_models.MedicationDose

    medication = factory.SubFactory(MedicationFactory, user=factory.SelfAttribute("..user"))
    taken_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    amount = "2 puffs"


class ExerciseSessionFactory(DiaryRecordFactory):
    class Meta:
        model = diary_models.ExerciseSession

    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    duration_min = 30
    intensity = "moderate"
    kind = "running"


class LabResultFactory(DiaryRecordFactory):
    class Meta:
        model = diary_models.LabResult

    taken_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    analyte = "magnesium"
    value = 0.8
    unit = "mmol/L"
    reference_low = 0.7
    reference_high = 1.0


class TremorRecordingFactory(DiaryRecordFactory):
    class Meta:
        model = diary_models.TremorRecording

    recorded_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    hand = "right"
    posture = "rest"
    sample_rate_hz = 100.0
    samples = factory.LazyFunction(lambda: {"x": [], "y": [], "z": []})
