"""Marking a user's insights dirty: one recompute claimed per burst of writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from insights.models import InsightState
from insights.services import QUEUED_GIVE_UP, mark_dirty

pytestmark = pytest.mark.django_db


def test_the_first_write_claims_a_recompute_and_later_ones_only_note_the_change(user):
    assert mark_dirty(user_id=user.pk) is True
    first = InsightState.objects.get(user=user)
    assert first.dirty and first.recompute_queued
    assert mark_dirty(user_id=user.pk) is False
    second = InsightState.objects.get(user=user)
    assert second.queued_at == first.queued_at
    assert second.last_diary_change_at > first.last_diary_change_at


def test_a_write_after_the_recompute_started_claims_the_next_one(user):
    mark_dirty(user_id=user.pk)
    InsightState.objects.filter(user=user).update(recompute_queued=False, dirty=False)
    assert mark_dirty(user_id=user.pk) is True
    assert InsightState.objects.get(user=user).dirty


def test_a_recompute_queued_too_long_ago_is_presumed_lost_and_claimed_again(user):
    mark_dirty(user_id=user.pk)
    long_ago = timezone.now() - QUEUED_GIVE_UP - timedelta(minutes=1)
    InsightState.objects.filter(user=user).update(queued_at=long_ago)
    assert mark_dirty(user_id=user.pk) is True
    assert InsightState.objects.get(user=user).queued_at > long_ago
