"""Marking a user's insights dirty: one recompute claimed per burst of writes."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights.models import InsightState
from insights.services import QUEUED_GIVE_UP, insights_recompute, mark_dirty, recompute_claim_key

pytestmark = pytest.mark.django_db


def test_the_first_write_claims_a_recompute_and_later_ones_write_nothing_to_the_database(user):
    assert mark_dirty(user_id=user.pk) is True
    first = InsightState.objects.get(user=user)
    assert first.dirty and first.recompute_queued and first.queued_at is not None
    with CaptureQueriesContext(connection) as queries:
        assert mark_dirty(user_id=user.pk) is False
        assert mark_dirty(user_id=user.pk) is False
    assert len(queries) == 0  # the claim is held: no commit, which waits for the disk, per write
    assert InsightState.objects.get(user=user).queued_at == first.queued_at


def test_a_write_after_the_recompute_started_claims_the_next_one(user):
    mark_dirty(user_id=user.pk)
    insights_recompute(user_id=user.pk)  # drops the claim before it reads the diary
    state = InsightState.objects.get(user=user)
    assert not state.dirty and not state.recompute_queued
    assert mark_dirty(user_id=user.pk) is True
    assert InsightState.objects.get(user=user).dirty


def test_a_claim_whose_recompute_was_lost_expires_and_the_next_write_claims_again(user):
    mark_dirty(user_id=user.pk)
    location = settings.CACHES["default"]["LOCATION"]
    if location.startswith("redis://"):  # the claim's life in Redis is QUEUED_GIVE_UP
        ttl = redis.Redis.from_url(location).ttl(cache.make_key(recompute_claim_key(user.pk)))
        assert QUEUED_GIVE_UP.total_seconds() - 5 <= ttl <= QUEUED_GIVE_UP.total_seconds()
    cache.delete(recompute_claim_key(user.pk))  # what its expiry does
    assert mark_dirty(user_id=user.pk) is True


def test_claims_are_per_user(user, make_user):
    other = make_user()
    assert mark_dirty(user_id=user.pk) is True
    assert mark_dirty(user_id=other.pk) is True
    assert mark_dirty(user_id=user.pk) is False
