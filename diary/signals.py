"""Sent after a commit that changed a user's diary; the insights listen to recompute.

The one receiver is ``insights.tasks.recompute_on_diary_change``, connected in ``InsightsConfig.ready``
(insights/apps.py). A signal, not a call, because diary/ must not import insights/ (docs/architecture.md).
"""

from django.dispatch import Signal

# Sent with user_id=<int>, tables=<sorted table names> and claimed=<bool or None> once per
# committed diary write or sync push. claimed: whether the write's own tick took the recompute
# claim (diary.sync_clock, "The recompute claim"); None when it did not try, and the receiver
# claims (diary.sync_clock.recompute_claim).
diary_changed = Signal()
